//! Replication's mock-only routes under `/_mock` (the published document has no connection or job
//! operations): `GET /connections`, `GET /workspaces/{name}/connections`,
//! `GET /connections/{id}/jobs` and `POST /clock/advance {seconds}` (the test clock).

use airbyte_embedded::ApiErrorResponse;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, ControlBodyErrors, ControlErrors};
use crate::AppState;
use crate::domain::replication;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all_connections))
        .routes(routes!(connection_jobs))
        .routes(routes!(workspace_connections))
        .routes(routes!(advance_clock))
}

/// Every simulated connection, with its schedule and last job.
#[utoipa::path(get, path = "/connections", tag = openapi::MOCK,
    responses((status = 200, description = "The connections", body = Object), ControlErrors))]
async fn all_connections(State(state): State<AppState>) -> AppResult<Response> {
    Ok(ok(&replication::connections(
        &state.store,
        &state.sim,
        None,
    )?))
}

/// One workspace's simulated connections.
#[utoipa::path(get, path = "/workspaces/{name}/connections", tag = openapi::MOCK,
    params(("name" = String, Path, description = "The workspace's name")),
    responses((status = 200, description = "The connections", body = Object), ControlErrors))]
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

/// One connection's sync jobs.
#[utoipa::path(get, path = "/connections/{id}/jobs", tag = openapi::MOCK,
    params(("id" = Uuid, Path, description = "The connection id")),
    responses((status = 200, description = "`{data: [job…]}`", body = Object), (status = 404, description = "No such connection", body = ApiErrorResponse), ControlErrors))]
async fn connection_jobs(State(state): State<AppState>, IdPath(id): IdPath) -> AppResult<Response> {
    Ok(ok(
        &serde_json::json!({ "data": replication::jobs(&state.store, id)? }),
    ))
}

/// Moves the simulated clock forward (syncs that fall due run).
#[utoipa::path(post, path = "/clock/advance", tag = openapi::MOCK,
    request_body = Object,
    responses((status = 200, description = "What ran", body = Object), ControlBodyErrors))]
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
