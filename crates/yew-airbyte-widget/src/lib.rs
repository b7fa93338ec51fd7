//! Yew bindings for the Airbyte Embedded widget ("authentication module").
//!
//! The widget is a plain browser script that defines `window.AirbyteEmbeddedWidget`
//! (`new AirbyteEmbeddedWidget({token, onEvent})`, `open()`, `updateToken(token)`, `destroy()`).
//! This crate wraps it for Yew apps:
//!
//! | module | what it is for |
//! |---|---|
//! | [`bindings`] | the raw wasm-bindgen imports of the JS class, nothing else |
//! | [`events`] | turning the JS event object into JSON and a typed [`WidgetEvent`] |
//! | [`loader`] | injecting the widget's `<script>` once per URL and waiting for it |
//! | [`widget`] | [`Widget`], a safe owner of one JS instance (destroyed on drop) |
//! | [`hook`] | [`use_airbyte_widget`], the hook a component uses |
//!
//! ```no_run
//! use yew::prelude::*;
//! use yew_airbyte_widget::{use_airbyte_widget, WidgetEvent, WidgetState};
//!
//! #[derive(Properties, PartialEq)]
//! struct ConnectProps {
//!     script_url: String,
//!     /// A widget token your backend minted for the signed-in user.
//!     token: String,
//! }
//!
//! #[component]
//! fn Connect(props: &ConnectProps) -> Html {
//!     let connected = use_state(|| None::<String>);
//!     let on_event = {
//!         let connected = connected.clone();
//!         Callback::from(move |event: WidgetEvent| {
//!             if let WidgetEvent::SourceCreated(source) = event {
//!                 connected.set(Some(source.name));
//!             }
//!         })
//!     };
//!     let widget = use_airbyte_widget(props.script_url.clone(), on_event);
//!     let onclick = {
//!         let (widget, token) = (widget.clone(), props.token.clone());
//!         Callback::from(move |_| widget.open(token.clone()))
//!     };
//!     html! {
//!         <>
//!             <button {onclick} disabled={*widget.state() == WidgetState::Loading}>
//!                 { "Connect your data" }
//!             </button>
//!             if let WidgetState::Error(message) = widget.state() {
//!                 <p role="alert">{ message }</p>
//!             }
//!             if let Some(name) = &*connected {
//!                 <p role="status">{ format!("Connected {name}") }</p>
//!             }
//!         </>
//!     }
//! }
//! ```
//!
//! Everything here needs a browser: on other targets the crate compiles (so a workspace-wide
//! `cargo test` builds it) but calling into JS panics.

pub mod bindings;
pub mod events;
pub mod hook;
pub mod loader;
pub mod widget;

pub use airbyte_embedded::{SourceRead, WidgetEvent};
pub use events::{ReceivedEvent, decode_event, event_to_json};
pub use hook::{UseAirbyteWidgetHandle, WidgetState, use_airbyte_widget, use_airbyte_widget_raw};
pub use loader::{is_widget_loaded, load_widget_script};
pub use widget::{FRAME_TITLE, Widget};

use wasm_bindgen::{JsCast, JsValue};

/// The text of a thrown JS value: an `Error`'s `message`, a thrown string as is, anything else
/// debug-printed. The widget throws `Error`s whose message is the whole explanation
/// ("Token is required to initialize AirbyteEmbeddedWidget", "Failed to decode token: ..."), so
/// callers get exactly that text.
pub fn js_error_message(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    if let Some(text) = error.as_string() {
        return text;
    }
    format!("{error:?}")
}
