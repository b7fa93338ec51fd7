//! What the control plane does to every request outside `/_mock`: record it in the journal, and let a
//! fault rule or the `X-Mock-Scenario` header shape its answer.
//!
//! [`layer`] wraps the whole router, outermost, so the journal sees what a client saw: 404s, 405s,
//! 413s, CORS preflights and the answers faults made up. Requests to `/_mock/*` themselves pass
//! untouched and unrecorded: a panel polling `/_mock/requests` would otherwise fill the journal with
//! its own polling, and the control plane must stay reachable whatever faults are set.
//!
//! The layer also checks the bearer token, once, and leaves the outcome
//! ([`crate::auth::Authenticated`]) in the request's extensions, where the CORS layer and the
//! extractors find it: the journal needs the token's tier and workspace, and a request's token is
//! verified once however many parts look at it.

pub(crate) mod faults;
pub(crate) mod journal;
mod recorded;
pub(crate) mod redact;
pub(crate) mod scenario;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use self::faults::{Answer, Faults, Fired};
use self::journal::{Entry, Journal, TokenKind};
use self::recorded::Recorded;
use self::redact::Redactor;
use crate::AppState;
use crate::auth::{Authenticated, Claims};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::AppError;
use crate::extract::BODY_LIMIT;

/// The most of one body a journal entry keeps (after redaction); the rest is cut with a note.
pub(crate) const BODY_CAP: usize = 64 * 1024;

/// The status the request log sees for a dropped connection (nginx's "no response"); the journal
/// records `0`, and the client sees no status at all.
const DROPPED_STATUS: u16 = 444;

/// The journal, the fault rules and the scenario policy, shared by every request.
#[derive(Debug)]
pub(crate) struct Control {
    pub journal: Journal,
    pub faults: Faults,
    /// Shared with every journal entry, which redacts its bodies when it is first read.
    pub redactor: Arc<Redactor>,
    pub allow_scenario_header: bool,
}

impl Control {
    pub(crate) fn new(config: &Config, catalog: &Catalog) -> Self {
        Self {
            journal: Journal::new(config.journal_size),
            faults: Faults::default(),
            redactor: Arc::new(Redactor::new(&config.client_secret, catalog)),
            allow_scenario_header: config.allow_scenario_header,
        }
    }
}

/// Whether `path` belongs to the control plane, which the journal and the faults leave alone.
fn is_control_path(path: &str) -> bool {
    path == "/_mock" || path.starts_with("/_mock/")
}

/// The middleware: token check, request capture, scenario or fault, the answer, the journal entry.
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    if is_control_path(uri.path()) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let at = OffsetDateTime::now_utc();
    let control = &state.control;
    let path = uri.path().to_owned();
    let query = uri.query().map(|q| control.redactor.query(q));
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);

    let (mut parts, body) = request.into_parts();
    let method = parts.method.clone();
    let authenticated = Authenticated::check(&parts.headers, &state.keys);
    let (token_kind, mut workspace) = match &authenticated.0 {
        Ok(Claims::Application(_)) => (TokenKind::Application, None),
        Ok(Claims::Scoped(claims)) => (TokenKind::Scoped, Some(claims.act.sub.clone())),
        Err(_) => (TokenKind::None, None),
    };
    parts.extensions.insert(authenticated);

    let captured = capture(body).await;
    if workspace.is_none() {
        workspace = captured
            .whole
            .as_deref()
            .and_then(body_workspace)
            .or_else(|| query_workspace(uri.query()));
    }
    let request_body = match &captured.whole {
        Some(bytes) => Recorded::bytes(bytes.clone(), &parts.headers, &control.redactor),
        None => Recorded::note(format!(
            "[not recorded: the body is over the {BODY_LIMIT}-byte limit]"
        )),
    };

    // An honoured header shapes this request alone; the rules (and their `times`) are not consulted.
    let scenario = parts
        .headers
        .get(scenario::HEADER)
        .filter(|_| scenario::honoured(peer, control.allow_scenario_header))
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned());
    let fired = match scenario {
        Some(value) => scenario::parse(&value).map(|effect| {
            Some(Fired {
                label: format!("X-Mock-Scenario: {value}"),
                effect,
            })
        }),
        None => Ok(control
            .faults
            .fire(&method, &path, workspace.as_deref(), &mut || {
                state.store.with_ids(crate::ids::Ids::fraction)
            })),
    };
    let request = Request::from_parts(parts, captured.body);

    let mut dropped = false;
    let (fault, response) = match fired {
        Err(error) => (None, error.into_response()),
        Ok(None) => (None, next.run(request).await),
        Ok(Some(Fired { label, effect })) => {
            if let Some(delay) = effect.delay {
                tokio::time::sleep(delay).await;
            }
            let response = match effect.answer {
                Answer::Pass => next.run(request).await,
                Answer::Respond {
                    status,
                    body,
                    retry_after,
                } => made_up(status, body, retry_after, &label),
                Answer::Drop => {
                    dropped = true;
                    tracing::info!(fault = %label, "closing the connection without an answer");
                    dropped_connection()
                }
            };
            (Some(label), response)
        }
    };

    let warnings = crate::warning::texts(response.headers());
    for warning in &warnings {
        tracing::warn!(%method, %path, "{warning}");
    }
    let (status, response_body, response) = if dropped {
        (0, Recorded::none(), response)
    } else {
        let (parts, body) = response.into_parts();
        match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => (
                parts.status.as_u16(),
                Recorded::bytes(bytes.clone(), &parts.headers, &control.redactor),
                Response::from_parts(parts, Body::from(bytes)),
            ),
            Err(error) => (
                parts.status.as_u16(),
                Recorded::note(format!("[the body failed: {error}]")),
                Response::from_parts(parts, failing_body()),
            ),
        }
    };
    let latency_ms = (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    control.journal.record(Entry {
        id: 0,
        time: Entry::format_time(at),
        at,
        method: method.as_str().to_owned(),
        path,
        query,
        status,
        latency_ms,
        token_kind,
        workspace,
        fault,
        warnings,
        request_body,
        response_body,
    });
    response
}

