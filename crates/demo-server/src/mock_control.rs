//! The backend of the SPA's "Mock control" panel: whether the upstream Airbyte API is the offline
//! mock, and, only then, a narrow proxy to the mock's control plane (`/_mock/*`).
//!
//! - `GET /api/mock` → `{mock: bool}`. The server asks `<api root without /api/v1>/_mock/health`
//!   the first time; a 200 with `status: "ok"` means the mock. A definite answer is kept; a
//!   connection failure is not (the mock may still be starting), so the next call asks again.
//! - `/api/mock/{health, reset, faults, faults/{id}, requests, requests/stream}` → the mock's
//!   `/_mock/…` with the same method, query and JSON body, the response (status, content type, body)
//!   passed back as it arrives, so the journal's server-sent events stream through. The admin token
//!   (`--mock-admin-token`), when configured, is added here and never reaches the browser.
//! - Against anything that is not the mock, `/api/mock/*` is 404 and the panel stays hidden.
//!
//! The demo server may be reachable by more people than the mock and it holds the admin token, so
//! it forwards only what the panel uses (no state dumps or loads) and refuses requests a browser
//! marks as coming from another site (`Sec-Fetch-Site`), so a page elsewhere cannot reset the mock.
//!
//! This module talks HTTP to the mock like everything else in this crate: it does not depend on it.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::{OnceCell, watch};

use crate::{AppState, Secret};

/// The mock's control plane as seen from the demo server.
#[derive(Debug)]
pub(crate) struct MockControl {
    /// The upstream's root: the API URL without `/api/v1`.
    root: String,
    /// No overall timeout: the journal stream stays open as long as the panel watches it.
    http: reqwest::Client,
    admin_token: Option<Secret>,
    is_mock: OnceCell<bool>,
    /// Becomes true when the server starts shutting down: open streams end then, so a graceful
    /// shutdown is not held up by a panel watching the journal.
    stopping: watch::Sender<bool>,
}

/// The `/_mock` routes the panel uses; nothing else is forwarded.
fn forwarded(rest: &str) -> bool {
    match rest.split_once('/') {
        None => matches!(rest, "health" | "reset" | "faults" | "requests"),
        Some(("requests", "stream")) => true,
        Some(("faults", id)) => {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }
        Some(_) => false,
    }
}

impl MockControl {
    pub(crate) fn new(api_url: &str, admin_token: Option<String>) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("demo-server/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot build the mock-control client: {e}"))?;
        Ok(Self {
            root: crate::api_root(api_url).to_owned(),
            http,
            admin_token: admin_token.filter(|t| !t.is_empty()).map(Secret),
            is_mock: OnceCell::new(),
            stopping: watch::Sender::new(false),
        })
    }

    /// Ends every forwarded response still streaming.
    pub(crate) fn shut_down(&self) {
        self.stopping.send_replace(true);
    }

    /// Whether the upstream is the mock; asked once, answered from memory afterwards.
    pub(crate) async fn is_mock(&self) -> bool {
        let probed = self
            .is_mock
            .get_or_try_init(|| async {
                let response = self
                    .http
                    .get(format!("{}/_mock/health", self.root))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await?;
                if response.status() != reqwest::StatusCode::OK {
                    return Ok(false);
                }
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                Ok::<_, reqwest::Error>(body["status"] == "ok")
            })
            .await;
        match probed {
            Ok(is_mock) => *is_mock,
            Err(e) => {
                tracing::debug!(error = %e, "the upstream did not answer /_mock/health");
                false
            }
        }
    }
}

impl MockControl {
    /// The names of the entities execute offers on `source_id` (the mock-only
    /// `/_mock/sources/{id}/entities`); `None` off the mock or when the mock does not answer.
    pub(crate) async fn entities(&self, source_id: uuid::Uuid) -> Option<Vec<String>> {
        if !self.is_mock().await {
            return None;
        }
        let url = format!("{}/_mock/sources/{source_id}/entities", self.root);
        let mut request = self.http.get(&url).timeout(Duration::from_secs(10));
        if let Some(token) = &self.admin_token {
            request = request.bearer_auth(&token.0);
        }
        let response = request.send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body: serde_json::Value = response.json().await.ok()?;
        Some(
            body["entities"]
                .as_array()?
                .iter()
                .filter_map(|e| e["name"].as_str().map(str::to_owned))
                .collect(),
        )
    }
}

