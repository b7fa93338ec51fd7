//! From the object the widget hands to `onEvent` to a typed [`WidgetEvent`].
//!
//! The JS object is turned into JSON text with `JSON.stringify` and parsed with serde_json, then
//! decoded by the shared wire model ([`WidgetEvent::from_json`]), so the Rust side sees exactly the
//! shape the mock and the real iframe post, and the decoding rules live in one place.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::WidgetEvent;

/// One event as received: the typed form, and the raw JSON it was decoded from (for logs and for
/// fields the typed form drops).
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    pub event: WidgetEvent,
    pub raw: Value,
}

impl ReceivedEvent {
    /// Converts a JS event object.
    pub fn from_js(value: &JsValue) -> Self {
        Self::from_json(event_to_json(value))
    }

    /// Decodes already-converted JSON.
    pub fn from_json(raw: Value) -> Self {
        Self {
            event: WidgetEvent::from_json(raw.clone()),
            raw,
        }
    }

    /// The `message` of an `end_user_action_result` (`source_created`, ...), else the `type`, else
    /// `"unknown"`: the name a log shows for this event.
    pub fn name(&self) -> String {
        match &self.event {
            WidgetEvent::Other(raw) => raw
                .get("message")
                .and_then(Value::as_str)
                .or_else(|| raw.get("type").and_then(Value::as_str))
                .unwrap_or("unknown")
                .to_owned(),
            typed => typed.name(),
        }
    }
}

/// Decodes a JS event object into a [`WidgetEvent`].
pub fn decode_event(value: &JsValue) -> WidgetEvent {
    WidgetEvent::from_json(event_to_json(value))
}

/// Converts a JS event object to JSON.
///
/// A JS `Error` (what the iframe puts in `error` for `source_create_error` / `source_update_error`;
/// structured clone keeps it an `Error`) has no enumerable properties, so plain `JSON.stringify`
/// would turn it into `{}` and lose the message. A replacer turns every `Error` into
/// `{name, message}` first. Values JSON cannot hold (`undefined`, functions, cycles, `BigInt`)
/// give `Value::Null` or an `{"unserializable": ...}` note instead of failing: an event is never
/// dropped.
pub fn event_to_json(value: &JsValue) -> Value {
    let replacer =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(|_key: JsValue, value: JsValue| {
            match value.dyn_ref::<js_sys::Error>() {
                Some(error) => {
                    let plain = js_sys::Object::new();
                    // Setting a property on a fresh plain object cannot fail.
                    let _ = js_sys::Reflect::set(&plain, &"name".into(), &error.name().into());
                    let _ =
                        js_sys::Reflect::set(&plain, &"message".into(), &error.message().into());
                    plain.into()
                }
                None => value,
            }
        });
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref());
    match text {
        Ok(text) => match text.as_string() {
            Some(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            // `JSON.stringify(undefined)` (or of a function) returns `undefined`, not a string.
            None => Value::Null,
        },
        Err(error) => {
            let mut note = Map::new();
            note.insert(
                "unserializable".into(),
                Value::String(crate::js_error_message(&error)),
            );
            if let Some(kind) = js_sys::Reflect::get(value, &"type".into())
                .ok()
                .and_then(|t| t.as_string())
            {
                note.insert("type".into(), Value::String(kind));
            }
            Value::Object(note)
        }
    }
}
