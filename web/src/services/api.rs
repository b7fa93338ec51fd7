//! The demo server's JSON API (same origin as the page): configuration, users, widget tokens and the
//! connected sources. The server holds the Airbyte client secret; this page only ever receives
//! short-lived widget tokens.

use std::fmt;

use airbyte_embedded::{ListResponse, SourceListItem};
use gloo::net::http::{Request, Response};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// `GET /api/config`: what the page needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    /// Where `window.AirbyteEmbeddedWidget` is loaded from (the mock's `/widget.js` or the pinned CDN).
    pub widget_script_url: String,
    /// The origin the widget tokens are minted for; it must equal this page's origin.
    #[serde(default)]
    pub allowed_origin: Option<String>,
    /// The Airbyte API the server talks to (shown in the footer).
    #[serde(default)]
    pub airbyte_api_url: Option<String>,
    /// True when the server is wired to the offline mock.
    #[serde(default)]
    pub mock: bool,
}

/// A failed call, as one sentence for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, when the server answered at all.
    pub status: Option<u16>,
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// The server's error body: `{"error": "..."}`; the mock's control plane, forwarded as is, says
/// `{"message": "...", "errors": [...]}` (Airbyte's shape).
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest<'a> {
    user_id: &'a str,
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    token: String,
}

#[derive(Debug, Deserialize)]
struct UsersResponse {
    users: Vec<String>,
}

pub async fn get_config() -> Result<AppConfig, ApiError> {
    read_json(Request::get("/api/config").send().await).await
}

/// The users the picker offers ("who is signed in").
pub async fn list_users() -> Result<Vec<String>, ApiError> {
    let body: UsersResponse = read_json(Request::get("/api/users").send().await).await?;
    Ok(body.users)
}

/// A widget token for `user_id` (`POST /api/airbyte/widget-token`). The server turns the user into
/// the Airbyte workspace name.
pub async fn create_widget_token(user_id: &str) -> Result<String, ApiError> {
    let request = Request::post("/api/airbyte/widget-token")
        .json(&TokenRequest { user_id })
        .map_err(network_error)?;
    let body: TokenResponse = read_json(request.send().await).await?;
    Ok(body.token)
}

/// The sources `user_id` has connected (`GET /api/airbyte/sources?userId=`).
pub async fn list_sources(user_id: &str) -> Result<Vec<SourceListItem>, ApiError> {
    let response = Request::get("/api/airbyte/sources")
        .query([("userId", user_id)])
        .send()
        .await;
    let body: ListResponse<SourceListItem> = read_json(response).await?;
    Ok(body.data)
}

/// One connected source's replication, as the demo server reports it from the mock
/// (`GET /api/airbyte/sync-status?userId=`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SyncStatus {
    pub source_id: String,
    /// `pending`, `syncing`, `succeeded`, `failed` or `none`.
    pub state: String,
    #[serde(default)]
    pub last_records: Option<u64>,
    #[serde(default)]
    pub last_sync_at: Option<String>,
    #[serde(default)]
    pub last_sync_failed: bool,
    /// The mock's simulated clock, which "2 min ago" is measured on.
    #[serde(default)]
    pub now: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SyncStatusResponse {
    #[serde(default)]
    data: Vec<SyncStatus>,
}

/// The replication state of each of `user_id`'s sources; empty when the API is not the mock.
pub async fn sync_status(user_id: &str) -> Result<Vec<SyncStatus>, ApiError> {
    let response = Request::get("/api/airbyte/sync-status")
        .query([("userId", user_id)])
        .send()
        .await;
    let body: SyncStatusResponse = read_json(response).await?;
    Ok(body.data)
}

/// The first records of one entity of a connected source, read through Airbyte's execute operation
/// (`POST /api/airbyte/sources/{id}/preview`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SourcePreview {
    pub entity: String,
    /// Every entity of the source (the mock lists them; `None` against the real API).
    #[serde(default)]
    pub entities: Option<Vec<String>>,
    #[serde(default)]
    pub connector_name: Option<String>,
    #[serde(default)]
    pub records: Vec<serde_json::Value>,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PreviewRequest<'a> {
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<&'a str>,
}

