//! The page: [`App`] fetches the configuration, [`Workbench`] wires the widget, the user, the
//! notices, the sources list and the event log together.

use std::rc::Rc;

use yew::prelude::*;
use yew_airbyte_widget::{ReceivedEvent, WidgetEvent, WidgetState, use_airbyte_widget_raw};

use crate::components::{
    ConnectPanel, EventLogPanel, Header, MockControlPanel, Notices, PreviewPanel, SourcesList,
};
use crate::event_log::{EventLog, LogAction, LogEntry};
use crate::format::clock_time;
use crate::hooks::{DEFAULT_USER, use_mock_control, use_sources, use_sync_status, use_users};
use crate::services::{self, AppConfig};

/// The texts the onboarding guide promises.
pub const CONNECTED_TEXT: &str = "Data source connected successfully!";
pub const UPDATED_TEXT: &str = "Data source updated successfully!";

#[derive(Debug, Clone, PartialEq)]
enum Config {
    Loading,
    Loaded(Rc<AppConfig>),
    Failed(String),
}

#[component]
pub fn App() -> Html {
    let config = use_state(|| Config::Loading);
    let attempt = use_state(|| 0u32);
    {
        let config = config.setter();
        use_effect_with(*attempt, move |_| {
            yew::platform::spawn_local(async move {
                config.set(match services::get_config().await {
                    Ok(loaded) => Config::Loaded(Rc::new(loaded)),
                    Err(error) => Config::Failed(error.message),
                });
            });
        });
    }
    match &*config {
        Config::Loaded(config) => html! { <Workbench config={Rc::clone(config)} /> },
        Config::Loading => html! {
            <main class="boot" aria-busy="true"><p class="muted">{ "Loading the demo…" }</p></main>
        },
        Config::Failed(error) => {
            let retry = {
                let (config, attempt) = (config.clone(), attempt.clone());
                Callback::from(move |_| {
                    config.set(Config::Loading);
                    attempt.set(*attempt + 1);
                })
            };
            html! {
                <main class="boot">
                    <div class="card">
                        <h1>{ "The demo server is not reachable" }</h1>
                        <p id="error" class="notice notice-error" role="alert">
                            { format!("Could not load /api/config: {error}") }
                        </p>
                        <button type="button" class="button-primary" onclick={retry}>{ "Try again" }</button>
                    </div>
                </main>
            }
        }
    }
}

/// Which button asked for the token in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Connect,
    Preview,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Banner {
    None,
    Success(String),
    Error(String),
}

#[derive(Debug, Properties, PartialEq)]
pub struct WorkbenchProps {
    pub config: Rc<AppConfig>,
}