/// `GET /api/mock` → `{mock: bool}`.
pub(crate) async fn status(State(state): State<AppState>) -> Response {
    let mock = state.mock.is_mock().await;
    axum::Json(json!({ "mock": mock })).into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// `/api/mock/{*rest}` → the mock's `/_mock/{rest}`.
pub(crate) async fn proxy(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return error(
            StatusCode::FORBIDDEN,
            "mock control accepts requests from this app's own pages only",
        );
    }
    let control = &state.mock;
    if !control.is_mock().await {
        return error(
            StatusCode::NOT_FOUND,
            format!(
                "no mock control: the Airbyte API at {} is not the offline mock",
                control.root
            ),
        );
    }
    if !forwarded(&rest) {
        return error(
            StatusCode::NOT_FOUND,
            format!("mock control does not forward /_mock/{rest}"),
        );
    }
    let mut url = format!("{}/_mock/{rest}", control.root);
    if let Some(query) = uri.query() {
        url.push('?');
        url.push_str(query);
    }
    let mut request = control.http.request(method, &url);
    for name in [header::CONTENT_TYPE, header::ACCEPT] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value);
        }
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    if let Some(token) = &control.admin_token {
        request = request.bearer_auth(&token.0);
    }
    let upstream = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                format!("the mock did not answer /_mock/{rest}: {e}"),
            );
        }
    };
    let mut response = Response::builder().status(upstream.status().as_u16());
    for name in [
        header::CONTENT_TYPE,
        header::CACHE_CONTROL,
        header::RETRY_AFTER,
    ] {
        if let Some(value) = upstream.headers().get(&name) {
            response = response.header(name, value);
        }
    }
    if upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
    {
        // No proxy between here and the browser should hold the events back.
        response = response.header("x-accel-buffering", HeaderValue::from_static("no"));
    }
    let chunks = futures::stream::unfold(Some(upstream), |upstream| async move {
        let mut upstream = upstream?;
        match upstream.chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(upstream))),
            Ok(None) => None,
            // The error ends the body (the client sees a cut-off response); nothing follows it.
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut stopping = control.stopping.subscribe();
    let chunks = chunks.take_until(async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    });
    response
        .body(Body::from_stream(chunks))
        .unwrap_or_else(|e| {
            error(
                StatusCode::BAD_GATEWAY,
                format!("bad upstream response: {e}"),
            )
        })
}

/// `GET /api/airbyte/sync-status?userId=…`: per source of the user's workspace, the state of its
/// replication as the mock simulates it (`GET /_mock/workspaces/{name}/connections`, a mock-only
/// read: Airbyte's published API has no connection or job operations). Against anything that is not
/// the mock, `{available: false, data: []}`.
///
/// Each item: `{source_id, state: "pending"|"syncing"|"succeeded"|"failed", last_records,
/// last_bytes, last_sync_at, last_sync_failed}` (the `last_*` from the last job that ended, `null`
/// before one has) and the mock's simulated `now`, so "2 min ago" is measured on its clock.
pub(crate) async fn sync_status(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(user) = query
        .get("userId")
        .or_else(|| query.get("user_id"))
        .filter(|u| !u.trim().is_empty())
    else {
        return error(StatusCode::BAD_REQUEST, "userId is required");
    };
    let control = &state.mock;
    if !control.is_mock().await {
        return axum::Json(json!({"available": false, "data": []})).into_response();
    }
    let name: String = user
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let url = format!("{}/_mock/workspaces/{name}/connections", control.root);
    let mut request = control.http.get(&url).timeout(Duration::from_secs(10));
    if let Some(token) = &control.admin_token {
        request = request.bearer_auth(&token.0);
    }
    let upstream = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                format!("the mock did not answer its connections read: {e}"),
            );
        }
    };
    if upstream.status() == reqwest::StatusCode::NOT_FOUND {
        // No workspace yet: nothing connected.
        return axum::Json(json!({"available": true, "data": []})).into_response();
    }
    if !upstream.status().is_success() {
        return error(
            StatusCode::BAD_GATEWAY,
            format!(
                "the mock answered {} to its connections read",
                upstream.status()
            ),
        );
    }
    let body: serde_json::Value = match upstream.json().await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                format!("the mock's connections read is not JSON: {e}"),
            );
        }
    };
    axum::Json(summarize(&body)).into_response()
}

/// The mock's connections read, one item per connection, as the SPA shows it.
pub(crate) fn summarize(body: &serde_json::Value) -> serde_json::Value {
    let now = body["now"].clone();
    let data: Vec<serde_json::Value> = body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let last = &c["last_job"];
            let done = &c["last_completed_job"];
            let state = match last["status"].as_str() {
                Some("running") => "syncing",
                Some("pending") => "pending",
                Some("failed") => "failed",
                Some("succeeded") => "succeeded",
                _ => "none",
            };
            json!({
                "source_id": c["source_id"],
                "destination_name": c["destination_name"],
                "state": state,
                "last_records": done["records"],
                "last_bytes": done["bytes"],
                "last_sync_at": done["ended_at"],
                "last_sync_failed": done["status"] == "failed",
                "now": now,
            })
        })
        .collect();
    json!({"available": true, "now": now, "data": data})
}

#[cfg(test)]
mod tests {
    use super::forwarded;

    #[test]
    fn only_the_panels_routes_are_forwarded() {
        for rest in [
            "health",
            "reset",
            "faults",
            "faults/3",
            "requests",
            "requests/stream",
        ] {
            assert!(forwarded(rest), "{rest}");
        }
        for rest in [
            "state",
            "fixtures",
            "tokens/expire",
            "workspaces/a/sources",
            "faults/",
            "faults/1/x",
            "faults/..",
            "requests/other",
            "",
        ] {
            assert!(!forwarded(rest), "{rest}");
        }
    }
}
