//! `--validate`: every request to an operation of Airbyte's published document, and its answer, checked
//! against the operation's schemas (`airbyte-openapi`). A violation is reported, never refused: one
//! `Warning` header per violation on the unchanged answer (so the journal and the log carry it, see
//! `warning.rs`), and a per-operation summary served at `GET /_mock/validation`.
//!
//! The layer sits inside the control layer and outside the proxy/replay layer, so in those modes it
//! checks the live API's or the cassette's answers. Off, it costs one branch: nothing is buffered.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use airbyte_openapi::{Matched, Side, Violation};
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{OriginalUri, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::AppState;
use crate::control::journal::Entry;
use crate::extract::BODY_LIMIT;

/// The distinct violations an operation's summary keeps, the most recent last.
const RECENT: usize = 5;

/// The most `Warning` headers one answer gets; past it a last one says how many more there were.
const MAX_WARNINGS: usize = 10;

/// Whether validation is on, and what it has seen since the start (or the last clear).
#[derive(Debug)]
pub(crate) struct Validation {
    enabled: bool,
    seen: Mutex<BTreeMap<(&'static str, &'static str), Seen>>,
}

/// One operation's counts and its last few distinct violations.
#[derive(Debug, Default)]
struct Seen {
    requests: u64,
    request_violations: u64,
    response_violations: u64,
    recent: VecDeque<Recent>,
}

#[derive(Debug)]
struct Recent {
    violation: Violation,
    status: u16,
    count: u64,
    last_seen: String,
}

impl Validation {
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled,
            seen: Mutex::default(),
        }
    }

    fn record(&self, matched: &Matched, status: u16, violations: &[Violation]) {
        let now = Entry::format_time(OffsetDateTime::now_utc());
        let operation = matched.operation;
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = seen.entry((operation.path, operation.method)).or_default();
        entry.requests += 1;
        for violation in violations {
            match violation.side {
                Side::Request => entry.request_violations += 1,
                Side::Response => entry.response_violations += 1,
            }
            let count = match entry.recent.iter().position(|r| r.violation == *violation) {
                Some(i) => entry.recent.remove(i).map_or(0, |r| r.count),
                None => 0,
            };
            entry.recent.push_back(Recent {
                violation: violation.clone(),
                status,
                count: count + 1,
                last_seen: now.clone(),
            });
            while entry.recent.len() > RECENT {
                entry.recent.pop_front();
            }
        }
    }

    /// The summary `GET /_mock/validation` answers.
    pub(crate) fn summary(&self) -> Value {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let operations: Vec<Value> = seen
            .iter()
            .map(|((path, method), s)| {
                json!({
                    "operation": format!("{} {path}", method.to_uppercase()),
                    "requests": s.requests,
                    "request_violations": s.request_violations,
                    "response_violations": s.response_violations,
                    "recent_violations": s.recent.iter().map(|r| json!({
                        "side": r.violation.side.as_str(),
                        "status": r.status,
                        "place": r.violation.place,
                        "pointer": r.violation.pointer,
                        "problem": r.violation.problem,
                        "count": r.count,
                        "last_seen": r.last_seen,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let total = |f: fn(&Seen) -> u64| seen.values().map(f).sum::<u64>();
        json!({
            "enabled": self.enabled,
            "requests": total(|s| s.requests),
            "request_violations": total(|s| s.request_violations),
            "response_violations": total(|s| s.response_violations),
            "operations": operations,
        })
    }

    pub(crate) fn clear(&self) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// The middleware: match the operation, check the request, let it through, check the answer, warn.
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.validation.enabled {
        return next.run(request).await;
    }
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    let Some(matched) = airbyte_openapi::match_operation(request.method().as_str(), uri.path())
    else {
        return next.run(request).await;
    };

    let (parts, body) = request.into_parts();
    let (read, body) = read_small(body).await;
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let mut violations = airbyte_openapi::check_request(&matched, &query, &header, read.as_deref());

    let response = next.run(Request::from_parts(parts, body)).await;
    let (parts, body) = response.into_parts();
    let status = parts.status.as_u16();
    // A compressed body (an upstream's, in proxy mode) is not JSON to the checks: leave it alone.
    let encoded = parts
        .headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|e| !e.as_bytes().eq_ignore_ascii_case(b"identity"));
    let mut response = if encoded {
        Response::from_parts(parts, body)
    } else {
        match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => {
                violations.extend(airbyte_openapi::check_reply(
                    &matched.operation,
                    status,
                    &bytes,
                ));
                Response::from_parts(parts, Body::from(bytes))
            }
            // The upstream broke off mid-body (proxy mode): nothing to check; the client sees the break.
            Err(error) => Response::from_parts(parts, broken_body(error.to_string())),
        }
    };

    state.validation.record(&matched, status, &violations);
    let operation = matched.operation;
    for violation in violations.iter().take(MAX_WARNINGS) {
        crate::warning::append(&mut response, &format!("{operation}: {violation}"));
    }
    if violations.len() > MAX_WARNINGS {
        let more = violations.len() - MAX_WARNINGS;
        crate::warning::append(
            &mut response,
            &format!("{operation}: {more} more violations (GET /_mock/validation)"),
        );
    }
    response
}

/// The request body's bytes when it is whole in memory and within the limit (the control layer
/// has read it already), and the body to hand on. A larger one passes unread and its JSON unchecked:
/// the handler answers 413 for it anyway.
async fn read_small(body: Body) -> (Option<Bytes>, Body) {
    match body.size_hint().exact() {
        Some(len) if len <= BODY_LIMIT as u64 => match axum::body::to_bytes(body, BODY_LIMIT).await
        {
            Ok(bytes) => (Some(bytes.clone()), Body::from(bytes)),
            Err(_) => (None, Body::empty()),
        },
        _ => (None, body),
    }
}

fn broken_body(message: String) -> Body {
    Body::from_stream(futures::stream::once(async move {
        Err::<Bytes, _>(std::io::Error::other(message))
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::Config;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::http::header;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    fn state(validate: bool) -> AppState {
        let config = Config {
            validate,
            ..Config::default()
        };
        AppState::new(&config, "http://127.0.0.1:8001").unwrap()
    }

    /// A token answer without `access_token` and with `expires_in` a string.
    const WRONG_TOKEN: &str = r#"{"token_type": "bearer", "expires_in": "soon"}"#;

    /// A stand-in upstream whose answers break the document: the token without `access_token` and
    /// with `expires_in` a string, a workspace with a wrong type, and an off-document route.
    fn wrong_upstream(state: AppState) -> Router {
        Router::new()
            .route(
                "/api/v1/account/applications/token",
                post(|| async { ([(header::CONTENT_TYPE, "application/json")], WRONG_TOKEN) }),
            )
            .route(
                "/api/v1/workspaces/{workspace_id}",
                get(|| async { axum::Json(json!({"id": 7, "name": "w", "organization_id": "x"})) }),
            )
            .route(
                "/api/v1/workspaces/stats",
                get(|| async {
                    (
                        StatusCode::NOT_FOUND,
                        axum::Json(json!({"message": "gone"})),
                    )
                }),
            )
            .route(
                "/api/v1/embedded/sources",
                get(|| async { axum::Json(json!({"anything": true})) }),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), layer))
            .with_state(state)
    }

    async fn call(app: &Router, method: &str, uri: &str, body: &str) -> (Response, String) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_wrong_shape_is_reported_per_operation_and_the_answer_is_unchanged() {
        let state = state(true);
        let app = wrong_upstream(state.clone());
        let credentials = r#"{"client_id": "a", "client_secret": "b"}"#;
        let (response, body) = call(
            &app,
            "POST",
            "/api/v1/account/applications/token",
            credentials,
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body, WRONG_TOKEN, "unchanged");
        let warnings = crate::warning::texts(response.headers());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().all(|w| {
            w.starts_with("POST /api/v1/account/applications/token: response 200 body")
        }));
        assert!(
            warnings
                .iter()
                .any(|w| w.ends_with("response 200 body: \"access_token\" is a required property"))
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("at /expires_in: value is not of type \"integer\""))
        );

        let (response, _) = call(
            &app,
            "GET",
            "/api/v1/workspaces/3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "",
        )
        .await;
        let warnings = crate::warning::texts(response.headers());
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("at /id: value is not of type \"string\"")),
            "{warnings:?}"
        );
        // The literal path is the stats operation: its undeclared 404 is the violation, not the id.
        let (response, _) = call(&app, "GET", "/api/v1/workspaces/stats", "").await;
        assert_eq!(
            crate::warning::texts(response.headers()),
            [
                "GET /api/v1/workspaces/stats: response status: 404 is not declared (declared: 200, 400, 403, 422, 500)"
            ]
        );
        let (response, _) = call(&app, "GET", "/api/v1/embedded/sources", "").await;
        assert!(
            response.headers().get(header::WARNING).is_none(),
            "off the document"
        );

        let summary = state.validation.summary();
        assert_eq!(summary["requests"], 3, "{summary}");
        assert_eq!(summary["request_violations"], 0);
        let operations = summary["operations"].as_array().unwrap();
        let names: Vec<&str> = operations
            .iter()
            .map(|o| o["operation"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "POST /api/v1/account/applications/token",
                "GET /api/v1/workspaces/stats",
                "GET /api/v1/workspaces/{workspace_id}"
            ]
        );
        assert_eq!(operations[0]["response_violations"], 2);
        let recent = &operations[0]["recent_violations"];
        assert_eq!(recent[1]["pointer"], "/expires_in", "{recent}");
        assert_eq!(recent[1]["side"], "response");
        assert_eq!(recent[1]["status"], 200);

        // The same violation again is counted, not listed twice.
        call(
            &app,
            "POST",
            "/api/v1/account/applications/token",
            credentials,
        )
        .await;
        let summary = state.validation.summary();
        assert_eq!(summary["operations"][0]["response_violations"], 4);
        assert_eq!(
            summary["operations"][0]["recent_violations"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(summary["operations"][0]["recent_violations"][1]["count"], 2);
        state.validation.clear();
        assert_eq!(state.validation.summary()["operations"], json!([]));
    }

    #[tokio::test]
    async fn a_wrong_request_is_a_request_violation() {
        let state = state(true);
        let app = wrong_upstream(state.clone());
        let (response, _) = call(
            &app,
            "POST",
            "/api/v1/account/applications/token",
            r#"{"client_id": "a", "client_secret": 424242}"#,
        )
        .await;
        let warnings = crate::warning::texts(response.headers());
        assert!(
            warnings.contains(
                &"POST /api/v1/account/applications/token: request body at /client_secret: value is not of type \"string\"".to_owned()
            ),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().all(|w| !w.contains("424242")),
            "values are masked"
        );
        let summary = state.validation.summary();
        assert_eq!(summary["request_violations"], 1);
        assert_eq!(summary["response_violations"], 2);
    }

    #[tokio::test]
    async fn a_compressed_answer_is_not_read_as_json() {
        let state = state(true);
        let app = Router::new()
            .route(
                "/api/v1/workspaces/stats",
                get(|| async {
                    (
                        [(header::CONTENT_ENCODING, "gzip")],
                        vec![0x1f_u8, 0x8b, 0, 1],
                    )
                }),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), layer))
            .with_state(state.clone());
        let (response, _) = call(&app, "GET", "/api/v1/workspaces/stats", "").await;
        assert!(response.headers().get(header::WARNING).is_none());
        assert_eq!(state.validation.summary()["requests"], 1, "still counted");
    }

    #[tokio::test]
    async fn off_it_checks_nothing() {
        let state = state(false);
        let app = wrong_upstream(state.clone());
        let (response, body) = call(&app, "POST", "/api/v1/account/applications/token", "").await;
        assert_eq!(body, WRONG_TOKEN);
        assert!(response.headers().get(header::WARNING).is_none());
        let summary = state.validation.summary();
        assert_eq!(summary["enabled"], false);
        assert_eq!(summary["requests"], 0);
    }

    #[tokio::test]
    async fn many_violations_are_capped_in_headers_not_in_the_summary() {
        let state = state(true);
        let items: Vec<Value> = (0..15).map(|i| json!({"id": i})).collect();
        let app = Router::new()
            .route(
                "/api/v1/workspaces",
                get(move || {
                    let items = items.clone();
                    async move { axum::Json(json!({"data": items})) }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), layer))
            .with_state(state.clone());
        let (response, _) = call(&app, "GET", "/api/v1/workspaces", "").await;
        let warnings = crate::warning::texts(response.headers());
        assert_eq!(warnings.len(), MAX_WARNINGS + 1);
        assert!(
            warnings[MAX_WARNINGS].contains("more violations"),
            "{warnings:?}"
        );
        let summary = state.validation.summary();
        assert!(summary["response_violations"].as_u64().unwrap() > 15);
        assert_eq!(
            summary["operations"][0]["recent_violations"]
                .as_array()
                .unwrap()
                .len(),
            RECENT
        );
    }
}
