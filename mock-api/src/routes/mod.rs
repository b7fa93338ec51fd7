//! The route table: token endpoints, the operator API, the end-user API (with CORS), the widget
//! stand-in's assets, the operator console at `/`, and the `/_mock` control plane.

pub(crate) mod admin;
pub(crate) mod connectors;
pub(crate) mod console;
pub(crate) mod control;
pub(crate) mod definitions;
pub(crate) mod embedded;
pub(crate) mod execute;
pub(crate) mod oauth;
pub(crate) mod replication;
pub(crate) mod templates;
pub(crate) mod tokens;
pub(crate) mod validation;
pub(crate) mod widget;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{self, AppError};
use crate::extract::BODY_LIMIT;

pub(crate) fn router(state: AppState) -> Router {
    let end_user =
        embedded::router()
            .merge(tokens::end_user_router())
            .layer(middleware::from_fn_with_state(
                state.clone(),
                crate::cors::end_user_cors,
            ));
    Router::new()
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
                .merge(replication::router()),
        )
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
