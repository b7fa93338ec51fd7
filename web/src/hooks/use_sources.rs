//! The connected sources of one user, refetched when the user changes or on request (after the
//! widget reports a created or updated source).

use std::rc::Rc;

use airbyte_embedded::SourceListItem;
use yew::prelude::*;

use crate::services;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourcesState {
    /// Whose sources these are.
    pub user: String,
    /// The last list fetched for `user`; `None` before the first answer.
    pub items: Option<Rc<Vec<SourceListItem>>>,
    pub loading: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UseSourcesHandle {
    pub state: SourcesState,
    /// Fetches the list again.
    pub refresh: Callback<()>,
}

/// A counter whose changes re-run the fetch effect.
#[derive(Debug, Default, PartialEq)]
struct Generation(u64);

impl Reducible for Generation {
    type Action = ();
    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Self(self.0 + 1))
    }
}

#[hook]
pub fn use_sources(user: String) -> UseSourcesHandle {
    let state = use_state_eq(SourcesState::default);
    let generation = use_reducer(Generation::default);
    // The newest request; answers to older ones (a user switched mid-flight) are dropped.
    let latest = use_mut_ref(|| 0u64);
    {
        let state = state.clone();
        use_effect_with((user, generation.0), move |(user, _generation)| {
            let request = {
                let mut latest = latest.borrow_mut();
                *latest += 1;
                *latest
            };
            let same_user = state.user == *user;
            // Keep the old list on a refresh (no flicker); a different user starts empty.
            state.set(SourcesState {
                user: user.clone(),
                items: if same_user { state.items.clone() } else { None },
                loading: true,
                error: None,
            });
            let user = user.clone();
            let items = if same_user { state.items.clone() } else { None };
            let setter = state.setter();
            yew::platform::spawn_local(async move {
                let result = services::list_sources(&user).await;
                if *latest.borrow() != request {
                    return;
                }
                setter.set(match result {
                    Ok(list) => SourcesState {
                        user,
                        items: Some(Rc::new(list)),
                        loading: false,
                        error: None,
                    },
                    Err(error) => SourcesState {
                        user,
                        items,
                        loading: false,
                        error: Some(error.message),
                    },
                });
            });
        });
    }
    let refresh = {
        let dispatcher = generation.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(()))
    };
    UseSourcesHandle {
        state: (*state).clone(),
        refresh,
    }
}
