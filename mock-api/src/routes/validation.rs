//! `GET /_mock/validation` (what `--validate` found, per operation) and `DELETE /_mock/validation`
//! (forget it). What they read lives in `crate::validation`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, ControlErrors};
use crate::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary, clear))
}

/// Per operation of the published document: requests checked, violations, the last few found.
#[utoipa::path(get, path = "/validation", tag = openapi::MOCK,
    responses((status = 200, description = "`{enabled, operations: [{operation, checked, request_violations, response_violations, recent}]}`", body = Object),
        ControlErrors))]
async fn summary(State(state): State<AppState>) -> Response {
    ok(&state.validation.summary())
}

/// Forgets what validation found so far.
#[utoipa::path(delete, path = "/validation", tag = openapi::MOCK,
    responses((status = 204, description = "Cleared"), ControlErrors))]
async fn clear(State(state): State<AppState>) -> StatusCode {
    state.validation.clear();
    StatusCode::NO_CONTENT
}
