//! The raw wasm-bindgen imports of `window.AirbyteEmbeddedWidget` (widget 0.4.x API), and nothing more.
//!
//! Every call is imported with `catch`, because the widget reports bad input by throwing: the
//! constructor on a missing or undecodable token, `updateToken` likewise, and `open()` when the
//! `<dialog>` cannot be shown. Prefer [`crate::Widget`], which owns an instance and destroys it.
//!
//! The class is looked up as a global at call time (wasm-bindgen emits `new AirbyteEmbeddedWidget(..)`
//! in its JS glue), so the imports work even though the script is injected after the app starts;
//! call [`crate::is_widget_loaded`] first to get a clear error instead of a `ReferenceError`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// One widget instance: a `<dialog>` with the authentication-module iframe, already in the page.
    #[derive(Debug, Clone)]
    pub type AirbyteEmbeddedWidget;

    /// `new AirbyteEmbeddedWidget({token, onEvent})`. `config` must carry `token` (string) and may
    /// carry `onEvent` (a function taking the event object).
    #[wasm_bindgen(constructor, catch)]
    pub fn new(config: &js_sys::Object) -> Result<AirbyteEmbeddedWidget, JsValue>;

    /// `widget.open()`: shows the dialog modally.
    #[wasm_bindgen(method, catch)]
    pub fn open(this: &AirbyteEmbeddedWidget) -> Result<(), JsValue>;

    /// `widget.updateToken(token)`: pushes a new scoped token to the iframe without reloading it.
    #[wasm_bindgen(method, catch, js_name = updateToken)]
    pub fn update_token(this: &AirbyteEmbeddedWidget, token: &str) -> Result<(), JsValue>;

    /// `widget.destroy()`: removes the dialog and the window `message` listener.
    #[wasm_bindgen(method, catch)]
    pub fn destroy(this: &AirbyteEmbeddedWidget) -> Result<(), JsValue>;
}
