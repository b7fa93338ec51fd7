//! The host's share of accessibility, which `Widget` does for the real widget: against a fake class
//! that builds the real one's `<dialog>` + `<iframe>` (no `title`, `open()` = `showModal()`), the
//! iframe gets a title, and the element that opened the widget has the focus after the dialog closes.
//! (Here, with a same-origin iframe, Chromium restores the focus by itself too; the case that needs
//! `Widget`, the focus inside the cross-origin module page, is e2e/a11y.test.mjs's keyboard walk.)
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

mod common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew_airbyte_widget::{FRAME_TITLE, Widget, load_widget_script};

use common::{script_url, sleep};

wasm_bindgen_test_configure!(run_in_browser);

/// The real widget's DOM, as far as focus and naming go: `this.dialog`, `this.iframe` (no title),
/// appended at construction, `showModal()` on open, removed on destroy.
const DIALOG_WIDGET: &str = r#"
window.AirbyteEmbeddedWidget = class {
  constructor(config) {
    if (!config || !config.token) throw new Error("Token is required to initialize AirbyteEmbeddedWidget");
    this.dialog = document.createElement("dialog");
    this.dialog.setAttribute("aria-label", "Airbyte Widget");
    this.iframe = document.createElement("iframe");
    this.dialog.appendChild(this.iframe);
    document.body.appendChild(this.dialog);
  }
  open() { this.dialog.showModal(); }
  updateToken() {}
  destroy() { this.dialog.remove(); }
};
"#;

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn active_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn titles_the_iframe_and_gives_the_focus_back_on_close() {
    load_widget_script(&script_url(DIALOG_WIDGET))
        .await
        .expect("fake loads");
    let opener: web_sys::HtmlElement = document()
        .create_element("button")
        .unwrap()
        .unchecked_into();
    opener.set_id("opener");
    document().body().unwrap().append_child(&opener).unwrap();
    opener.focus().unwrap();
    assert_eq!(active_id(), "opener");

    let widget = Widget::new("tok", |_| {}).unwrap();
    let iframe = document().query_selector("dialog iframe").unwrap().unwrap();
    assert_eq!(iframe.get_attribute("title").as_deref(), Some(FRAME_TITLE));
    assert!(widget.set_frame_title("Connect Stripe"));
    assert_eq!(
        iframe.get_attribute("title").as_deref(),
        Some("Connect Stripe")
    );

    widget.open().unwrap();
    let dialog: web_sys::HtmlDialogElement = document()
        .query_selector("dialog")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(dialog.open());
    assert_ne!(active_id(), "opener", "the modal dialog took the focus");

    // Closed with the focus moved off the dialog: the opener has it again.
    if let Some(active) = document().active_element() {
        active
            .unchecked_into::<web_sys::HtmlElement>()
            .blur()
            .unwrap();
    }
    dialog.close();
    sleep(20).await;
    assert_eq!(active_id(), "opener", "the focus is back on the opener");

    // Dropping removes the dialog; a later close of nothing does not matter.
    drop(widget);
    sleep(20).await;
    assert!(document().query_selector("dialog").unwrap().is_none());
}
