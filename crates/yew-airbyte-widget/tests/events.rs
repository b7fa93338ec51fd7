//! Event decoding in a real browser: each event the authentication module posts is built as a real JS
//! object (`JSON.parse`, plus a real `Error` where the iframe sends one) and decoded through the same
//! path the widget's `onEvent` takes.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!       cargo test -p yew-airbyte-widget --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew_airbyte_widget::{ReceivedEvent, WidgetEvent, decode_event, event_to_json};

wasm_bindgen_test_configure!(run_in_browser);

const SOURCE_ID: &str = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e";

/// A `SourceRead` as the mock's iframe posts it (secrets masked, `source_config` repeated).
fn source_read() -> Value {
    json!({
        "id": SOURCE_ID,
        "name": "Stripe",
        "source_template": {
            "id": "0a1b2c3d-0000-4000-8000-000000000001",
            "name": "Stripe",
            "icon": "data:image/svg+xml;base64,PHN2Zy8+",
            "source_definition_id": "e094cb9a-26de-4645-8761-65c0c425d1de",
            "user_config_spec": {
                "documentationUrl": "https://docs.airbyte.com/integrations/sources/stripe",
                "connectionSpecification": {"type": "object", "properties": {}}
            },
            "partial_default_config": {},
            "mode": "REPLICATION"
        },
        "replication_config": {"account_id": "acct_123", "client_secret": "**********"},
        "source_config": {"account_id": "acct_123", "client_secret": "**********"},
        "created_at": "2026-11-30T06:42:00Z",
        "updated_at": "2026-11-30T06:42:00Z"
    })
}

/// The JS object for `value`, made by the browser's own `JSON.parse`.
fn js_object(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("JSON.parse")
}

/// Puts a real JS `Error` under `error`, as structured clone delivers it from the iframe.
fn with_js_error(event: &JsValue, message: &str) {
    let error = js_sys::Error::new(message);
    js_sys::Reflect::set(event, &"error".into(), &error).expect("set error");
}

