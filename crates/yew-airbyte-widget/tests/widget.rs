//! `Widget` and `use_airbyte_widget` against a fake widget class in a real browser: construction
//! errors come back as the widget's messages, events reach the latest callback decoded, and every
//! instance is destroyed when replaced or when the component unmounts (no duplicate events).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use wasm_bindgen_test::*;
use yew::prelude::*;
use yew_airbyte_widget::{
    UseAirbyteWidgetHandle, Widget, WidgetEvent, WidgetState, load_widget_script,
    use_airbyte_widget,
};

use common::{fake_count, fake_emit, fake_tokens, sleep};

wasm_bindgen_test_configure!(run_in_browser);

fn event(value: serde_json::Value) -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn create_error(message: &str) -> wasm_bindgen::JsValue {
    let e = event(json!({"type": "end_user_action_result", "message": "source_create_error"}));
    js_sys::Reflect::set(&e, &"error".into(), &js_sys::Error::new(message)).unwrap();
    e
}

thread_local! {
    static HANDLE: RefCell<Option<UseAirbyteWidgetHandle>> = const { RefCell::new(None) };
    static EVENTS: RefCell<Vec<(&'static str, WidgetEvent)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Properties, PartialEq)]
struct HostProps {
    url: String,
    /// Which callback version is live; events are recorded with it, to prove the latest one is used.
    label: &'static str,
}

#[component]
fn Host(props: &HostProps) -> Html {
    let label = props.label;
    let on_event = Callback::from(move |event: WidgetEvent| {
        EVENTS.with(|events| events.borrow_mut().push((label, event)));
    });
    let widget = use_airbyte_widget(props.url.clone(), on_event);
    HANDLE.with(|handle| *handle.borrow_mut() = Some(widget.clone()));
    html! { <p id="state">{ format!("{:?}", widget.state()) }</p> }
}

fn handle() -> UseAirbyteWidgetHandle {
    HANDLE.with(|handle| handle.borrow().clone().expect("rendered"))
}

fn events() -> Vec<(&'static str, WidgetEvent)> {
    EVENTS.with(|events| events.borrow().clone())
}

#[wasm_bindgen_test]
async fn widget_and_hook_against_a_fake_class() {
    // Before the script: a clear error, not a ReferenceError.
    let error = Widget::new("token", |_| {}).expect_err("no class yet");
    assert!(
        error.contains("window.AirbyteEmbeddedWidget is not defined"),
        "{error}"
    );

    let url = common::fake_widget_url();
    load_widget_script(&url).await.expect("fake loads");

    // --- Widget on its own ---
    assert_eq!(
        Widget::new("", |_| {}).expect_err("empty token"),
        "Token is required to initialize AirbyteEmbeddedWidget"
    );
    let seen = Rc::new(RefCell::new(Vec::new()));
    let widget = {
        let seen = seen.clone();
        Widget::new("tok-w", move |received| {
            seen.borrow_mut().push(received.event)
        })
        .unwrap()
    };
    widget.open().unwrap();
    assert_eq!(widget.update_token(""), Err("Token is required".into()));
    fake_emit(0, &create_error("boom"));
    assert_eq!(
        seen.borrow().as_slice(),
        [WidgetEvent::SourceCreateError {
            message: "boom".into()
        }]
    );
    drop(widget);
    assert_eq!(fake_count("destroyed"), 1, "drop destroys");
    fake_emit(0, &create_error("after destroy"));
    assert_eq!(
        seen.borrow().len(),
        1,
        "a destroyed widget delivers nothing"
    );

    // --- The hook ---
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let mut app = yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps {
            url: url.clone(),
            label: "first",
        },
    )
    .render();
    sleep(20).await;
    assert_eq!(handle().state(), &WidgetState::Ready);

    handle().open("tok-1".into());
    sleep(20).await;
    assert_eq!((fake_count("constructed"), fake_count("opened")), (2, 2));
    assert!(handle().has_widget());

    // Re-render with a new callback: events go to the latest one.
    app.update(HostProps {
        url: url.clone(),
        label: "second",
    });
    sleep(20).await;
    fake_emit(1, &create_error("from tok-1"));
    assert_eq!(
        events(),
        [(
            "second",
            WidgetEvent::SourceCreateError {
                message: "from tok-1".into()
            }
        )]
    );

    // Opening again destroys the previous instance first: its events no longer arrive.
    handle().open("tok-2".into());
    sleep(20).await;
    assert_eq!(fake_count("destroyed"), 2);
    assert_eq!(fake_count("constructed"), 3);
    fake_emit(1, &create_error("stale instance"));
    fake_emit(2, &event(json!({"type": "something_new"})));
    assert_eq!(events().len(), 2, "{:?}", events());
    assert_eq!(
        events()[1].1,
        WidgetEvent::Other(json!({"type": "something_new"}))
    );

    // updateToken reaches the current instance.
    assert_eq!(handle().update_token("tok-2b"), Ok(()));

    // A token the widget rejects: the error state carries its message, and no instance is kept.
    handle().open("bad".into());
    sleep(20).await;
    assert_eq!(
        handle().state(),
        &WidgetState::Error(
            "Failed to decode token: Invalid token format: could not decode base64".into()
        )
    );
    assert_eq!(
        fake_count("destroyed"),
        3,
        "the previous one went away first"
    );
    assert!(!handle().has_widget());
    assert!(handle().update_token("x").is_err());

    // A good token again recovers.
    handle().open("tok-3".into());
    sleep(20).await;
    assert_eq!(handle().state(), &WidgetState::Ready);
    assert_eq!(fake_tokens(), ["tok-w", "tok-1", "tok-2", "tok-3"]);

    // Two opens in a row: only the last one builds a widget.
    handle().open("tok-4".into());
    handle().open("tok-5".into());
    sleep(20).await;
    assert_eq!(fake_tokens().last().map(String::as_str), Some("tok-5"));
    assert!(
        !fake_tokens().contains(&"tok-4".to_owned()),
        "{:?}",
        fake_tokens()
    );
    let constructed = fake_count("constructed");
    assert_eq!(
        fake_count("destroyed"),
        constructed - 1,
        "exactly one instance alive"
    );

    // Unmounting destroys the last instance.
    app.destroy();
    sleep(20).await;
    assert_eq!(
        fake_count("destroyed"),
        constructed,
        "none alive after unmount"
    );
}
