//! [`Widget`]: the owner of one `AirbyteEmbeddedWidget` instance and of its `onEvent` closure.
//!
//! Ownership is the point. The real widget (0.4.5) accepts a `message` from any iframe whose origin
//! matches its own widget URL, so every instance left alive reacts to every other instance's events:
//! apps that construct a new widget per click without `destroy()` see each event several times.
//! A `Widget` calls `destroy()` when it is dropped, so holding at most one (as the hook does) rules
//! that out.

use std::fmt;

use wasm_bindgen::prelude::*;

use crate::bindings::AirbyteEmbeddedWidget;
use crate::events::ReceivedEvent;
use crate::js_error_message;
use crate::loader::{WIDGET_GLOBAL, is_widget_loaded};

/// One live widget instance. Its `<dialog>` and iframe are in the page from construction on (the
/// iframe starts its token handshake before [`Widget::open`]); they go away on drop.
pub struct Widget {
    raw: AirbyteEmbeddedWidget,
    // Kept alive as long as the JS instance may call it; see `Drop` for how it is released.
    on_event: Option<Closure<dyn FnMut(JsValue)>>,
}

impl fmt::Debug for Widget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Widget").finish_non_exhaustive()
    }
}

impl Widget {
    /// Constructs `new AirbyteEmbeddedWidget({token, onEvent})`. The script must be loaded
    /// ([`crate::load_widget_script`]). Errors are the widget's own messages, e.g. "Failed to decode
    /// token: Invalid token format: could not decode base64".
    pub fn new(token: &str, on_event: impl FnMut(ReceivedEvent) + 'static) -> Result<Self, String> {
        if !is_widget_loaded() {
            return Err(format!(
                "window.{WIDGET_GLOBAL} is not defined: load the widget script first"
            ));
        }
        let mut on_event = on_event;
        let on_event = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            on_event(ReceivedEvent::from_js(&event));
        });
        let config = js_sys::Object::new();
        // Setting properties on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&config, &"token".into(), &token.into());
        let _ = js_sys::Reflect::set(&config, &"onEvent".into(), on_event.as_ref());
        let raw = AirbyteEmbeddedWidget::new(&config).map_err(|e| js_error_message(&e))?;
        Ok(Self {
            raw,
            on_event: Some(on_event),
        })
    }

    /// Shows the dialog.
    pub fn open(&self) -> Result<(), String> {
        self.raw.open().map_err(|e| js_error_message(&e))
    }

    /// Hands the open iframe a new token (e.g. a refreshed one) without reloading it.
    pub fn update_token(&self, token: &str) -> Result<(), String> {
        self.raw
            .update_token(token)
            .map_err(|e| js_error_message(&e))
    }

    /// The underlying JS object, for calls this crate does not wrap.
    pub fn raw(&self) -> &AirbyteEmbeddedWidget {
        &self.raw
    }

    /// Removes the dialog and stops events. The same as dropping the value.
    pub fn destroy(self) {}
}

impl Drop for Widget {
    fn drop(&mut self) {
        // After this no more events reach the closure: the JS side removed its `message` listener.
        let _ = self.raw.destroy();
        // A widget may be dropped from inside its own `onEvent` (an event handler that re-opens or
        // unmounts). Freeing a wasm-bindgen closure while it runs breaks the JS caller, so the closure
        // is freed on a later turn of the event loop instead.
        if let Some(closure) = self.on_event.take() {
            wasm_bindgen_futures::spawn_local(async move { drop(closure) });
        }
    }
}
