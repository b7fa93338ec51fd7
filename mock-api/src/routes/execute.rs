//! `POST /api/v1/integrations/connectors/{id}/execute`: an operator (or its agent) runs `list`,
//! `get` or `search` on one entity of a connected source; the records are simulated
//! (`domain::execute`). Also `GET /_mock/sources/{id}/entities`, the mock-only list of what execute
//! offers on a source, which the console and the demo app's data preview read.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::execute::{self, ExecuteRequest};
use crate::error::AppResult;
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations/connectors/{id}/execute",
            post(execute_connector),
        )
        // Under /_mock, so the admin guard (which judges the path) applies to it.
        .route("/_mock/sources/{id}/entities", get(source_entities))
}

async fn source_entities(State(state): State<AppState>, IdPath(id): IdPath) -> AppResult<Response> {
    Ok(ok(&execute::entities(&state.store, &state.catalog, id)?))
}

async fn execute_connector(
    State(state): State<AppState>,
    op: Operator,
    IdPath(id): IdPath,
    Json(request): Json<ExecuteRequest>,
) -> AppResult<Response> {
    Ok(ok(&execute::execute(
        &state.store,
        &state.catalog,
        op.organization_id,
        id,
        &request,
    )?))
}
