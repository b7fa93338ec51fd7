//! OAuth app credentials: `PUT /api/v1/oauth/credentials` and
//! `DELETE /api/v1/oauth/credentials/connector_type/{connector_type}` (204, idempotent); and the
//! server-side OAuth flow Airbyte's Python SDK uses (not in the 0.9.0 document):
//! `POST /api/v1/integrations/connectors/oauth/initiate` → `{consent_url}` on the mock's consent page,
//! whose Allow / Deny post to `/embedded-widget/oauth/complete` and end on `redirect_url`.

use airbyte_embedded::{ApiErrorResponse, ConnectorSourceCreateRequest};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::ok;
use super::openapi::{self, ItemErrors, OrganizationHeader, ReadItemErrors};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::oauth::{self, OAuthCredentialsRequest};
use crate::domain::templates;
use crate::domain::workspaces::workspace_name;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_credentials))
        .routes(routes!(delete_credentials))
        .routes(routes!(initiate))
        .routes(routes!(complete))
}

/// The SDK's initiate body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct InitiateRequest {
    #[serde(default)]
    customer_name: Option<String>,
    #[serde(default)]
    workspace_name: Option<String>,
    #[serde(default)]
    definition_id: Option<Uuid>,
    #[serde(default)]
    connector_type: Option<String>,
    #[serde(default)]
    source_template_id: Option<Uuid>,
    redirect_url: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    replication_config: Option<Map<String, Value>>,
    /// Accepted and ignored (the mock's templates replicate).
    #[serde(default)]
    #[allow(dead_code)]
    environment: Option<Value>,
}

/// Starts the server-side OAuth flow of the Python SDK: a consent URL on the mock's consent page.
#[utoipa::path(post, path = "/api/v1/integrations/connectors/oauth/initiate", tag = openapi::OAUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = InitiateRequest,
    responses((status = 200, description = "Where to send the user", body = ConsentUrl), ItemErrors))]
async fn initiate(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<InitiateRequest>,
) -> AppResult<Response> {
    let create = ConnectorSourceCreateRequest {
        workspace_name: req.workspace_name,
        customer_name: req.customer_name,
        definition_id: req.definition_id,
        connector_type: req.connector_type,
        source_template_id: req.source_template_id,
        ..Default::default()
    };
    // The SDK's own body names the workspace `customer_name` (E16): a real client, no warning.
    let mut warnings = state.warnings();
    let name = workspace_name(&create, &mut warnings, &["customer_name"])?;
    let template = templates::resolve_for_connector(&state.store, op.organization_id, &create)?;
    let session = oauth::start_session(
        &state.store,
        &template,
        name,
        &req.redirect_url,
        req.name,
        req.replication_config.unwrap_or_default(),
    )?;
    let consent_url = format!(
        "{}/embedded-widget/oauth/consent?source_template_id={}&session={session}",
        state.public_url, template.id
    );
    Ok(warnings.apply(ok(&json!({ "consent_url": consent_url }))))
}

#[utoipa::path(post, path = "/embedded-widget/oauth/complete", tag = openapi::OAUTH,
    params(("session" = Uuid, Query, description = "The flow, from the consent URL"),
        ("decision" = String, Query, description = "`allow` or `deny`")),
    responses((status = 303, description = "Back to the flow's `redirect_url`",
            headers(("Location" = String, description = "The flow's redirect_url, with the outcome"))),
        (status = 404, description = "No such flow", body = ApiErrorResponse),
        (status = 422, description = "A missing or invalid parameter", body = ApiErrorResponse)))]
/// The consent page's Allow (`decision=allow`) or Deny: a 303 to the flow's `redirect_url`.
async fn complete(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let session = query
        .uuid("session")?
        .ok_or_else(|| AppError::missing("session"))?;
    let allow = match query.get("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return Err(AppError::invalid("decision", "must be allow or deny")),
    };
    let location = oauth::complete(&state, session, allow).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// Stores the organization's OAuth app credentials for one connector.
#[utoipa::path(put, path = "/api/v1/oauth/credentials", tag = openapi::OAUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = OAuthCredentialsRequest,
    responses((status = 200, description = "The stored credentials, without the secrets", body = OAuthCredentials), ItemErrors))]
async fn put_credentials(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<OAuthCredentialsRequest>,
) -> AppResult<Response> {
    let body = oauth::put(&state.store, &state.catalog, op.organization_id, req)?;
    Ok(ok(&body))
}

/// Deletes the organization's OAuth app credentials for a connector type (idempotent).
#[utoipa::path(delete, path = "/api/v1/oauth/credentials/connector_type/{connector_type}", tag = openapi::OAUTH,
    security(("bearer" = [])),
    params(OrganizationHeader, ("connector_type" = String, Path, description = "The connector's name, e.g. `hubspot`")),
    responses((status = 204, description = "Deleted (or nothing was stored)"), ReadItemErrors))]
async fn delete_credentials(
    State(state): State<AppState>,
    op: Operator,
    Path(connector_type): Path<String>,
) -> AppResult<Response> {
    oauth::delete(
        &state.store,
        &state.catalog,
        op.organization_id,
        &connector_type,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The answer of the initiate call, for the document (the handler builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct ConsentUrl {
    consent_url: String,
}

/// `OAuthCredentialsResponse`, for the document (`domain::oauth` builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct OAuthCredentials {
    id: Uuid,
    scope_type: String,
    scope_id: Uuid,
    /// `source`.
    connector_type: String,
    connector_definition_id: Uuid,
    created_at: String,
    updated_at: String,
}
