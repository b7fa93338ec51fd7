//! The journal and the fault rules under `/_mock`: `GET`/`DELETE /requests`, `GET /requests/stream`
//! (server-sent events), `POST`/`GET`/`DELETE /faults` and `DELETE /faults/{id}`. What they act on
//! lives in `crate::control`.

use std::time::Duration;

use airbyte_embedded::ApiErrorResponse;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{self, ControlBodyErrors, ControlErrors};
use super::{json, ok};
use crate::AppState;
use crate::control::faults::Rule;
use crate::control::journal::Filter;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

/// How often an idle stream sends a comment, so proxies and clients keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, clear_requests))
        .routes(routes!(stream_requests))
        .routes(routes!(list_faults, add_fault, clear_faults))
        .routes(routes!(delete_fault))
}

/// The request journal.
#[utoipa::path(get, path = "/requests", tag = openapi::MOCK,
    params(("path" = Option<String>, Query, description = "Only paths containing this"),
        ("method" = Option<String>, Query, description = "Only this method"),
        ("status" = Option<u16>, Query, description = "Only this status")),
    responses((status = 200, description = "`{data: [entry…], dropped, capacity}`, oldest first", body = Object), ControlErrors))]
/// `{data: [entry…], dropped, capacity}`, oldest first.
async fn list_requests(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let filter = Filter::from_query(&query)?;
    Ok(ok(&state.control.journal.page(&filter)))
}

/// Empties the request journal.
#[utoipa::path(delete, path = "/requests", tag = openapi::MOCK,
    responses((status = 204, description = "Emptied"), ControlErrors))]
async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.control.journal.clear();
    StatusCode::NO_CONTENT
}

/// The request journal as server-sent events.
#[utoipa::path(get, path = "/requests/stream", tag = openapi::MOCK,
    params(("path" = Option<String>, Query, description = "Only paths containing this"),
        ("method" = Option<String>, Query, description = "Only this method"),
        ("status" = Option<u16>, Query, description = "Only this status")),
    responses((status = 200, description = "`event: request` per new entry", content_type = "text/event-stream"), ControlErrors))]
/// New entries as they are recorded (`event: request`); `path`, `method` and `status` filter them.
async fn stream_requests(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let filter = Filter::from_query(&query)?;
    Ok(Sse::new(state.control.journal.events(filter))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response())
}

/// Adds a fault rule.
#[utoipa::path(post, path = "/faults", tag = openapi::MOCK,
    request_body = Object,
    responses((status = 201, description = "The rule, with its id", body = Object), ControlBodyErrors))]
async fn add_fault(
    State(state): State<AppState>,
    Json(body): Json<Map<String, Value>>,
) -> AppResult<Response> {
    let rule = state.control.faults.add(Rule::parse(body)?);
    match rule.connection_id {
        Some(connection) => tracing::info!(id = %rule.id, %connection, "fault rule added"),
        None => tracing::info!(id = %rule.id, path = %rule.path, "fault rule added"),
    }
    Ok(json(StatusCode::CREATED, &rule))
}

/// The fault rules.
#[utoipa::path(get, path = "/faults", tag = openapi::MOCK,
    responses((status = 200, description = "`{data: [rule…]}`", body = Object), ControlErrors))]
async fn list_faults(State(state): State<AppState>) -> Response {
    ok(&json!({"data": state.control.faults.all()}))
}

/// Removes one fault rule.
#[utoipa::path(delete, path = "/faults/{id}", tag = openapi::MOCK,
    params(("id" = String, Path, description = "The rule's id")),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such rule", body = ApiErrorResponse), ControlErrors))]
async fn delete_fault(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if state.control.faults.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("Fault rule", id))
    }
}

/// Removes every fault rule.
#[utoipa::path(delete, path = "/faults", tag = openapi::MOCK,
    responses((status = 204, description = "Removed"), ControlErrors))]
async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.control.faults.clear();
    StatusCode::NO_CONTENT
}
