//! The floor: the least a widget-token endpoint can do (parse the body, sign one HS256 JWT,
//! Base64-encode `{token, widgetUrl}`), served by axum like the mock. `bench floor ADDR` runs it in
//! its own process so the load generator measures it exactly as it measures the mock.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::routing::post;
use base64::Engine;
use jsonwebtoken::{EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// Made once, as the mock keeps its signing key.
static KEY: LazyLock<Option<EncodingKey>> =
    LazyLock::new(|| EncodingKey::from_secret(b"floor-secret").ok());

#[derive(Deserialize)]
struct Body {
    workspace_name: String,
    allowed_origin: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    workspace_name: &'a str,
    allowed_origin: &'a str,
    roles: [&'static str; 1],
    iat: u64,
    exp: u64,
}

async fn widget_token(Json(body): Json<Body>) -> Json<serde_json::Value> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = Claims {
        sub: &body.workspace_name,
        workspace_name: &body.workspace_name,
        allowed_origin: &body.allowed_origin,
        roles: ["EMBEDDED_END_USER"],
        iat: now,
        exp: now + 1200,
    };
    let jwt = KEY
        .as_ref()
        .and_then(|key| jsonwebtoken::encode(&Header::default(), &claims, key).ok())
        .unwrap_or_default();
    let inner = serde_json::json!({
        "token": jwt,
        "widgetUrl": format!("http://127.0.0.1/embedded-widget?workspace={}", body.workspace_name),
    });
    let encoded = base64::engine::general_purpose::STANDARD.encode(inner.to_string());
    Json(serde_json::json!({ "token": encoded }))
}

/// Serves the floor on `addr` until killed; prints `listening` once bound.
pub(crate) fn serve(addr: &str) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = Router::new().route(
            "/api/v1/account/applications/widget-token",
            post(widget_token),
        );
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
