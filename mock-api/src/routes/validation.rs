//! `GET /_mock/validation` (what `--validate` found, per operation) and `DELETE /_mock/validation`
//! (forget it). What they read lives in `crate::validation`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::ok;
use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/validation", get(summary).delete(clear))
}

async fn summary(State(state): State<AppState>) -> Response {
    ok(&state.validation.summary())
}

async fn clear(State(state): State<AppState>) -> StatusCode {
    state.validation.clear();
    StatusCode::NO_CONTENT
}
