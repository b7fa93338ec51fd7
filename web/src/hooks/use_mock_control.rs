//! The "Mock control" panel's state: whether the server talks to the mock, the live request journal
//! (its backlog, then server-sent events), and the actions: reset, one-shot faults, clearing.

use futures::StreamExt;
use gloo::net::eventsource::futures::EventSource;
use yew::prelude::*;

use crate::journal::{Journal, JournalAction, MAX_JOURNAL};
use crate::services::mock::{self, FaultRule, JOURNAL_STREAM_URL};

/// What a fault button breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultTarget {
    /// The demo server's `POST /api/v1/account/applications/widget-token`.
    WidgetToken,
    /// The widget's `POST /api/v1/embedded/sources`.
    SourceCreate,
}

impl FaultTarget {
    /// The status a one-shot fault answers with.
    pub const STATUS: u16 = 503;

    pub fn rule(self) -> FaultRule {
        match self {
            Self::WidgetToken => FaultRule::one_shot("POST", mock::WIDGET_TOKEN_PATH, Self::STATUS),
            Self::SourceCreate => {
                FaultRule::one_shot("POST", mock::SOURCE_CREATE_PATH, Self::STATUS)
            }
        }
    }
}

/// The last action's outcome, shown under the buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockNotice {
    Done(String),
    Failed(String),
}

/// The journal stream's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState {
    Connecting,
    Live,
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct UseMockControlHandle {
    /// True once the server said it talks to the mock; the panel is hidden otherwise.
    pub enabled: bool,
    pub journal: UseReducerHandle<Journal>,
    pub stream: StreamState,
    pub busy: bool,
    pub notice: Option<MockNotice>,
    pub reset: Callback<()>,
    pub add_fault: Callback<FaultTarget>,
    pub clear_faults: Callback<()>,
    pub clear_journal: Callback<()>,
}

/// `on_reset` runs after a successful reset (the page's lists are stale then).
#[hook]
pub fn use_mock_control(on_reset: Callback<()>) -> UseMockControlHandle {
    let enabled = use_state_eq(|| false);
    let journal = use_reducer(Journal::default);
    let stream = use_state_eq(|| StreamState::Connecting);
    let busy = use_state_eq(|| false);
    let notice = use_state_eq(|| None::<MockNotice>);

    {
        let enabled = enabled.setter();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                enabled.set(mock::mock_enabled().await);
            });
        });
    }

    // While enabled: the stream first (so nothing falls between), then the backlog; the reducer
    // drops duplicates. Unmounting closes the stream.
    {
        let (dispatcher, stream) = (journal.dispatcher(), stream.setter());
        use_effect_with(*enabled, move |enabled| {
            let source = if *enabled {
                open_stream(dispatcher.clone(), stream.clone())
            } else {
                None
            };
            if *enabled {
                yew::platform::spawn_local(async move {
                    match mock::recent_requests(MAX_JOURNAL).await {
                        Ok(entries) => {
                            dispatcher.dispatch(JournalAction::Backlog(entries));
                            stream.set(StreamState::Live);
                        }
                        Err(error) => stream.set(StreamState::Unavailable(format!(
                            "The mock's journal is not available: {error}"
                        ))),
                    }
                });
            }
            move || drop(source)
        });
    }

    let run = {
        let (busy, notice) = (busy.setter(), notice.setter());
        move |work: std::pin::Pin<Box<dyn std::future::Future<Output = MockNotice>>>| {
            busy.set(true);
            notice.set(None);
            let (busy, notice) = (busy.clone(), notice.clone());
            yew::platform::spawn_local(async move {
                notice.set(Some(work.await));
                busy.set(false);
            });
        }
    };

    let reset = {
        let run = run.clone();
        Callback::from(move |()| {
            let on_reset = on_reset.clone();
            run(Box::pin(async move {
                match mock::reset_mock().await {
                    Ok(()) => {
                        on_reset.emit(());
                        MockNotice::Done("The mock is back to its seeded state.".into())
                    }
                    Err(error) => MockNotice::Failed(format!("Reset failed: {error}")),
                }
            }));
        })
    };
    let add_fault = {
        let run = run.clone();
        Callback::from(move |target: FaultTarget| {
            run(Box::pin(async move {
                let rule = target.rule();
                match mock::add_fault(&rule).await {
                    Ok(created) => MockNotice::Done(format!(
                        "The next {} {} answers {} (fault {}).",
                        rule.method,
                        rule.path,
                        rule.status,
                        match &created.id {
                            serde_json::Value::String(id) => id.clone(),
                            id => id.to_string(),
                        }
                    )),
                    Err(error) => MockNotice::Failed(format!("Could not add the fault: {error}")),
                }
            }));
        })
    };
    let clear_faults = {
        let run = run.clone();
        Callback::from(move |()| {
            run(Box::pin(async move {
                match mock::clear_faults().await {
                    Ok(()) => MockNotice::Done("Every fault rule is removed.".into()),
                    Err(error) => {
                        MockNotice::Failed(format!("Could not remove the faults: {error}"))
                    }
                }
            }));
        })
    };
    let clear_journal = {
        let dispatcher = journal.dispatcher();
        Callback::from(move |()| {
            let dispatcher = dispatcher.clone();
            run(Box::pin(async move {
                match mock::clear_requests().await {
                    Ok(()) => {
                        dispatcher.dispatch(JournalAction::Clear);
                        MockNotice::Done("The mock's journal is empty.".into())
                    }
                    Err(error) => {
                        MockNotice::Failed(format!("Could not clear the journal: {error}"))
                    }
                }
            }));
        })
    };

    UseMockControlHandle {
        enabled: *enabled,
        journal,
        stream: (*stream).clone(),
        busy: *busy,
        notice: (*notice).clone(),
        reset,
        add_fault,
        clear_faults,
        clear_journal,
    }
}

/// Subscribes to the journal's `request` events; the returned source closes the stream when
/// dropped (and then the reading task ends).
fn open_stream(
    dispatcher: UseReducerDispatcher<Journal>,
    stream: UseStateSetter<StreamState>,
) -> Option<EventSource> {
    let opened = EventSource::new(JOURNAL_STREAM_URL).and_then(|mut source| {
        let events = source.subscribe("request")?;
        Ok((source, events))
    });
    let (source, mut events) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            stream.set(StreamState::Unavailable(format!(
                "The journal stream did not open: {error}"
            )));
            return None;
        }
    };
    yew::platform::spawn_local(async move {
        while let Some(event) = events.next().await {
            match event {
                Ok((_, message)) => {
                    if let Some(entry) = message
                        .data()
                        .as_string()
                        .as_deref()
                        .and_then(mock::parse_entry)
                    {
                        dispatcher.dispatch(JournalAction::Arrived(Box::new(entry)));
                        stream.set(StreamState::Live);
                    }
                }
                // Closed for good (reconnection attempts do not end up here).
                Err(_) => {
                    stream.set(StreamState::Unavailable(
                        "The journal stream closed; reload the page to reconnect.".into(),
                    ));
                    break;
                }
            }
        }
    });
    Some(source)
}
