//! The operator's view of end users: workspaces and the sources (connectors) in them.

use airbyte_embedded::{
    ConnectorSourceCreateRequest, ConnectorSourceUpdateRequest, DeleteAccepted, ListResponse,
    SourceCheckResponse, SourceListItem, SourceRead, Workspace, WorkspaceListResponse,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::openapi::{self, ItemErrors, OrganizationHeader, ReadErrors, ReadItemErrors};
use super::{json, ok};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::sources::{self, Caller, ConfigField, SourceFilter};
use crate::domain::templates;
use crate::domain::workspaces::{self, WorkspaceFilter, region, workspace_name};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};
use crate::warning::{Leniency, Warnings};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connectors, create_connector))
        // Airbyte's Python SDK creates sources at this path, without the `/api` prefix (E16).
        .routes(routes!(sdk_create_connector))
        .routes(routes!(check_new_connector))
        .routes(routes!(get_connector, update_connector, delete_connector))
        .routes(routes!(check_connector_update))
        .routes(routes!(list_workspaces))
        // Before `/{id}`, which would take `stats` for an id.
        .routes(routes!(workspace_stats))
        .routes(routes!(get_workspace, update_workspace, delete_workspace))
}

/// `workspace_id`, or `workspace_name` (or its deprecated `customer_name` / `external_user_id`).
/// `Ok(None)`: no selector, every workspace. `Ok(Some(None))`: a name with no workspace yet.
fn workspace_selector(state: &AppState, query: &QueryPairs) -> AppResult<Option<Option<Uuid>>> {
    if let Some(id) = query.uuid("workspace_id")? {
        return Ok(Some(Some(id)));
    }
    let name = ["workspace_name", "customer_name", "external_user_id"]
        .iter()
        .find_map(|k| query.get(k));
    Ok(name.map(|name| state.store.workspace_id(name)))
}

/// The sources, of one workspace or of all.
#[utoipa::path(get, path = "/api/v1/integrations/connectors", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("workspace_id" = Option<Uuid>, Query, description = "Only this workspace's sources"),
        ("workspace_name" = Option<String>, Query, description = "Only this workspace's sources, by name"),
        ("customer_name" = Option<String>, Query, description = "Deprecated spelling of `workspace_name`"),
        ("external_user_id" = Option<String>, Query, description = "Deprecated spelling of `workspace_name`"),
        ("definition_id" = Option<Uuid>, Query, description = "Only sources of this connector definition")),
    responses((status = 200, description = "The sources", body = ListResponse<SourceListItem>), ReadErrors))]
async fn list_connectors(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let filter = SourceFilter {
        workspace: workspace_selector(&state, &query)?,
        definition_id: query.uuid("definition_id")?,
    };
    Ok(ok(&ListResponse::new(sources::list(&state.store, filter))))
}

/// One source.
#[utoipa::path(get, path = "/api/v1/integrations/connectors/{id}", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source (connector) id")),
    responses((status = 200, description = "The source", body = SourceRead), ReadItemErrors))]
async fn get_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&sources::read(&state.store, Caller::Operator, id)?))
}

/// Deletes a source; Airbyte answers 202 with the deletion job.
#[utoipa::path(delete, path = "/api/v1/integrations/connectors/{id}", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source (connector) id")),
    responses((status = 202, description = "Deletion accepted", body = DeleteAccepted), ReadItemErrors))]
async fn delete_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    sources::delete(&state.store, Caller::Operator, id)?;
    let job_id = state.store.with_ids(crate::ids::Ids::uuid);
    Ok(json(StatusCode::ACCEPTED, &DeleteAccepted { job_id }))
}

