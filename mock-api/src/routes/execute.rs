//! `POST /api/v1/integrations/connectors/{id}/execute`: an operator (or its agent) runs `list`,
//! `get` or `search` on one entity of a connected source; the records are simulated
//! (`domain::execute`). Also `GET /_mock/sources/{id}/entities`, the mock-only list of what execute
//! offers on a source, which the console and the demo app's data preview read.

use airbyte_embedded::ApiErrorResponse;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, ControlErrors, ItemErrors, OrganizationHeader};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::execute::{self, ExecuteRequest};
use crate::error::AppResult;
use crate::extract::{IdPath, Json};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(execute_connector))
        // Under /_mock, so the admin guard (which judges the path) applies to it.
        .routes(routes!(source_entities))
}

/// What execute offers on a source: its entities (name, fields, record count) and the actions.
#[utoipa::path(get, path = "/_mock/sources/{id}/entities", tag = openapi::MOCK,
    params(("id" = Uuid, Path, description = "The source (connector) id")),
    responses((status = 200, description = "`{source_id, connector_name, source_definition_id, actions, entities: [{name, fields, records}]}`", body = Object),
        (status = 404, description = "No such source", body = ApiErrorResponse), ControlErrors))]
async fn source_entities(State(state): State<AppState>, IdPath(id): IdPath) -> AppResult<Response> {
    Ok(ok(&execute::entities(&state.store, &state.catalog, id)?))
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
