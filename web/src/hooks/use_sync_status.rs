//! The replication state of one user's sources (from the mock, through the demo server), polled
//! every few seconds while the page is open and refetched when the user or the source list changes.

use std::collections::HashMap;
use std::rc::Rc;

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::services::{self, SyncStatus};

/// How often the page asks again, in milliseconds.
const POLL_MS: u32 = 3_000;

/// A counter the poll bumps, re-running the fetch effect.
#[derive(Debug, Default, PartialEq)]
struct Tick(u64);

impl Reducible for Tick {
    type Action = ();
    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Self(self.0 + 1))
    }
}

/// Source id → its sync status. Empty before the first answer, on an error, or off the mock.
#[hook]
pub fn use_sync_status(user: String, sources_version: usize) -> Rc<HashMap<String, SyncStatus>> {
    let statuses = use_state_eq(|| Rc::new(HashMap::new()));
    let tick = use_reducer(Tick::default);
    {
        let dispatcher = tick.dispatcher();
        use_effect_with((), move |()| {
            let interval = Interval::new(POLL_MS, move || dispatcher.dispatch(()));
            move || drop(interval)
        });
    }
    let latest = use_mut_ref(|| 0u64);
    {
        let statuses = statuses.clone();
        use_effect_with((user, sources_version, tick.0), move |(user, _, _)| {
            let request = {
                let mut latest = latest.borrow_mut();
                *latest += 1;
                *latest
            };
            let user = user.clone();
            let setter = statuses.setter();
            yew::platform::spawn_local(async move {
                let result = services::sync_status(&user).await;
                if *latest.borrow() != request {
                    return;
                }
                // A failed poll keeps what was shown; the next one tries again.
                if let Ok(list) = result {
                    setter.set(Rc::new(
                        list.into_iter().map(|s| (s.source_id.clone(), s)).collect(),
                    ));
                }
            });
        });
    }
    (*statuses).clone()
}
