//! `POST /api/v1/integrations/connectors/{id}/execute`: an operator (or its agent) runs `list`,
//! `get` or `search` on one entity of a connected source; the records are simulated
//! (`domain::execute`).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::execute::{self, ExecuteRequest};
use crate::error::AppResult;
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/integrations/connectors/{id}/execute",
        post(execute_connector),
    )
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
