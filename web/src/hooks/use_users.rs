//! The users the picker offers, from `GET /api/users`.

use yew::prelude::*;

use crate::services;

/// The signed-in user before anyone picks another (the example user of Airbyte's embedded docs).
pub const DEFAULT_USER: &str = "user_123";

/// The picker's users. Starts as just [`DEFAULT_USER`] so the page is usable at once; if the server
/// has no user list, that is all it offers.
#[hook]
pub fn use_users() -> Vec<String> {
    let users = use_state(|| vec![DEFAULT_USER.to_owned()]);
    {
        let users = users.setter();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                if let Ok(mut list) = services::list_users().await {
                    if !list.iter().any(|u| u == DEFAULT_USER) {
                        list.insert(0, DEFAULT_USER.to_owned());
                    }
                    list.dedup();
                    users.set(list);
                }
            });
        });
    }
    (*users).clone()
}
