//! The main call to action: "Connect your data" opens the widget for the signed-in user.

use yew::prelude::*;
use yew_airbyte_widget::WidgetState;

#[derive(Debug, Properties, PartialEq)]
pub struct ConnectPanelProps {
    pub user: String,
    /// A token request for this button is in flight.
    pub busy: bool,
    pub widget_state: WidgetState,
    pub on_connect: Callback<()>,
    pub children: Html,
}

#[component]
pub fn ConnectPanel(props: &ConnectPanelProps) -> Html {
    let onclick = {
        let (on_connect, busy) = (props.on_connect.clone(), props.busy);
        Callback::from(move |_| {
            if !busy {
                on_connect.emit(());
            }
        })
    };
    let status = if props.busy {
        "Getting a widget token…"
    } else {
        match props.widget_state {
            WidgetState::Loading => "Loading the authentication module…",
            WidgetState::Ready => "",
            WidgetState::Error(_) => "The last attempt failed; try again.",
        }
    };
    html! {
        <section class="card hero" aria-labelledby="connect-title">
            <h1 id="connect-title">{ "Connect your data" }</h1>
            <p class="lede">
                { "Link a data source to " }<strong>{ &props.user }</strong>
                { "'s workspace. The server swaps its client credentials for a short-lived widget token, \
                   and the Airbyte authentication module opens in a dialog." }
            </p>
            <div class="actions">
                // aria-disabled, not disabled: a disabled button drops the keyboard focus, and the
                // widget's <dialog> then has nothing to give it back to when it closes.
                <button id="connect-button" type="button" class="button-primary" {onclick}
                        aria-disabled={props.busy.to_string()} aria-busy={props.busy.to_string()}>
                    { "Connect your data" }
                </button>
                <span class="status-text" aria-live="polite">{ status }</span>
            </div>
            { props.children.clone() }
        </section>
    }
}
