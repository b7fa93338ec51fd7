//! The "Mock control" panel's calls: `GET /api/mock` (is the server wired to the offline mock?) and
//! the demo server's forwarding of the mock's control plane (`/api/mock/*` → `/_mock/*`): reset,
//! fault rules, the request journal and its live stream. The server adds the mock's admin token;
//! the page never sees it.

use gloo::net::http::Request;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::{ApiError, read_json};

/// Where the journal streams from (server-sent events, one `request` event per entry).
pub const JOURNAL_STREAM_URL: &str = "/api/mock/requests/stream";

/// The route the demo server calls for a widget token (through `airbyte-client`).
pub const WIDGET_TOKEN_PATH: &str = "/api/v1/account/applications/widget-token";
/// The route the widget's page calls to create a source.
pub const SOURCE_CREATE_PATH: &str = "/api/v1/embedded/sources";

#[derive(Debug, Deserialize)]
struct MockStatus {
    mock: bool,
}

/// One request the mock answered, as its journal records it (bodies with secrets masked).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct JournalEntry {
    pub id: u64,
    /// RFC 3339.
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub latency_ms: f64,
    /// `application`, `scoped` or `none`.
    #[serde(default)]
    pub token_kind: Option<String>,
    #[serde(default)]
    pub workspace: Option<String>,
    /// The id of the fault rule that shaped the answer, if any.
    #[serde(default)]
    pub fault: Option<Value>,
    #[serde(default)]
    pub request_body: Option<Value>,
    #[serde(default)]
    pub response_body: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct JournalPage {
    data: Vec<JournalEntry>,
}

/// A fault rule in its simplest (flat) form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRule {
    pub method: &'static str,
    pub path: &'static str,
    pub status: u16,
    pub times: u32,
}

impl FaultRule {
    /// The next `method path` answers `status`, once.
    pub fn one_shot(method: &'static str, path: &'static str, status: u16) -> Self {
        Self {
            method,
            path,
            status,
            times: 1,
        }
    }
}

/// The rule as the mock stored it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FaultCreated {
    pub id: Value,
}

/// Whether the demo server talks to the mock (the panel is shown only then). Any failure means no.
pub async fn mock_enabled() -> bool {
    match read_json::<MockStatus>(Request::get("/api/mock").send().await).await {
        Ok(status) => status.mock,
        Err(_) => false,
    }
}

/// `POST /_mock/reset`: back to the seeded state.
pub async fn reset_mock() -> Result<(), ApiError> {
    read_json::<Value>(Request::post("/api/mock/reset").send().await)
        .await
        .map(drop)
}

/// `POST /_mock/faults`.
pub async fn add_fault(rule: &FaultRule) -> Result<FaultCreated, ApiError> {
    let request = Request::post("/api/mock/faults")
        .json(rule)
        .map_err(super::api::network_error)?;
    read_json(request.send().await).await
}

/// `DELETE /_mock/faults`: every rule.
pub async fn clear_faults() -> Result<(), ApiError> {
    let response = Request::delete("/api/mock/faults").send().await;
    read_empty(response).await
}

/// `GET /_mock/requests?limit=`: the newest entries (the panel's backlog before the stream).
pub async fn recent_requests(limit: usize) -> Result<Vec<JournalEntry>, ApiError> {
    let limit = limit.to_string();
    let response = Request::get("/api/mock/requests")
        .query([("limit", limit.as_str())])
        .send()
        .await;
    let page: JournalPage = read_json(response).await?;
    Ok(page.data)
}

/// `DELETE /_mock/requests`: empty the journal.
pub async fn clear_requests() -> Result<(), ApiError> {
    read_empty(Request::delete("/api/mock/requests").send().await).await
}

/// A 2xx with no body to read (204).
async fn read_empty(
    response: Result<gloo::net::http::Response, gloo::net::Error>,
) -> Result<(), ApiError> {
    let response = response.map_err(super::api::network_error)?;
    if response.ok() {
        return Ok(());
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Err(ApiError {
        status: Some(status),
        message: super::api::error_message(status, &response.status_text(), &text),
    })
}

/// One journal entry from a server-sent event's `data`.
pub fn parse_entry(data: &str) -> Option<JournalEntry> {
    serde_json::from_str(data).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_entry_reads_the_contract_shape() {
        let entry = parse_entry(
            r#"{"id":7,"time":"2026-12-03T08:00:00Z","method":"POST","path":"/api/v1/embedded/sources",
                "query":null,"status":503,"latency_ms":1.25,"token_kind":"scoped","workspace":"user_123",
                "fault":"f1","request_body":{"source_config":{"client_secret":"**********"}},
                "response_body":{"message":"Service unavailable","errors":[]}}"#,
        )
        .unwrap();
        assert_eq!(entry.id, 7);
        assert_eq!(entry.status, 503);
        assert_eq!(entry.fault, Some(Value::String("f1".into())));
        assert_eq!(entry.workspace.as_deref(), Some("user_123"));
        // Missing optional keys are fine; a missing id is not an entry.
        assert!(parse_entry(r#"{"id":1}"#).is_some());
        assert!(parse_entry(r#"{"path":"/x"}"#).is_none());
        assert!(parse_entry("keep-alive").is_none());
    }

    #[test]
    fn a_one_shot_fault_is_the_flat_rule() {
        let rule = FaultRule::one_shot("POST", SOURCE_CREATE_PATH, 503);
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            serde_json::json!({"method": "POST", "path": "/api/v1/embedded/sources", "status": 503, "times": 1})
        );
    }
}
