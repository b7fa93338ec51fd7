//! `POST /api/v1/integrations/connectors/{id}/execute`: an operator (or its agent) runs `list`,
//! `get` or `search` on one entity of a connected source; the records are simulated
//! (`domain::execute`).

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, ItemErrors, OrganizationHeader};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::execute::{self, ExecuteRequest};
use crate::error::AppResult;
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(execute_connector))
}

/// Runs `list`, `get` or `search` on one entity of a source; the records are simulated.
#[utoipa::path(post, path = "/api/v1/integrations/connectors/{id}/execute", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source (connector) id")),
    request_body = ExecuteRequest,
    responses((status = 200, description = "The records", body = ExecuteResponse), ItemErrors))]
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

/// The answer, for the document (`domain::execute` builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct ExecuteResponse {
    /// `success`.
    status: String,
    /// The records (`list`, `search`) or the record (`get`).
    result: Value,
    /// The connector, definition, entity and action that answered.
    connector_metadata: Value,
    /// The source and the (simulated) time the call took.
    execution_metadata: Value,
}
