//! The demo backend, the seed's `server.js` in Rust: it exchanges client credentials for an
//! application token (cached), mints widget tokens for the signed-in user, lists that user's sources,
//! and serves the Yew SPA. Pointing it at the real Airbyte API is configuration only.

pub mod config;
mod mock_control;
mod preview;
mod token_cache;

use std::sync::Arc;

use airbyte_client::AirbyteClient;
use airbyte_embedded::WidgetTokenRequest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::Deserialize;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};

pub use config::Config;
use token_cache::TokenCache;

/// Shared state of the demo backend.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    client: AirbyteClient,
    client_id: String,
    client_secret: Secret,
    tokens: TokenCache,
    pub allowed_origin: String,
    pub widget_script_url: String,
    pub api_url: String,
    pub users: Vec<String>,
    source_template_tags: Vec<String>,
    source_template_tags_mode: airbyte_embedded::TagSelectionMode,
    dist: std::path::PathBuf,
    /// Whether the upstream is the mock, and the proxy to its control plane for the panel.
    mock: mock_control::MockControl,
}

/// A string that never prints.
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// `own_origin` is where the SPA is served, the default `allowed_origin`.
    pub fn new(config: &Config, own_origin: &str) -> Result<Self, String> {
        let client = AirbyteClient::new(&config.airbyte_api_url).map_err(|e| e.to_string())?;
        let allowed_origin = config
            .allowed_origin
            .clone()
            .unwrap_or_else(|| own_origin.to_owned());
        let widget_script_url = config
            .widget_script_url
            .clone()
            .unwrap_or_else(|| default_script_url(&config.airbyte_api_url));
        Ok(Self(Arc::new(Inner {
            client,
            client_id: config.client_id.clone(),
            client_secret: Secret(config.client_secret.clone()),
            tokens: TokenCache::default(),
            allowed_origin,
            widget_script_url,
            api_url: config.airbyte_api_url.clone(),
            users: demo_users(config.seed),
            source_template_tags: config
                .source_template_tags
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            source_template_tags_mode: if config.source_template_tags_mode == "all" {
                airbyte_embedded::TagSelectionMode::All
            } else {
                airbyte_embedded::TagSelectionMode::Any
            },
            dist: config.dist.clone(),
            mock: mock_control::MockControl::new(
                &config.airbyte_api_url,
                config.mock_admin_token.clone(),
            )?,
        })))
    }
}

/// The mock serves `/widget.js` at its root; the API URL is `<root>/api/v1`.
fn default_script_url(api_url: &str) -> String {
    format!("{}/widget.js", api_root(api_url))
}

/// The API URL without its `/api/v1` (and trailing slashes): where the mock serves `/widget.js` and
/// `/_mock/*`.
fn api_root(api_url: &str) -> &str {
    api_url.trim_end_matches('/').trim_end_matches("/api/v1")
}

/// `user_123` (the seed's example) and a few generated people, the same for the same seed.
fn demo_users(seed: u64) -> Vec<String> {
    use fake::Fake;
    use rand::SeedableRng;
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let mut users = vec!["user_123".to_owned()];
    while users.len() < 5 {
        let first: String = fake::faker::name::en::FirstName().fake_with_rng(&mut rng);
        let last: String = fake::faker::name::en::LastName().fake_with_rng(&mut rng);
        let user = format!("{}.{}", first.to_lowercase(), last.to_lowercase())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "");
        if !users.contains(&user) {
            users.push(user);
        }
    }
    users
}

/// A failure answered as `{error}`; upstream failures also carry the upstream status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    upstream_status: Option<u16>,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            upstream_status: None,
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            upstream_status: None,
        }
    }

    fn upstream(context: &str, e: &airbyte_client::Error) -> Self {
        Self {
            status: StatusCode::BAD_GATEWAY,
            message: format!("{context}: {e}"),
            upstream_status: e.status(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.upstream_status {
            Some(s) => json!({"error": self.message, "upstream_status": s}),
            None => json!({"error": self.message}),
        };
        (self.status, axum::Json(body)).into_response()
    }
}

#[derive(Debug, Deserialize)]
struct WidgetTokenBody {
    #[serde(rename = "userId")]
    user_id: Option<serde_json::Value>,
}

fn user_id(raw: Option<&serde_json::Value>) -> Result<String, ApiError> {
    match raw {
        None | Some(serde_json::Value::Null) => Err(ApiError::bad_request("userId is required")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
            Err(ApiError::bad_request("userId must not be empty"))
        }
        Some(serde_json::Value::String(s)) if s.chars().count() > 256 => Err(
            ApiError::bad_request("userId must be at most 256 characters"),
        ),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::bad_request("userId must be a string")),
    }
}

impl AppState {
    async fn application_token(&self) -> Result<String, ApiError> {
        self.tokens
            .get(|| async {
                let t = self
                    .client
                    .application_token(&self.client_id, &self.client_secret.0)
                    .await?;
                Ok((t.access_token, t.expires_in))
            })
            .await
            .map_err(|e| ApiError::upstream("Could not get an Airbyte application token", &e))
    }

    /// Calls Airbyte with the cached application token. A 401 means Airbyte no longer takes that
    /// token (revoked, or expired early: the mock's `POST /_mock/tokens/expire` does exactly this),
    /// so the token is forgotten and the call made once more with a fresh one.
    async fn with_application_token<T, F, Fut>(&self, context: &str, call: F) -> Result<T, ApiError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, airbyte_client::Error>>,
    {
        let token = self.application_token().await?;
        match call(token.clone()).await {
            Err(e) if e.status() == Some(401) => {
                tracing::info!(
                    "Airbyte refused the cached application token (401); getting a new one"
                );
                self.tokens.invalidate(&token).await;
                let token = self.application_token().await?;
                call(token)
                    .await
                    .map_err(|e| ApiError::upstream(context, &e))
            }
            result => result.map_err(|e| ApiError::upstream(context, &e)),
        }
    }
}

