//! Loading the widget's script: one `<script src=url>` per URL, however many components ask.
//!
//! Each URL gets one JS `Promise`, kept in a per-thread map. A JS promise can be awaited any number of
//! times, so it is the shared future: the first caller injects the tag, every later or concurrent
//! caller awaits the same promise. The promise resolves when the script has run and
//! `window.AirbyteEmbeddedWidget` exists; it rejects when the script fails to load or does not
//! define the class. A failed load is forgotten (entry and tag removed), so the next call retries:
//! a demo server started after the page, or a flaky network, should not need a page reload.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js_error_message;

/// The global the widget script defines.
pub const WIDGET_GLOBAL: &str = "AirbyteEmbeddedWidget";

/// Marks the tags this crate injects (useful in devtools and tests).
const SCRIPT_MARKER: &str = "data-airbyte-widget-loader";

thread_local! {
    // wasm in the browser is single-threaded, so a thread-local is the page-wide registry.
    static LOADS: RefCell<HashMap<String, js_sys::Promise>> = RefCell::new(HashMap::new());
}

/// True when `window.AirbyteEmbeddedWidget` is a constructor, i.e. some script already defined it.
pub fn is_widget_loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &WIDGET_GLOBAL.into())
        .map(|class| class.is_function())
        .unwrap_or(false)
}

/// Makes sure the widget script from `url` has run. Resolves at once when the class already exists
/// (e.g. the page included the script itself); otherwise injects `<script src=url>` once per URL and
/// waits for it. The error is a sentence for people ("could not load the widget script from ...").
pub async fn load_widget_script(url: &str) -> Result<(), String> {
    if is_widget_loaded() {
        return Ok(());
    }
    let promise = LOADS.with(|loads| {
        let mut loads = loads.borrow_mut();
        if let Some(promise) = loads.get(url) {
            return Ok(promise.clone());
        }
        let promise = inject(url)?;
        loads.insert(url.to_owned(), promise.clone());
        Ok::<_, String>(promise)
    })?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|error| js_error_message(&error))
}

/// Appends the script tag and returns the promise that settles with its load.
fn inject(url: &str) -> Result<js_sys::Promise, String> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document: the widget needs a browser page")?;
    let script: web_sys::HtmlScriptElement = document
        .create_element("script")
        .map_err(|e| js_error_message(&e))?
        .unchecked_into();
    script.set_src(url);
    script.set_async(true);
    let _ = script.set_attribute(SCRIPT_MARKER, "");

    let mut setup_error = None;
    let promise =
        js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
            let on_load = {
                let (url, script, reject) = (url.to_owned(), script.clone(), reject.clone());
                move || {
                    if is_widget_loaded() {
                        let _ = resolve.call0(&JsValue::UNDEFINED);
                    } else {
                        forget_failed(&url, &script);
                        let message = format!(
                            "the script at {url} loaded but did not define window.{WIDGET_GLOBAL}"
                        );
                        let _ = reject.call1(&JsValue::UNDEFINED, &js_sys::Error::new(&message));
                    }
                }
            };
            let on_error = {
                let (url, script) = (url.to_owned(), script.clone());
                move || {
                    forget_failed(&url, &script);
                    let message = format!("could not load the widget script from {url}");
                    let _ = reject.call1(&JsValue::UNDEFINED, &js_sys::Error::new(&message));
                }
            };
            // `once_into_js` frees each closure when it runs. Only one of the two ever runs, so the other
            // stays allocated: a few bytes once per URL, cheaper than the bookkeeping to free it.
            script.set_onload(Some(Closure::once_into_js(on_load).unchecked_ref()));
            script.set_onerror(Some(Closure::once_into_js(on_error).unchecked_ref()));
            let parent: Option<web_sys::Node> = document
                .head()
                .map(Into::into)
                .or_else(|| document.body().map(Into::into));
            let appended = match parent {
                Some(parent) => parent.append_child(&script).map(|_| ()),
                None => Err(js_sys::Error::new("the page has neither <head> nor <body>").into()),
            };
            if let Err(error) = appended {
                setup_error = Some(js_error_message(&error));
            }
        });
    match setup_error {
        Some(error) => Err(error),
        None => Ok(promise),
    }
}

/// Drops a failed load so the next [`load_widget_script`] call injects a fresh tag.
fn forget_failed(url: &str, script: &web_sys::HtmlScriptElement) {
    script.remove();
    LOADS.with(|loads| {
        loads.borrow_mut().remove(url);
    });
}
