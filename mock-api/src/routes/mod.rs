//! The route table: token endpoints, the operator API, the end-user API (with CORS), the widget
//! stand-in's assets, the operator console at `/`, and the `/_mock` control plane. Every route is
//! added through utoipa-axum's `OpenApiRouter` from `#[utoipa::path]` handlers, so the same list
//! builds the router and the mock's OpenAPI document (`/_mock/openapi.json`, see `openapi.rs`).

pub(crate) mod admin;
pub(crate) mod connectors;
pub(crate) mod console;
pub(crate) mod control;
pub(crate) mod definitions;
pub(crate) mod embedded;
pub(crate) mod execute;
pub(crate) mod oauth;
pub(crate) mod openapi;
pub(crate) mod replication;
pub(crate) mod templates;
pub(crate) mod tokens;
pub(crate) mod validation;
pub(crate) mod widget;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::{self, AppError};
use crate::extract::BODY_LIMIT;

/// Every route, each with its place in the document. A route added with `.route(…)` instead of
/// `.routes(routes!(…))` would be missing from the document: `every_route_is_annotated` refuses it.
pub(crate) fn api(state: &AppState) -> OpenApiRouter<AppState> {
    let end_user =
        embedded::router()
            .merge(tokens::end_user_router())
            .layer(middleware::from_fn_with_state(
                state.clone(),
                crate::cors::end_user_cors,
            ));
    OpenApiRouter::with_openapi(openapi::base())
        .merge(tokens::router())
        .merge(templates::router())
        .merge(connectors::router())
        .merge(execute::router())
        .merge(definitions::router())
        .merge(oauth::router())
        .merge(end_user)
        .merge(widget::router())
        .merge(console::router())
        .nest(
            "/_mock",
            admin::router()
                .merge(control::router())
                .merge(validation::router())
                .merge(replication::router())
                .merge(openapi::router()),
        )
}

pub(crate) fn router(state: AppState) -> Router {
    let (routes, document) = api(&state).split_for_parts();
    routes
        // What `GET /_mock/openapi.json` serves.
        .layer(Extension(openapi::Document::new(document)))
        .fallback(error::not_found_fallback)
        // --proxy/--record/--replay: the Airbyte API paths answered upstream or from a cassette.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::cassette::layer,
        ))
        // --validate: requests and answers of the published operations against their schemas.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::validation::layer,
        ))
        // Every path under /_mock, however nested: admin token or loopback only (admin_guard.rs).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::admin_guard::guard,
        ))
        .layer(middleware::from_fn(shape_bare_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Outermost: the journal sees every answer, faults' and 404s included.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::control::layer,
        ))
        .with_state(state)
}

/// axum answers a wrong method with an empty 405; give it Airbyte's error shape like everything else.
async fn shape_bare_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut shaped = error::method_not_allowed_fallback(method, uri)
            .await
            .into_response();
        if let Some(allow) = allow {
            shaped.headers_mut().insert(header::ALLOW, allow);
        }
        return shaped;
    }
    response
}

/// Shorthand for handlers that return JSON with a status.
pub(crate) fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("could not serialise the response: {e}"),
        )
        .into_response(),
    }
}

/// A 200 JSON response.
pub(crate) fn ok<T: serde::Serialize>(body: &T) -> Response {
    json(StatusCode::OK, body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// A route added with plain axum (`.route(…)`, `Router::new()`) would answer but be missing from
    /// `/_mock/openapi.json`; only `openapi::asset_route` may call `.route` (it documents the path
    /// itself). See ARCHITECTURE.md, "Adding a route".
    #[test]
    fn every_route_is_annotated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
        let mut offenders = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "openapi.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // The code, not its tests (this one included).
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (i, line) in code.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                // A plain axum `Router::new()`, not `OpenApiRouter::new()`.
                let plain_router = code.match_indices("Router::new()").any(|(at, _)| {
                    !code[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if plain_router
                    || [".route(", ".route_service(", ".nest_service("]
                        .iter()
                        .any(|call| code.contains(call))
                {
                    offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes outside the OpenAPI document; annotate the handler with #[utoipa::path] and add \
             it with .routes(routes!(handler)) instead:\n{}",
            offenders.join("\n")
        );
    }

    /// The document has every kind of route, each path under the prefix it is served at.
    #[tokio::test]
    async fn the_document_is_built_with_the_router() {
        let config = crate::Config::default();
        let state = crate::AppState::new(&config, "http://127.0.0.1:8001").unwrap();
        let doc = super::api(&state).into_openapi();
        for path in [
            "/api/v1/account/applications/token",
            "/api/v1/embedded/sources/{id}",
            "/embedded-widget/app.js",
            "/_mock/health",
            "/_mock/openapi.json",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
        assert!(
            !doc.paths.paths.contains_key("/health"),
            "nested paths keep /_mock"
        );
    }
}
