//! The top bar: the app's name, whether it runs against the mock, and the "signed in" user picker.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct HeaderProps {
    /// True when the server talks to the offline mock.
    pub mock: bool,
    pub users: Vec<String>,
    pub user: String,
    pub on_user_change: Callback<String>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let onchange = {
        let on_user_change = props.on_user_change.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            on_user_change.emit(select.value());
        })
    };
    let (badge_class, badge_text, badge_title) = if props.mock {
        (
            "badge badge-mock",
            "Offline mock",
            "The server talks to the local Airbyte mock",
        )
    } else {
        (
            "badge badge-live",
            "Airbyte API",
            "The server talks to a real Airbyte API",
        )
    };
    html! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                <div class="brand-text">
                    <span class="brand-name">{ "Airbyte Embedded" }</span>
                    <span class="brand-sub">{ "Rust + Yew demo" }</span>
                </div>
                <span class={badge_class} title={badge_title}>{ badge_text }</span>
            </div>
            <div class="signed-in">
                <label for="user-picker">{ "Signed in as" }</label>
                <select id="user-picker" {onchange}>
                    { for props.users.iter().map(|user| html! {
                        <option value={user.clone()} selected={*user == props.user}>{ user }</option>
                    }) }
                </select>
            </div>
        </header>
    }
}
