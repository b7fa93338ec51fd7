//! Helpers shared by the browser tests: scripts served as `blob:` URLs (same origin, so the test
//! runner's cross-origin isolation headers do not block them) and a fake `AirbyteEmbeddedWidget` that
//! records what is done to it.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A `blob:` URL serving `source` as JavaScript. Every call gives a new URL.
pub fn script_url(source: &str) -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(source));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("blob");
    web_sys::Url::create_object_url_with_blob(&blob).expect("object url")
}

/// A stand-in for the widget with the real one's API and constructor errors. It counts calls in
/// `window.__fake` and keeps every instance there; `instance.emit(event)` plays the iframe posting an
/// event (ignored once the instance is destroyed, as the real one removes its listener).
pub const FAKE_WIDGET: &str = r#"
window.__fake = { constructed: 0, opened: 0, destroyed: 0, tokens: [], instances: [] };
window.AirbyteEmbeddedWidget = class {
  constructor(config) {
    if (!config || !config.token) throw new Error("Token is required to initialize AirbyteEmbeddedWidget");
    if (config.token === "bad") throw new Error("Failed to decode token: Invalid token format: could not decode base64");
    this.config = config; this.alive = true;
    window.__fake.constructed++; window.__fake.tokens.push(config.token); window.__fake.instances.push(this);
  }
  open() { window.__fake.opened++; }
  updateToken(token) { if (!token) throw new Error("Token is required"); this.config.token = token; }
  destroy() { if (this.alive) { this.alive = false; window.__fake.destroyed++; } }
  emit(event) { if (this.alive && this.config.onEvent) this.config.onEvent(event); }
};
"#;

pub fn fake_widget_url() -> String {
    script_url(FAKE_WIDGET)
}

/// How many `<script>` tags the loader injected for `url`.
pub fn injected_scripts(url: &str) -> usize {
    let document = web_sys::window().unwrap().document().unwrap();
    let scripts = document
        .query_selector_all("script[data-airbyte-widget-loader]")
        .unwrap();
    (0..scripts.length())
        .filter_map(|i| scripts.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .filter(|element| element.get_attribute("src").as_deref() == Some(url))
        .count()
}

fn fake() -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &"__fake".into()).expect("window.__fake")
}

/// A counter of the fake (`constructed`, `opened`, `destroyed`).
pub fn fake_count(name: &str) -> u32 {
    js_sys::Reflect::get(&fake(), &name.into())
        .unwrap()
        .as_f64()
        .expect("a number") as u32
}

/// The tokens the fake was constructed with, in order.
pub fn fake_tokens() -> Vec<String> {
    let tokens: js_sys::Array = js_sys::Reflect::get(&fake(), &"tokens".into())
        .unwrap()
        .unchecked_into();
    tokens.iter().filter_map(|t| t.as_string()).collect()
}

/// Makes fake instance `index` post `event` to its `onEvent`.
pub fn fake_emit(index: u32, event: &JsValue) {
    let instances: js_sys::Array = js_sys::Reflect::get(&fake(), &"instances".into())
        .unwrap()
        .unchecked_into();
    let instance = instances.get(index);
    let emit: js_sys::Function = js_sys::Reflect::get(&instance, &"emit".into())
        .unwrap()
        .unchecked_into();
    emit.call1(&instance, event).expect("emit");
}

/// Waits `ms` milliseconds (lets spawned tasks and Yew renders run).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}
