//! The operator console at `/`: the offline stand-in for Airbyte's dashboard. A page shell and its ES
//! modules and stylesheet under `/console/<file>`, plus `GET /_mock/console/credentials` (behind the
//! admin guard) from which the page reads the demo client credentials. Everything else the page does goes
//! through the mock's own published operator API, exactly as a backend would.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, ControlErrors};
use super::widget::{asset, html_page};
use crate::AppState;

const PAGE_HTML: &str = include_str!("../../assets/console/index.html");

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The console's modules and stylesheet, each served at `/console/<name>`; a test compares this list
/// with the directory.
pub(crate) const ASSETS: [(&str, &str, &str); 3] = [
    (
        "console.js",
        include_str!("../../assets/console/console.js"),
        JAVASCRIPT,
    ),
    (
        "api.js",
        include_str!("../../assets/console/api.js"),
        JAVASCRIPT,
    ),
    (
        "console.css",
        include_str!("../../assets/console/console.css"),
        CSS,
    ),
];

/// `/`, `/console/<file>` and `/_mock/console/credentials`.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(page))
        // Under /_mock, so the admin guard (which judges the path) applies to it.
        .routes(routes!(credentials));
    ASSETS
        .into_iter()
        .fold(router, |router, (name, body, content_type)| {
            openapi::asset_route(
                router,
                &format!("/console/{name}"),
                get(move |headers: HeaderMap| async move { asset(&headers, body, content_type) }),
                openapi::CONSOLE,
                content_type,
            )
        })
}

/// The one answer that carries the client secret, on purpose (the dashboard's "Installation" card
/// shows it): loopback or admin token only, and never stored by a browser cache.
#[utoipa::path(get, path = "/_mock/console/credentials", tag = openapi::CONSOLE,
    responses((status = 200, description = "The client credentials and the API's URL", body = ConsoleCredentials),
        ControlErrors))]
async fn credentials(State(state): State<AppState>) -> Response {
    let mut response = ok(&json!({
        "client_id": state.client_id,
        "client_secret": state.client_secret,
        "api_url": state.public_url,
    }));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The operator console (the offline stand-in for Airbyte's dashboard).
#[utoipa::path(get, path = "/", tag = openapi::CONSOLE,
    responses((status = 200, description = "The console page", content_type = "text/html")))]
async fn page() -> Response {
    // The widget stand-in injects its own <style> element and frames /embedded-widget (same origin).
    html_page(
        PAGE_HTML.to_owned(),
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    )
}

/// The answer of `/_mock/console/credentials`, for the document (the handler builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct ConsoleCredentials {
    client_id: String,
    client_secret: String,
    api_url: String,
}