#[component]
pub fn Workbench(props: &WorkbenchProps) -> Html {
    let config = &props.config;
    let users = use_users();
    let user = use_state(|| DEFAULT_USER.to_owned());
    let banner = use_state_eq(|| Banner::None);
    let busy = use_state_eq(|| None::<Purpose>);
    let log = use_reducer(EventLog::default);
    let sources = use_sources((*user).clone());
    let sync = use_sync_status(
        (*user).clone(),
        sources.state.items.as_ref().map_or(0, |items| items.len()),
    );
    // Shown only when the server talks to the mock; a reset empties the sources list.
    let mock_control = use_mock_control(sources.refresh.clone());
    // The customer the open widget belongs to, for the log (the signed-in user or a previewed name).
    let widget_owner = use_mut_ref(String::new);

    let on_event = {
        let (log, banner, refresh) = (log.dispatcher(), banner.setter(), sources.refresh.clone());
        let widget_owner = widget_owner.clone();
        Callback::from(move |received: ReceivedEvent| {
            let customer = widget_owner.borrow().clone();
            log.dispatch(LogAction::Push(LogEntry::new(
                &received,
                &customer,
                clock_time(),
            )));
            match received.event {
                WidgetEvent::SourceCreated(_) => {
                    banner.set(Banner::Success(CONNECTED_TEXT.into()));
                    refresh.emit(());
                }
                WidgetEvent::SourceUpdated(_) => {
                    banner.set(Banner::Success(UPDATED_TEXT.into()));
                    refresh.emit(());
                }
                WidgetEvent::SourceCreateError { message }
                | WidgetEvent::SourceUpdateError { message } => banner.set(Banner::Error(message)),
                WidgetEvent::Other(_) => {}
            }
        })
    };
    let widget = use_airbyte_widget_raw(config.widget_script_url.clone(), on_event);

    // Token first (from our server, which holds the secret), then the widget.
    let open_for = {
        let (widget, banner, busy) = (widget.clone(), banner.setter(), busy.setter());
        Callback::from(move |(customer, purpose): (String, Purpose)| {
            banner.set(Banner::None);
            busy.set(Some(purpose));
            let (widget, banner, busy) = (widget.clone(), banner.clone(), busy.clone());
            let widget_owner = widget_owner.clone();
            yew::platform::spawn_local(async move {
                match services::create_widget_token(&customer).await {
                    Ok(token) => {
                        *widget_owner.borrow_mut() = customer;
                        widget.open(token);
                    }
                    Err(error) => banner.set(Banner::Error(format!(
                        "Could not get a widget token for {}: {error}",
                        shorten(&customer, 40)
                    ))),
                }
                busy.set(None);
            });
        })
    };
    let on_connect = {
        let (open_for, user) = (open_for.clone(), user.clone());
        Callback::from(move |()| open_for.emit(((*user).clone(), Purpose::Connect)))
    };
    let on_preview = open_for.reform(|customer: String| (customer, Purpose::Preview));
    let on_user_change = {
        let (user, banner) = (user.clone(), banner.setter());
        Callback::from(move |next: String| {
            banner.set(Banner::None);
            user.set(next);
        })
    };
    let on_dismiss = {
        let banner = banner.setter();
        Callback::from(move |()| banner.set(Banner::None))
    };
    let on_clear = {
        let log = log.dispatcher();
        Callback::from(move |()| log.dispatch(LogAction::Clear))
    };

    let (success, error) = match (&*banner, widget.state()) {
        (Banner::Success(text), _) => (Some(text.clone()), None),
        (Banner::Error(text), _) => (None, Some(text.clone())),
        (Banner::None, WidgetState::Error(text)) => (
            None,
            Some(format!("The authentication module failed: {text}")),
        ),
        (Banner::None, _) => (None, None),
    };
    let origin_warning = origin_mismatch(config.allowed_origin.as_deref());
    let users = if users.contains(&*user) {
        users
    } else {
        let mut users = users;
        users.insert(0, (*user).clone());
        users
    };

    html! {
        <>
            <Header mock={config.mock} {users} user={(*user).clone()} {on_user_change} />
            <main class="layout">
                if let Some(warning) = origin_warning {
                    <p id="origin-warning" class="notice notice-warning wide" role="note">{ warning }</p>
                }
                <div class="column">
                    <ConnectPanel user={(*user).clone()} busy={*busy == Some(Purpose::Connect)}
                                  widget_state={widget.state().clone()} {on_connect}>
                        <Notices {success} {error} {on_dismiss} />
                    </ConnectPanel>
                    <SourcesList state={sources.state.clone()} on_refresh={sources.refresh.clone()} {sync} />
                    <PreviewPanel busy={*busy == Some(Purpose::Preview)} {on_preview} />
                    if mock_control.enabled {
                        <MockControlPanel control={mock_control.clone()} />
                    }
                </div>
                <div class="column">
                    <EventLogPanel log={log.clone()} {on_clear} />
                </div>
            </main>
            <footer class="app-footer">
                <p>
                    { "Widget script " }<code>{ &config.widget_script_url }</code>
                    if let Some(api) = &config.airbyte_api_url {
                        { " · Airbyte API " }<code>{ api }</code>
                    }
                    if let Some(origin) = &config.allowed_origin {
                        { " · allowed origin " }<code>{ origin }</code>
                    }
                </p>
                <p>{ "The client secret stays on the server: this page only ever sees short-lived widget tokens." }</p>
            </footer>
        </>
    }
}

/// `text`, cut to `max` characters with an ellipsis (a pasted essay as a customer name should not
/// fill the error box).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// The widget only authenticates when its token was minted for this page's exact origin. Saying so
/// up front saves the blank-dialog debugging session that is the most common integration problem.
fn origin_mismatch(allowed_origin: Option<&str>) -> Option<String> {
    let allowed = allowed_origin?;
    let here = gloo::utils::window().location().origin().ok()?;
    (here != allowed).then(|| {
        format!(
            "This page runs on {here}, but widget tokens are minted for {allowed}: the widget will \
             open but never authenticate. Open {allowed} instead, or restart the demo server with \
             ALLOWED_ORIGIN={here}."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_cuts_long_text_only() {
        assert_eq!(shorten("user_123", 40), "user_123");
        assert_eq!(shorten(&"x".repeat(50), 5), "xxxxx…");
        assert_eq!(shorten("ééééé", 5), "ééééé");
    }
}