/// A request body read for the journal (and the fault rules' `workspace_name`), and the body to hand
/// on: the same bytes, or, when the body is over the limit, what was read followed by the rest, so
/// the handler's own limit answers 413 exactly as without the journal.
struct Captured {
    whole: Option<Bytes>,
    body: Body,
}

async fn capture(body: Body) -> Captured {
    if body.size_hint().exact() == Some(0) {
        return Captured {
            whole: Some(Bytes::new()),
            body,
        };
    }
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut len = 0;
    loop {
        match stream.next().await {
            None => {
                let whole = Bytes::from(chunks.concat());
                return Captured {
                    body: Body::from(whole.clone()),
                    whole: Some(whole),
                };
            }
            Some(Ok(chunk)) => {
                len += chunk.len();
                chunks.push(chunk);
                if len > BODY_LIMIT {
                    let read = futures::stream::iter(chunks.into_iter().map(Ok));
                    return Captured {
                        whole: None,
                        body: Body::from_stream(read.chain(stream)),
                    };
                }
            }
            Some(Err(error)) => {
                let read = futures::stream::iter(chunks.into_iter().map(Ok));
                return Captured {
                    whole: None,
                    body: Body::from_stream(
                        read.chain(futures::stream::once(async move { Err(error) })),
                    ),
                };
            }
        }
    }
}

/// The names an operator request gives a workspace by: `workspace_name` and its old aliases.
const WORKSPACE_KEYS: [&str; 4] = [
    "workspace_name",
    "customer_name",
    "external_user_id",
    "externalUserId",
];

/// The workspace an operator request is about, from its body: the first of [`WORKSPACE_KEYS`] that
/// holds a string. Read without building the whole document, since every request goes through it.
fn body_workspace(body: &[u8]) -> Option<String> {
    /// The keys, each as whatever JSON it holds (borrowed, not parsed further).
    #[derive(Deserialize)]
    struct Keys<'a> {
        #[serde(borrow)]
        workspace_name: Option<&'a RawValue>,
        #[serde(borrow)]
        customer_name: Option<&'a RawValue>,
        #[serde(borrow)]
        external_user_id: Option<&'a RawValue>,
        #[serde(borrow, rename = "externalUserId")]
        external_user_id_camel: Option<&'a RawValue>,
    }
    // A struct also deserialises from an array, by position; only an object names a workspace.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    let keys: Keys<'_> = serde_json::from_slice(body).ok()?;
    [
        keys.workspace_name,
        keys.customer_name,
        keys.external_user_id,
        keys.external_user_id_camel,
    ]
    .into_iter()
    .flatten()
    .find_map(|raw| serde_json::from_str::<String>(raw.get()).ok())
}

/// The workspace an operator request is about, from its query (`GET …/connectors?workspace_name=`).
fn query_workspace(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| WORKSPACE_KEYS.contains(&key.as_ref()))
        .map(|(_, value)| value.into_owned())
}

/// The answer a rule or the header makes up: its body, or else Airbyte's error shape for an error
/// status (`{}` for a success, nothing where HTTP forbids a body).
fn made_up(
    status: StatusCode,
    body: Option<Value>,
    retry_after: Option<u32>,
    label: &str,
) -> Response {
    let mut response = match body {
        Some(body) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_vec(&body).unwrap_or_default(),
        )
            .into_response(),
        None if matches!(status.as_u16(), 204 | 205 | 304) => status.into_response(),
        None if status.is_client_error() || status.is_server_error() => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let code = reason.to_ascii_lowercase().replace([' ', '-'], "_");
            let message = format!("{reason} (injected by {label})");
            AppError::new(status, message.clone())
                .with(None, message, &code)
                .into_response()
        }
        None => (status, [(header::CONTENT_TYPE, "application/json")], "{}").into_response(),
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A response whose body fails before its first frame: hyper then closes the connection without
/// writing the head it had buffered, so the client gets a connection error and no status at all.
fn dropped_connection() -> Response {
    let mut response = Response::new(failing_body());
    *response.status_mut() =
        StatusCode::from_u16(DROPPED_STATUS).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

fn failing_body() -> Body {
    Body::from_stream(futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the connection was dropped on purpose (fault rule or X-Mock-Scenario)",
        ))
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    /// The status of a request carrying `X-Mock-Scenario: status=503` from `peer`, handed to the
    /// router as `axum::serve` would, with the peer's address.
    async fn status_from(peer: &str, allow_scenario_header: bool) -> u16 {
        let config = Config {
            allow_scenario_header,
            ..Config::default()
        };
        let state = AppState::new(&config, "http://127.0.0.1:1").unwrap();
        let mut request = Request::get("/nowhere")
            .header(scenario::HEADER, "status=503")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        let response = crate::app(state.clone()).oneshot(request).await.unwrap();
        let entry = state.control.journal.page(&Default::default()).data[0].clone();
        assert_eq!(entry.status, response.status().as_u16());
        response.status().as_u16()
    }

    #[tokio::test]
    async fn the_header_is_ignored_from_other_peers_unless_allowed() {
        assert_eq!(status_from("192.168.1.20:50000", false).await, 404);
        assert_eq!(status_from("[2001:db8::1]:50000", false).await, 404);
        assert_eq!(status_from("192.168.1.20:50000", true).await, 503);
        assert_eq!(status_from("127.0.0.1:50000", false).await, 503);
    }
}
