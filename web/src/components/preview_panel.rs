//! "Preview your auth module": open the widget for any customer name, the way Airbyte's dashboard
//! lets an operator see what a customer sees.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct PreviewPanelProps {
    pub busy: bool,
    /// Called with the trimmed, non-empty customer name.
    pub on_preview: Callback<String>,
}

#[component]
pub fn PreviewPanel(props: &PreviewPanelProps) -> Html {
    let name = use_state(String::new);
    let hint = use_state(|| false);
    let oninput = {
        let (name, hint) = (name.clone(), hint.clone());
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            name.set(input.value());
            hint.set(false);
        })
    };
    let onsubmit = {
        let (name, hint) = (name.clone(), hint.clone());
        let (on_preview, busy) = (props.on_preview.clone(), props.busy);
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let customer = name.trim();
            if busy {
                // Ignored while a request is in flight (the button is aria-disabled, see below).
            } else if customer.is_empty() {
                hint.set(true);
            } else {
                on_preview.emit(customer.to_owned());
            }
        })
    };
    html! {
        <section class="card" aria-labelledby="preview-title">
            <h2 id="preview-title">{ "Preview your auth module" }</h2>
            <p class="muted">
                { "Open the widget as any customer would see it. The name becomes the customer's Airbyte \
                   workspace, created on first use." }
            </p>
            <form class="preview-form" {onsubmit} novalidate=true>
                <div class="field">
                    <label for="preview-name">{ "Customer name" }</label>
                    <input id="preview-name" type="text" autocomplete="off" spellcheck="false"
                           placeholder="e.g. acme_corp" value={(*name).clone()} {oninput}
                           aria-invalid={hint.to_string()} aria-describedby="preview-hint" />
                </div>
                <button id="preview-button" type="submit" class="button-secondary"
                        aria-disabled={props.busy.to_string()} aria-busy={props.busy.to_string()}>
                    { "Preview" }
                </button>
            </form>
            <p id="preview-hint" class={classes!("field-hint", hint.then_some("field-hint-error"))}>
                { if *hint { "Type a customer name first." } else { "" } }
            </p>
        </section>
    }
}