/// `POST /api/airbyte/widget-token {userId}` → `{token}`.
async fn widget_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: WidgetTokenBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be JSON like {{\"userId\": \"user_123\"}}: {e}"
        ))
    })?;
    let user = user_id(body.user_id.as_ref())?;
    warn_on_origin_mismatch(&state, &headers);
    let mut request = WidgetTokenRequest::new(user, state.allowed_origin.clone());
    if !state.source_template_tags.is_empty() {
        request.selected_source_template_tags = Some(state.source_template_tags.clone());
        request.selected_source_template_tags_mode = Some(state.source_template_tags_mode);
    }
    let (client, request) = (&state.client, &request);
    let token = state
        .with_application_token("Airbyte refused the widget token", |app_token| async move {
            client.widget_token(&app_token, request).await
        })
        .await?;
    Ok(axum::Json(json!({"token": token})).into_response())
}

/// The browser says where the SPA really runs; if that is not `allowed_origin`, the widget will hang,
/// so say so in the log before anyone has to debug it.
fn warn_on_origin_mismatch(state: &AppState, headers: &HeaderMap) {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != state.allowed_origin
    {
        tracing::warn!(
            browser_origin = origin,
            allowed_origin = %state.allowed_origin,
            "the app runs on another origin than ALLOWED_ORIGIN: the widget will not authenticate; set ALLOWED_ORIGIN={origin}"
        );
    }
}

#[derive(Debug, Deserialize)]
struct SourcesQuery {
    #[serde(rename = "userId")]
    user_id: Option<String>,
}

/// `GET /api/airbyte/sources?userId=…` → `{data: [SourceListItem]}`.
async fn sources(
    State(state): State<AppState>,
    query: Result<Query<SourcesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let user = user_id(query.user_id.map(serde_json::Value::String).as_ref())?;
    let (client, user) = (&state.client, &user);
    let data = state
        .with_application_token("Could not list the sources", |app_token| async move {
            client.sources(&app_token, user).await
        })
        .await?;
    Ok(axum::Json(json!({"data": data})).into_response())
}

/// What the SPA needs to know; nothing secret.
async fn spa_config(State(state): State<AppState>) -> Response {
    axum::Json(json!({
        "widgetScriptUrl": state.widget_script_url,
        "allowedOrigin": state.allowed_origin,
        "airbyteApiUrl": state.api_url,
        "mock": !state.api_url.contains("airbyte.ai") && !state.api_url.contains("airbyte.com"),
    }))
    .into_response()
}

async fn users(State(state): State<AppState>) -> Response {
    axum::Json(json!({"users": state.users})).into_response()
}

async fn api_not_found(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        message: format!("no API route {}", uri.path()),
        upstream_status: None,
    }
}

const NO_SPA: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Demo server</title>\
<body style=\"font-family:system-ui;max-width:40rem;margin:4rem auto\"><h1>The SPA is not built</h1>\
<p>The demo server is running, but <code>web/dist</code> does not exist. Build it with \
<code>just demo</code> (or <code>cd web &amp;&amp; trunk build --release</code>).</p></body></html>";

/// The demo backend as a router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/airbyte/widget-token", post(widget_token))
        .route("/airbyte/sources", get(sources))
        .route("/airbyte/sync-status", get(mock_control::sync_status))
        .route("/airbyte/sources/{id}/preview", post(preview::preview))
        .route("/config", get(spa_config))
        .route("/users", get(users))
        .route("/mock", get(mock_control::status))
        .route("/mock/{*rest}", any(mock_control::proxy))
        .fallback(api_not_found);
    let index = state.dist.join("index.html");
    let router = Router::new()
        .nest("/api", api)
        .route("/healthz", get(|| async { "ok" }));
    let router = if index.exists() {
        // Client-side routes fall back to index.html.
        router.fallback_service(ServeDir::new(&state.dist).fallback(ServeFile::new(index)))
    } else {
        router.fallback(|| async { (StatusCode::OK, Html(NO_SPA)) })
    };
    router
        .layer(workbench_http::request_log("demo-server"))
        .with_state(state)
}

/// A bound, not yet running demo server.
#[derive(Debug)]
pub struct Server {
    listener: workbench_http::Listener,
    own_origin: String,
    state: AppState,
}

impl Server {
    /// Binds `config.addr` (a taken port is an error that names it) and prepares the state.
    pub async fn bind(config: &Config) -> Result<Self, String> {
        let listener = workbench_http::Listener::bind(config.addr)
            .await
            .map_err(|e| e.to_string())?;
        // Loopback is written `localhost`, as in the printed URL, so that is the default origin too.
        let reachable = listener.reachable_addr();
        let own_origin = if reachable.ip().is_loopback() {
            format!("http://localhost:{}", reachable.port())
        } else {
            format!("http://{reachable}")
        };
        let state = AppState::new(config, &own_origin)?;
        Ok(Self {
            listener,
            own_origin,
            state,
        })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr()
    }

    /// Where a browser on this machine opens the SPA: `http://localhost:<port>` on loopback.
    pub fn url(&self) -> &str {
        &self.own_origin
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes; then the mock-control streams end and requests in flight
    /// finish.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let shutdown = async move {
            shutdown.await;
            state.mock.shut_down();
        };
        self.listener.serve(app(self.state), shutdown).await
    }
}
