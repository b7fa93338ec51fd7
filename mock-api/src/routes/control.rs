//! The journal and the fault rules under `/_mock`: `GET`/`DELETE /requests`, `GET /requests/stream`
//! (server-sent events), `POST`/`GET`/`DELETE /faults` and `DELETE /faults/{id}`. What they act on
//! lives in `crate::control`.

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::{Map, Value, json};

use super::{json, ok};
use crate::AppState;
use crate::control::faults::Rule;
use crate::control::journal::Filter;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

/// How often an idle stream sends a comment, so proxies and clients keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/requests/stream", get(stream_requests))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(delete_fault))
}

/// `{data: [entry…], dropped, capacity}`, oldest first.
async fn list_requests(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let filter = Filter::from_query(&query)?;
    Ok(ok(&state.control.journal.page(&filter)))
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.control.journal.clear();
    StatusCode::NO_CONTENT
}

/// New entries as they are recorded (`event: request`); `path`, `method` and `status` filter them.
async fn stream_requests(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let filter = Filter::from_query(&query)?;
    Ok(Sse::new(state.control.journal.events(filter))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response())
}

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

async fn list_faults(State(state): State<AppState>) -> Response {
    ok(&json!({"data": state.control.faults.all()}))
}

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

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.control.faults.clear();
    StatusCode::NO_CONTENT
}
