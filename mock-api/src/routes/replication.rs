//! Replication's mock-only routes under `/_mock` (the published document has no connection or job
//! operations): `GET /connections`, `GET /workspaces/{name}/connections`,
//! `GET /connections/{id}/jobs` and `POST /clock/advance {seconds}` (the test clock).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value};

use super::ok;
use crate::AppState;
use crate::domain::replication;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/connections", get(all_connections))
        .route("/connections/{id}/jobs", get(connection_jobs))
        .route("/workspaces/{name}/connections", get(workspace_connections))
        .route("/clock/advance", post(advance_clock))
}

async fn all_connections(State(state): State<AppState>) -> AppResult<Response> {
    Ok(ok(&replication::connections(
        &state.store,
        &state.sim,
        None,
    )?))
}

async fn workspace_connections(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> AppResult<Response> {
    Ok(ok(&replication::connections(
        &state.store,
        &state.sim,
        Some(&name),
    )?))
}

async fn connection_jobs(State(state): State<AppState>, IdPath(id): IdPath) -> AppResult<Response> {
    Ok(ok(
        &serde_json::json!({ "data": replication::jobs(&state.store, id)? }),
    ))
}

/// `{seconds}`: a non-negative integer of at most ten years.
async fn advance_clock(
    State(state): State<AppState>,
    Json(body): Json<Map<String, Value>>,
) -> AppResult<Response> {
    let seconds = match body.get("seconds") {
        None => return Err(AppError::missing("seconds")),
        Some(v) => v
            .as_u64()
            .filter(|s| *s <= 10 * 365 * 86_400)
            .ok_or_else(|| {
                AppError::invalid("seconds", "must be an integer from 0 to 315360000")
            })?,
    };
    Ok(ok(&replication::advance(
        &state.store,
        &state.sim,
        &state.control.faults,
        seconds,
    )))
}
