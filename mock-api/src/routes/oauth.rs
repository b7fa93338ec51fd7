//! OAuth app credentials: `PUT /api/v1/oauth/credentials` and
//! `DELETE /api/v1/oauth/credentials/connector_type/{connector_type}` (204, idempotent); and the
//! server-side OAuth flow Airbyte's Python SDK uses (not in the 0.9.0 document):
//! `POST /api/v1/integrations/connectors/oauth/initiate` → `{consent_url}` on the mock's consent page,
//! whose Allow / Deny post to `/embedded-widget/oauth/complete` and end on `redirect_url`.

use airbyte_embedded::ConnectorSourceCreateRequest;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::oauth::{self, OAuthCredentialsRequest};
use crate::domain::templates;
use crate::domain::workspaces::workspace_name;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/oauth/credentials", put(put_credentials))
        .route(
            "/api/v1/oauth/credentials/connector_type/{connector_type}",
            delete(delete_credentials),
        )
        .route(
            "/api/v1/integrations/connectors/oauth/initiate",
            post(initiate),
        )
        .route("/embedded-widget/oauth/complete", post(complete))
}

/// The SDK's initiate body.
#[derive(Debug, Deserialize)]
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

async fn put_credentials(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<OAuthCredentialsRequest>,
) -> AppResult<Response> {
    let body = oauth::put(&state.store, &state.catalog, op.organization_id, req)?;
    Ok(ok(&body))
}

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
