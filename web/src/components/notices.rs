//! The two live regions: `#notification` (role `status`, success) and `#error` (role `alert`).
//! Both are always in the page, empty when there is nothing to say, because screen readers only
//! announce changes to live regions that already existed.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct NoticesProps {
    pub success: Option<String>,
    pub error: Option<String>,
    pub on_dismiss: Callback<()>,
}

#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    let has_any = props.success.is_some() || props.error.is_some();
    let dismiss = {
        let on_dismiss = props.on_dismiss.clone();
        Callback::from(move |_| on_dismiss.emit(()))
    };
    html! {
        <div class="notices">
            <p id="notification" class="notice notice-success" role="status">
                { props.success.clone().unwrap_or_default() }
            </p>
            <p id="error" class="notice notice-error" role="alert">
                { props.error.clone().unwrap_or_default() }
            </p>
            if has_any {
                <button type="button" class="button-link dismiss" onclick={dismiss}>
                    { "Dismiss" }
                </button>
            }
        </div>
    }
}