#[wasm_bindgen_test]
fn source_created_decodes_to_source_read() {
    let raw = json!({"type": "end_user_action_result", "message": "source_created", "data": source_read()});
    match decode_event(&js_object(&raw)) {
        WidgetEvent::SourceCreated(source) => {
            assert_eq!(source.id.to_string(), SOURCE_ID);
            assert_eq!(source.name, "Stripe");
            assert_eq!(source.source_template.name, "Stripe");
            assert_eq!(source.replication_config["client_secret"], "**********");
        }
        other => panic!("expected SourceCreated, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn source_updated_decodes_to_source_read() {
    let raw = json!({"type": "end_user_action_result", "message": "source_updated", "data": source_read()});
    match decode_event(&js_object(&raw)) {
        WidgetEvent::SourceUpdated(source) => assert_eq!(source.name, "Stripe"),
        other => panic!("expected SourceUpdated, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn create_error_with_a_real_js_error_keeps_its_message() {
    // `JSON.stringify(new Error("x"))` is `{}`: this is what the replacer in `event_to_json` is for.
    let event =
        js_object(&json!({"type": "end_user_action_result", "message": "source_create_error"}));
    with_js_error(&event, "Invalid credentials: 401 from api.stripe.com");
    assert_eq!(
        decode_event(&event),
        WidgetEvent::SourceCreateError {
            message: "Invalid credentials: 401 from api.stripe.com".into()
        }
    );
    assert_eq!(
        event_to_json(&event)["error"],
        json!({"name": "Error", "message": "Invalid credentials: 401 from api.stripe.com"})
    );
}

#[wasm_bindgen_test]
fn update_error_with_a_real_js_error_keeps_its_message() {
    let event =
        js_object(&json!({"type": "end_user_action_result", "message": "source_update_error"}));
    with_js_error(&event, "Connection check failed");
    assert_eq!(
        decode_event(&event),
        WidgetEvent::SourceUpdateError {
            message: "Connection check failed".into()
        }
    );
}

#[wasm_bindgen_test]
fn errors_as_plain_objects_or_strings_decode_too() {
    let object = json!({"type": "end_user_action_result", "message": "source_create_error",
                        "error": {"name": "Error", "message": "quota exceeded"}});
    assert_eq!(
        decode_event(&js_object(&object)),
        WidgetEvent::SourceCreateError {
            message: "quota exceeded".into()
        }
    );
    let string = json!({"type": "end_user_action_result", "message": "source_update_error", "error": "timeout"});
    assert_eq!(
        decode_event(&js_object(&string)),
        WidgetEvent::SourceUpdateError {
            message: "timeout".into()
        }
    );
}

#[wasm_bindgen_test]
fn legacy_partial_user_config_names_decode_like_the_current_ones() {
    let created = json!({"type": "end_user_action_result", "message": "partial_user_config_created", "data": source_read()});
    assert!(matches!(
        decode_event(&js_object(&created)),
        WidgetEvent::SourceCreated(_)
    ));
    let updated = json!({"type": "end_user_action_result", "message": "partial_user_config_updated", "data": source_read()});
    assert!(matches!(
        decode_event(&js_object(&updated)),
        WidgetEvent::SourceUpdated(_)
    ));
}

#[wasm_bindgen_test]
fn unknown_type_is_other_with_the_raw_json() {
    let raw =
        json!({"type": "widget_resized", "height": 640, "nested": {"list": [1, "two", null]}});
    assert_eq!(
        decode_event(&js_object(&raw)),
        WidgetEvent::Other(raw.clone())
    );
    let received = ReceivedEvent::from_js(&js_object(&raw));
    assert_eq!(received.raw, raw);
    assert_eq!(received.name(), "widget_resized");
}

#[wasm_bindgen_test]
fn unknown_message_of_a_known_type_is_other() {
    let raw = json!({"type": "end_user_action_result", "message": "source_deleted", "data": {"id": SOURCE_ID}});
    assert_eq!(
        decode_event(&js_object(&raw)),
        WidgetEvent::Other(raw.clone())
    );
    assert_eq!(
        ReceivedEvent::from_js(&js_object(&raw)).name(),
        "source_deleted"
    );
}

#[wasm_bindgen_test]
fn created_without_a_valid_source_read_is_other_not_lost() {
    let raw = json!({"type": "end_user_action_result", "message": "source_created", "data": {"id": "not-a-uuid"}});
    assert_eq!(decode_event(&js_object(&raw)), WidgetEvent::Other(raw));
}

#[wasm_bindgen_test]
fn values_json_cannot_hold_do_not_panic() {
    assert_eq!(
        decode_event(&JsValue::UNDEFINED),
        WidgetEvent::Other(Value::Null)
    );
    assert_eq!(
        decode_event(&JsValue::from_str("CLOSE_DIALOG")),
        WidgetEvent::Other(json!("CLOSE_DIALOG"))
    );
    // A cycle makes `JSON.stringify` throw; the event still arrives, with a note and its type.
    let cyclic = js_object(&json!({"type": "weird"}));
    js_sys::Reflect::set(&cyclic, &"self".into(), &cyclic).expect("set self");
    match decode_event(&cyclic) {
        WidgetEvent::Other(note) => {
            assert_eq!(note["type"], "weird");
            assert!(note["unserializable"].is_string(), "{note}");
        }
        other => panic!("expected Other, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn received_event_names_follow_the_wire_names() {
    let created = json!({"type": "end_user_action_result", "message": "source_created", "data": source_read()});
    assert_eq!(
        ReceivedEvent::from_js(&js_object(&created)).name(),
        "source_created"
    );
    let error =
        json!({"type": "end_user_action_result", "message": "source_update_error", "error": "x"});
    assert_eq!(
        ReceivedEvent::from_js(&js_object(&error)).name(),
        "source_update_error"
    );
}