/// The workspaces, a page at a time.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = openapi::WORKSPACES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("name_contains" = Option<String>, Query, description = "Only names containing this"),
        ("status" = Option<String>, Query, description = "`active` or `inactive`"),
        ("limit" = Option<u32>, Query, description = "1 to 100, default 20"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next`")),
    responses((status = 200, description = "A page of workspaces", body = WorkspaceListResponse), ReadErrors))]
async fn list_workspaces(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let limit = match query.get("limit") {
        None => 20,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                AppError::invalid("limit", format!("'{raw}' is not an integer from 1 to 100"))
            })?,
    };
    let offset = match query.get("cursor") {
        None => 0,
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| AppError::invalid("cursor", "is not a cursor this mock issued"))?,
    };
    let status = query.get("status");
    if let Some(s) = status {
        WorkspaceFilter::check_status(s)?;
    }
    let filter = WorkspaceFilter {
        status,
        name_contains: query.get("name_contains"),
    };
    let (page, more) = workspaces::page(&state.store, &filter, offset, limit);
    // `next` is the next page's URL, as the published document describes it; the cursor is an offset.
    let next = more.then(|| {
        let mut url = format!(
            "{}/api/v1/workspaces?limit={limit}&cursor={}",
            state.public_url,
            offset + limit
        );
        for (key, value) in [
            ("name_contains", query.get("name_contains")),
            ("status", status),
        ] {
            if let Some(value) = value {
                url.push_str(&format!(
                    "&{key}={}",
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
                ));
            }
        }
        url
    });
    Ok(ok(&WorkspaceListResponse { next, data: page }))
}

/// One workspace.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}", tag = openapi::WORKSPACES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The workspace id")),
    responses((status = 200, description = "The workspace", body = Workspace), ReadItemErrors))]
async fn get_workspace(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&workspaces::get(&state.store, id)?))
}

/// `WorkspaceUpdateRequest`. Unknown fields are ignored like everywhere else: the published schema
/// does not forbid them (unlike `OAuthCredentialsRequest`, which says `additionalProperties: false`).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
struct WorkspaceUpdate {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    cache_enabled: Option<bool>,
}

/// Renames a workspace, or changes its status or cache flag.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}", tag = openapi::WORKSPACES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The workspace id")),
    request_body = WorkspaceUpdate,
    responses((status = 200, description = "The workspace", body = Workspace), ItemErrors))]
async fn update_workspace(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<WorkspaceUpdate>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    if let Some(name) = req.name.as_deref() {
        workspaces::lenient_name(&mut warnings, "name", name)?;
    }
    let workspace = workspaces::update(
        &state.store,
        id,
        req.name.as_deref(),
        req.status.as_deref(),
        req.cache_enabled,
    )?;
    Ok(warnings.apply(ok(&workspace)))
}

/// Deletes a workspace and its sources.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}", tag = openapi::WORKSPACES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The workspace id")),
    responses((status = 200, description = "Deleted", body = WorkspaceDeleted), ReadItemErrors))]
async fn delete_workspace(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let deleted_at = workspaces::delete(&state.store, id)?;
    Ok(ok(
        &serde_json::json!({ "id": id, "deleted_at": deleted_at }),
    ))
}

/// Counts of the organization's workspaces.
#[utoipa::path(get, path = "/api/v1/workspaces/stats", tag = openapi::WORKSPACES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    responses((status = 200, description = "The counts", body = WorkspaceStats), ReadErrors))]
async fn workspace_stats(State(state): State<AppState>, _op: Operator) -> AppResult<Response> {
    let (active, inactive, total) = workspaces::stats(&state.store);
    Ok(ok(&serde_json::json!({
        "active_count": active,
        "inactive_count": inactive,
        "total_count": total,
    })))
}

/// The configuration of a create: these templates replicate, so `replication_config` is the one
/// that counts.
fn replication_config(
    req: &ConnectorSourceCreateRequest,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    match (
        &req.replication_config,
        &req.credentials,
        &req.server_side_oauth_secret_id,
    ) {
        (Some(config), _, _) => Ok(config.clone()),
        (None, None, None) => Err(AppError::missing("replication_config")),
        _ => Err(AppError::invalid(
            "replication_config",
            "field required: the mock's templates are REPLICATION-mode, which take the full configuration here",
        )),
    }
}

/// `connector_type` that found `template` only through its image name (`source-stripe`): the published
/// document calls it the connector name, matched case-insensitively (e.g. `Stripe`), so Airbyte may
/// not match it. A leniency (warning, or the 422 under `--strict`).
fn check_connector_type(
    warnings: &mut Warnings,
    req: &ConnectorSourceCreateRequest,
    template: &airbyte_embedded::DetailedSourceTemplate,
) -> AppResult<()> {
    let Some(sent) = req.connector_type.as_deref() else {
        return Ok(());
    };
    let sent_lower = sent.to_lowercase();
    let slug = template.connector_name.as_deref().unwrap_or_default();
    if sent_lower != slug.to_lowercase() || !slug.starts_with("source-") {
        return Ok(());
    }
    warnings.lenient(Leniency {
        field: "connector_type".to_owned(),
        warning: format!(
            "connector_type '{sent}' is the connector's image name; Airbyte's published document asks for the connector \
             name (case-insensitive, e.g. 'Hubspot'), so it may not match there: send '{}'",
            template.name
        ),
        refusal: format!(
            "'{sent}' is the connector's image name, not its name: send '{}'",
            template.name
        ),
        code: "connector_type_alias",
        suggestion: Some(template.name.clone()),
    })
}

/// `POST /api/v1/integrations/connectors`: a source for an end user without the widget (the
/// workspace is created if the name is new, as with widget tokens).
/// Creates a source in the named workspace (created on first use).
#[utoipa::path(post, path = "/api/v1/integrations/connectors", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ConnectorSourceCreateRequest,
    responses((status = 200, description = "The new source", body = SourceRead), ItemErrors))]
async fn create_connector(
    State(state): State<AppState>,
    path: axum::extract::MatchedPath,
    op: Operator,
    Json(req): Json<ConnectorSourceCreateRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    // The Python SDK's path (E16) is the one where `customer_name` is the client's real field.
    let accepted: &[&str] = if path.as_str().starts_with("/v1/") {
        &["customer_name"]
    } else {
        &[]
    };
    let name = workspace_name(&req, &mut warnings, accepted)?;
    let config = replication_config(&req)?;
    let template = templates::resolve_for_connector(&state.store, op.organization_id, &req)?;
    check_connector_type(&mut warnings, &req, &template)?;
    let (workspace, _) = state.store.workspace_for(&name, region(None)?);
    let read = sources::create(
        &state,
        ConfigField::ReplicationConfig,
        workspace.id,
        &template,
        (config, crate::domain::replication::ConnectionSelection::ALL),
        req.name,
    )
    .await?;
    Ok(warnings.apply(ok(&read)))
}

/// `POST /api/v1/integrations/connectors/check`: the same body, checked and not stored.
/// Checks a configuration before creating a source.
#[utoipa::path(post, path = "/api/v1/integrations/connectors/check", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ConnectorSourceCreateRequest,
    responses((status = 200, description = "The check's outcome", body = SourceCheckResponse), ItemErrors))]
async fn check_new_connector(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<ConnectorSourceCreateRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    workspace_name(&req, &mut warnings, &[])?;
    let config = replication_config(&req)?;
    let template = templates::resolve_for_connector(&state.store, op.organization_id, &req)?;
    check_connector_type(&mut warnings, &req, &template)?;
    let response = sources::check(
        &state,
        ConfigField::ReplicationConfig,
        &template,
        None,
        config,
    )
    .await?;
    warnings.simulated_check(&response);
    Ok(warnings.apply(ok(&response)))
}

/// Changes a source's configuration or name.
#[utoipa::path(put, path = "/api/v1/integrations/connectors/{id}", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source (connector) id")),
    request_body = ConnectorSourceUpdateRequest,
    responses((status = 200, description = "The source", body = SourceRead), ItemErrors))]
async fn update_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectorSourceUpdateRequest>,
) -> AppResult<Response> {
    let read = sources::update(
        &state,
        ConfigField::ReplicationConfig,
        Caller::Operator,
        id,
        req.replication_config,
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// `POST /api/v1/integrations/connectors/{id}/check`: the source's configuration, or the update of
/// it in the body (masked secrets keep their stored values).
/// Checks a changed configuration of an existing source.
#[utoipa::path(post, path = "/api/v1/integrations/connectors/{id}/check", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source (connector) id")),
    request_body = ConnectorSourceUpdateRequest,
    responses((status = 200, description = "The check's outcome", body = SourceCheckResponse), ItemErrors))]
async fn check_connector_update(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectorSourceUpdateRequest>,
) -> AppResult<Response> {
    let (record, template) = sources::stored(&state.store, Caller::Operator, id)?;
    let config = req
        .replication_config
        .unwrap_or_else(|| record.config.map());
    let response = sources::check(
        &state,
        ConfigField::ReplicationConfig,
        &template,
        Some(&record),
        config,
    )
    .await?;
    let mut warnings = state.warnings();
    warnings.simulated_check(&response);
    Ok(warnings.apply(ok(&response)))
}

/// The SDK's path for creating a source, without the `/api` prefix (contract notes, E16).
#[utoipa::path(post, path = "/v1/integrations/connectors", tag = openapi::CONNECTORS,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ConnectorSourceCreateRequest,
    responses((status = 200, description = "The new source", body = SourceRead), ItemErrors))]
async fn sdk_create_connector(
    state: State<AppState>,
    path: axum::extract::MatchedPath,
    op: Operator,
    req: Json<ConnectorSourceCreateRequest>,
) -> AppResult<Response> {
    create_connector(state, path, op, req).await
}

/// The answer of `DELETE /api/v1/workspaces/{id}`, for the document (the handler builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct WorkspaceDeleted {
    id: Uuid,
    /// RFC 3339.
    deleted_at: String,
}

/// The answer of `GET /api/v1/workspaces/stats`, for the document (the handler builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct WorkspaceStats {
    active_count: u64,
    inactive_count: u64,
    total_count: u64,
}