/// A preview of `source_id` for `user_id`: `entity`, or the first one the mock lists.
pub async fn preview_source(
    user_id: &str,
    source_id: &str,
    entity: Option<&str>,
) -> Result<SourcePreview, ApiError> {
    let request = Request::post(&format!("/api/airbyte/sources/{source_id}/preview"))
        .json(&PreviewRequest { user_id, entity })
        .map_err(network_error)?;
    read_json(request.send().await).await
}

/// The JSON body of a 2xx response; otherwise the server's `{error}` text, or the status line when
/// the body is not that shape (a proxy's HTML error page, say).
///
/// Only the parsing is generic: the reading is [`read_text`], compiled once rather than once per
/// body type (there are eight), which keeps the SPA's wasm smaller. gloo's `Response::json` reads
/// the text and parses it the same way.
pub(crate) async fn read_json<T: DeserializeOwned>(
    response: Result<Response, gloo::net::Error>,
) -> Result<T, ApiError> {
    let (response, text) = read_text(response).await?;
    serde_json::from_str(&text).map_err(|error| unexpected(&response, &error))
}

/// The text of a 2xx response, with the response (for its status and URL); otherwise the error
/// [`read_json`] describes.
async fn read_text(
    response: Result<Response, gloo::net::Error>,
) -> Result<(Response, String), ApiError> {
    let response = response.map_err(network_error)?;
    let status = response.status();
    if !response.ok() {
        let text = response.text().await.unwrap_or_default();
        return Err(ApiError {
            status: Some(status),
            message: error_message(status, &response.status_text(), &text),
        });
    }
    match response.text().await {
        Ok(text) => Ok((response, text)),
        Err(error) => Err(unexpected(&response, &error)),
    }
}

/// A 2xx whose body could not be read or is not the JSON expected.
fn unexpected(response: &Response, error: &dyn fmt::Display) -> ApiError {
    ApiError {
        status: Some(response.status()),
        message: format!("unexpected response from {}: {error}", response.url()),
    }
}

pub(crate) fn network_error(error: gloo::net::Error) -> ApiError {
    ApiError {
        status: None,
        message: format!("the demo server did not answer ({error})"),
    }
}

/// The message of an error response. Kept free of browser calls so it is tested on the host.
pub fn error_message(status: u16, status_text: &str, body: &str) -> String {
    let said = serde_json::from_str::<ErrorBody>(body)
        .ok()
        .and_then(|body| body.error.or(body.message))
        .filter(|text| !text.trim().is_empty());
    match said {
        Some(text) => text,
        None if status_text.is_empty() => format!("HTTP {status}"),
        None => format!("HTTP {status} {status_text}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_give_their_message() {
        assert_eq!(
            error_message(
                502,
                "Bad Gateway",
                r#"{"error":"upstream 401: invalid client"}"#
            ),
            "upstream 401: invalid client"
        );
        assert_eq!(
            error_message(502, "Bad Gateway", "<html>"),
            "HTTP 502 Bad Gateway"
        );
        assert_eq!(error_message(400, "", r#"{"error":""}"#), "HTTP 400");
        assert_eq!(
            error_message(
                401,
                "Unauthorized",
                r#"{"message":"needs the admin token","errors":[]}"#
            ),
            "needs the admin token"
        );
    }

    #[test]
    fn config_reads_the_camel_case_body() {
        let config: AppConfig = serde_json::from_str(
            r#"{"widgetScriptUrl":"http://127.0.0.1:8001/widget.js","allowedOrigin":"http://127.0.0.1:3000",
                "airbyteApiUrl":"http://127.0.0.1:8001/api/v1","mock":true}"#,
        )
        .unwrap();
        assert_eq!(config.widget_script_url, "http://127.0.0.1:8001/widget.js");
        assert_eq!(
            config.allowed_origin.as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert!(config.mock);
        // Only the script URL is required.
        let minimal: AppConfig = serde_json::from_str(r#"{"widgetScriptUrl":"/w.js"}"#).unwrap();
        assert!(!minimal.mock);
    }

    #[test]
    fn token_request_uses_the_camel_case_field() {
        assert_eq!(
            serde_json::to_string(&TokenRequest {
                user_id: "user_123"
            })
            .unwrap(),
            r#"{"userId":"user_123"}"#
        );
    }
}
