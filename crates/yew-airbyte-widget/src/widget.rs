//! [`Widget`]: the owner of one `AirbyteEmbeddedWidget` instance and of its `onEvent` closure.
//!
//! Ownership is the point. The real widget (0.4.5) accepts a `message` from any iframe whose origin
//! matches its own widget URL, so every instance left alive reacts to every other instance's events:
//! apps that construct a new widget per click without `destroy()` see each event several times.
//! A `Widget` calls `destroy()` when it is dropped, so holding at most one (as the hook does) rules
//! that out.
//!
//! It also does the host's part of accessibility, which the widget leaves to the page embedding it:
//! a `title` on the iframe, the keyboard focus moved into the module page when the dialog opens, and
//! the focus given back to the element that opened it when the dialog closes (Escape, the module's X,
//! a `CLOSE_DIALOG`). Any host of the real widget has to do the same.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::bindings::AirbyteEmbeddedWidget;
use crate::events::ReceivedEvent;
use crate::js_error_message;
use crate::loader::{WIDGET_GLOBAL, is_widget_loaded};

/// The accessible name [`Widget::new`] gives the widget's iframe (see [`Widget::set_frame_title`]).
pub const FRAME_TITLE: &str = "Airbyte: connect your data";

/// A DOM event listener this crate added: its target, the event name and the callback.
type Listener = (web_sys::EventTarget, &'static str, Closure<dyn FnMut()>);

/// One live widget instance. Its `<dialog>` and iframe are in the page from construction on (the
/// iframe starts its token handshake before [`Widget::open`]); they go away on drop.
pub struct Widget {
    raw: AirbyteEmbeddedWidget,
    // Kept alive as long as the JS instance may call it; see `Drop` for how it is released.
    on_event: Option<Closure<dyn FnMut(JsValue)>>,
    // DOM listeners for the focus handling (the dialog's `close`, the iframe's `load`): removed on
    // drop, their closures released like `on_event`.
    listeners: Vec<Listener>,
    // What had the focus when `open` was called.
    opener: Rc<RefCell<Option<web_sys::HtmlElement>>>,
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
        let opener = Rc::new(RefCell::new(None::<web_sys::HtmlElement>));
        let on_close = {
            let opener = Rc::clone(&opener);
            Closure::<dyn FnMut()>::new(move || {
                // The browser's own focus restoration does not happen when the focus was inside the
                // (cross-origin) iframe: it stays on the iframe of a closed dialog. Hand it back.
                let opener = opener.borrow_mut().take();
                if let Some(opener) = opener.filter(|o| o.is_connected()) {
                    let _ = opener.focus();
                }
            })
        };
        let iframe = property::<web_sys::HtmlIFrameElement>(&raw, "iframe");
        // The iframe starts on about:blank and navigates to the module page, which loses the focus
        // `open` put in the frame when both happen in one go (the usual case): put it back once the
        // page has loaded, unless the user has moved on.
        let on_load = {
            let iframe = iframe.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(iframe) = &iframe
                    && iframe_has_host_focus(iframe)
                {
                    focus_frame(iframe);
                }
            })
        };
        let mut listeners = Vec::new();
        let targets = [
            (
                property::<web_sys::EventTarget>(&raw, "dialog"),
                "close",
                on_close,
            ),
            (iframe.map(Into::into), "load", on_load),
        ];
        for (target, name, closure) in targets {
            if let Some(target) = target
                && target
                    .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
                    .is_ok()
            {
                listeners.push((target, name, closure));
            }
        }
        let widget = Self {
            raw,
            on_event: Some(on_event),
            listeners,
            opener,
        };
        widget.set_frame_title(FRAME_TITLE);
        Ok(widget)
    }

    /// Names the widget's iframe for assistive technology (`title`). The widget (0.4.5) creates its
    /// iframe without a `title`, which leaves screen readers announcing a nameless frame (axe
    /// `frame-title`, WCAG 4.1.2); naming it is the host's job. [`Widget::new`] already sets
    /// [`FRAME_TITLE`]; call this for another text (e.g. a translated one). Returns false when the
    /// instance exposes no iframe (a widget version without the `iframe` property).
    pub fn set_frame_title(&self, title: &str) -> bool {
        property::<web_sys::Element>(&self.raw, "iframe")
            .is_some_and(|iframe| iframe.set_attribute("title", title).is_ok())
    }

    /// Shows the dialog and puts the keyboard focus in the module page. The element that had the
    /// focus gets it back when the dialog closes.
    pub fn open(&self) -> Result<(), String> {
        let focused = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        let iframe = property::<web_sys::HtmlIFrameElement>(&self.raw, "iframe");
        // Not the body (nothing to give back) and not the widget's own iframe (a second `open`).
        let opener = focused.filter(|e| {
            e.tag_name() != "BODY" && iframe.as_ref().is_none_or(|f| !f.is_same_node(Some(e)))
        });
        self.raw.open().map_err(|e| js_error_message(&e))?;
        *self.opener.borrow_mut() = opener;
        // `showModal()` focuses the iframe element but not the page inside it, so the first Tab
        // would leave for the browser's own UI. Focusing the frame's window puts the keyboard in
        // the module page: Tab reaches its first control.
        if let Some(iframe) = iframe {
            focus_frame(&iframe);
        }
        Ok(())
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
        for (target, name, closure) in &self.listeners {
            let _ =
                target.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        // After this no more events reach the closure: the JS side removed its `message` listener.
        let _ = self.raw.destroy();
        // A widget may be dropped from inside its own `onEvent` (an event handler that re-opens or
        // unmounts). Freeing a wasm-bindgen closure while it runs breaks the JS caller, so the closure
        // is freed on a later turn of the event loop instead.
        if let Some(closure) = self.on_event.take() {
            wasm_bindgen_futures::spawn_local(async move { drop(closure) });
        }
        let listeners = std::mem::take(&mut self.listeners);
        if !listeners.is_empty() {
            wasm_bindgen_futures::spawn_local(async move { drop(listeners) });
        }
    }
}

/// A DOM property of the widget instance, if it is there and of type `T`. `iframe` and `dialog` are
/// (TypeScript-private) properties of the real 0.4.5 class; they exist at run time, and this crate
/// degrades to doing nothing where a widget version lacks them.
fn property<T: JsCast>(raw: &AirbyteEmbeddedWidget, name: &str) -> Option<T> {
    js_sys::Reflect::get(raw.as_ref(), &name.into())
        .ok()
        .and_then(|value| value.dyn_into::<T>().ok())
}

/// Puts the keyboard focus in the page inside `iframe` (its window; cross-origin is allowed).
fn focus_frame(iframe: &web_sys::HtmlIFrameElement) {
    if let Some(window) = iframe.content_window() {
        let _ = window.focus();
    }
}

/// True when the host document's focus is on `iframe` (the dialog put it there, nobody moved it).
fn iframe_has_host_focus(iframe: &web_sys::HtmlIFrameElement) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|e| iframe.is_same_node(Some(&e)))
}
