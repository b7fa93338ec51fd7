//! A typed async client for the Airbyte Embedded endpoints the demo backend and the tests use:
//! application token, widget token, scoped token and its info, template and source listings, and the
//! end-user source calls. The base URL (e.g. `https://api.airbyte.ai/api/v1`, or the mock's
//! `http://127.0.0.1:8001/api/v1`) is configuration; nothing else differs between the two.
//!
//! The client keeps no credentials: callers pass the client secret or a token per call, so nothing
//! secret can leak through `Debug` or an error message.

use airbyte_embedded::{
    ApiErrorResponse, ConnectorExecuteRequest, ListResponse, ScopedTokenInfo, ScopedTokenRequest,
    SourceCreateRequest, SourceListItem, SourceRead, SourceTemplateListItem, TokenBody,
    TokenRequest, TokenResponse, WidgetTokenRequest,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

/// What can go wrong talking to Airbyte.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The base URL is not an absolute http(s) URL.
    #[error("invalid Airbyte API URL '{url}': {reason}")]
    BaseUrl { url: String, reason: String },
    /// No HTTP response (connection refused, DNS, timeout, TLS).
    #[error("could not reach the Airbyte API at {url}: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// Airbyte answered with an error status; `message` is the `ApiErrorResponse` message when there is one.
    #[error("the Airbyte API answered {status}: {message}")]
    Api {
        status: u16,
        message: String,
        body: Option<ApiErrorResponse>,
    },
    /// A success status whose body was not the expected JSON.
    #[error("unexpected response from {url}: {reason}")]
    Decode { url: String, reason: String },
}

impl Error {
    /// The upstream HTTP status, if Airbyte answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The client. Cheap to clone; share one.
#[derive(Debug, Clone)]
pub struct AirbyteClient {
    http: reqwest::Client,
    base: Url,
}

impl AirbyteClient {
    /// `base_url` is the API root including `/api/v1`.
    pub fn new(base_url: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "airbyte-embedded-workbench/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| Error::BaseUrl {
                url: base_url.to_owned(),
                reason: e.to_string(),
            })?;
        Self::with_http(http, base_url)
    }

    pub fn with_http(http: reqwest::Client, base_url: &str) -> Result<Self> {
        let mut base = Url::parse(base_url).map_err(|e| Error::BaseUrl {
            url: base_url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::BaseUrl {
                url: base_url.to_owned(),
                reason: "must be an http(s) URL".into(),
            });
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Self { http, base })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::BaseUrl {
                url: self.base.to_string(),
                reason: e.to_string(),
            })
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<(Url, RequestBuilder)> {
        let url = self.url(path)?;
        let mut req = self.http.request(method, url.clone());
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        Ok((url, req))
    }

    async fn send<T: DeserializeOwned>(&self, url: Url, req: RequestBuilder) -> Result<T> {
        let response = req.send().await.map_err(|source| Error::Transport {
            url: redact_url(&url),
            source,
        })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|source| Error::Transport {
            url: redact_url(&url),
            source,
        })?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            url: redact_url(&url),
            reason: e.to_string(),
        })
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        let mut url = self.url(path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let req = self.http.get(url.clone()).bearer_auth(bearer);
        self.send(url, req).await
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: &B,
    ) -> Result<T> {
        let (url, req) = self.request(Method::POST, path, bearer)?;
        self.send(url, req.json(body)).await
    }

    /// `POST /account/applications/token`: exchanges client credentials for a 15-minute application token.
    pub async fn application_token(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<TokenResponse> {
        let body = TokenRequest {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
        };
        self.post("account/applications/token", None, &body).await
    }

    /// A widget token (Base64 of `{token, widgetUrl}`) for the browser.
    pub async fn widget_token(
        &self,
        application_token: &str,
        request: &WidgetTokenRequest,
    ) -> Result<String> {
        let body: TokenBody = self
            .post(
                "account/applications/widget-token",
                Some(application_token),
                request,
            )
            .await?;
        Ok(body.token)
    }

    /// A scoped token (a plain JWT) for an end user's workspace, for custom UIs.
    pub async fn scoped_token(
        &self,
        application_token: &str,
        workspace_name: &str,
    ) -> Result<String> {
        let body: TokenBody = self
            .post(
                "account/applications/scoped-token",
                Some(application_token),
                &ScopedTokenRequest::new(workspace_name),
            )
            .await?;
        Ok(body.token)
    }

    /// What a scoped token is for.
    pub async fn scoped_token_info(&self, scoped_token: &str) -> Result<ScopedTokenInfo> {
        self.get("account/applications/scoped-token/info", scoped_token, &[])
            .await
    }

    /// The organization's source templates (operator).
    pub async fn source_templates(
        &self,
        application_token: &str,
    ) -> Result<Vec<SourceTemplateListItem>> {
        let list: ListResponse<SourceTemplateListItem> = self
            .get("integrations/templates/sources", application_token, &[])
            .await?;
        Ok(list.data)
    }

    /// The sources of the workspace called `workspace_name` (operator).
    pub async fn sources(
        &self,
        application_token: &str,
        workspace_name: &str,
    ) -> Result<Vec<SourceListItem>> {
        let list: ListResponse<SourceListItem> = self
            .get(
                "integrations/connectors",
                application_token,
                &[("workspace_name", workspace_name)],
            )
            .await?;
        Ok(list.data)
    }

    /// The templates a scoped token may use (end user).
    pub async fn embedded_source_templates(
        &self,
        scoped_token: &str,
    ) -> Result<Vec<SourceTemplateListItem>> {
        let list: ListResponse<SourceTemplateListItem> = self
            .get("embedded/source-templates", scoped_token, &[])
            .await?;
        Ok(list.data)
    }

    /// This workspace's sources (end user).
    pub async fn embedded_sources(&self, scoped_token: &str) -> Result<Vec<SourceListItem>> {
        let list: ListResponse<SourceListItem> =
            self.get("embedded/sources", scoped_token, &[]).await?;
        Ok(list.data)
    }

    /// `POST /integrations/connectors/{id}/execute` (operator): the `ConnectorExecuteResponse` as JSON,
    /// since its `result` is whatever the connector's entity holds.
    pub async fn execute(
        &self,
        application_token: &str,
        source_id: uuid::Uuid,
        request: &ConnectorExecuteRequest,
    ) -> Result<serde_json::Value> {
        self.post(
            &format!("integrations/connectors/{source_id}/execute"),
            Some(application_token),
            request,
        )
        .await
    }

    /// Creates a source in the token's workspace (end user), as the widget does.
    pub async fn create_source(
        &self,
        scoped_token: &str,
        request: &SourceCreateRequest,
    ) -> Result<SourceRead> {
        self.post("embedded/sources", Some(scoped_token), request)
            .await
    }
}

fn api_error(status: StatusCode, bytes: &[u8]) -> Error {
    let body: Option<ApiErrorResponse> = serde_json::from_slice(bytes).ok();
    let message = body
        .as_ref()
        .and_then(|b| {
            b.message
                .clone()
                .or_else(|| b.errors.first().and_then(|e| e.message.clone()))
        })
        .or_else(|| {
            // FastAPI-style `{"detail": ...}`, which some Airbyte endpoints answer with.
            serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .and_then(|v| match v.get("detail") {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(other) => Some(other.to_string()),
                    None => None,
                })
        })
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    Error::Api {
        status: status.as_u16(),
        message,
        body,
    }
}

/// URLs in errors lose their query string, which could carry names or ids a log should not keep.
fn redact_url(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}
