//! The script loader in a real browser: a failing URL is an error and is retried, a good one is
//! injected once however many callers wait for it. One test on purpose: the loaded class is a page
//! global, so the steps only make sense in this order (each test file runs in its own page).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

mod common;

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use yew_airbyte_widget::{is_widget_loaded, load_widget_script};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn loads_once_per_url_and_reports_failures() {
    assert!(!is_widget_loaded(), "a fresh page has no widget class");

    // A URL that 404s: an error naming the URL, and the failed tag is removed.
    let missing = "/definitely-not-here/widget.js";
    let error = load_widget_script(missing)
        .await
        .expect_err("404 must fail");
    assert!(error.contains(missing), "{error}");
    assert_eq!(
        common::injected_scripts(missing),
        0,
        "a failed tag is removed"
    );
    // ...so the next call tries again (and fails again, with a tag of its own).
    assert!(load_widget_script(missing).await.is_err());

    // A script that runs but defines nothing.
    let empty = common::script_url("window.__notTheWidget = true;");
    let error = load_widget_script(&empty)
        .await
        .expect_err("no class, no success");
    assert!(
        error.contains("did not define window.AirbyteEmbeddedWidget"),
        "{error}"
    );

    // The fake widget, asked for by three callers at once: one tag, three successes. Each call is its
    // own task, so all three are waiting before the script arrives.
    let url = common::fake_widget_url();
    let waiting: Vec<js_sys::Promise> = (0..3)
        .map(|_| {
            let url = url.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                load_widget_script(&url)
                    .await
                    .map(|()| JsValue::UNDEFINED)
                    .map_err(|e| JsValue::from_str(&e))
            })
        })
        .collect();
    for promise in waiting {
        JsFuture::from(promise)
            .await
            .expect("every caller succeeds");
    }
    assert!(is_widget_loaded());
    assert_eq!(common::injected_scripts(&url), 1, "one <script> per URL");

    // Once the class exists, any URL resolves at once without injecting anything.
    assert_eq!(load_widget_script("/never-fetched.js").await, Ok(()));
    assert_eq!(common::injected_scripts("/never-fetched.js"), 0);
}
