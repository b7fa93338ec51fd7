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
pub(crate) mod widget;

use axum::extract::{DefaultBodyLimit, Request};
use axum::{Extension, Router};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

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
                .merge(replication::router())
                .merge(openapi::router()),
        )
}

pub(crate) fn router(state: AppState) -> Router {
    let (routes, document) = api(&state).split_for_parts();
    routes
        // What `GET /_mock/openapi.json` serves.
        .layer(Extension(openapi::Document::new(&document)))
        .fallback(error::not_found_fallback)
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
