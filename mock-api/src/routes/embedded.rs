//! The end-user API the authentication module calls with a scoped token: the templates this token
//! may see, and this workspace's sources (create, check, read, update, delete).

use airbyte_embedded::{
    DetailedSourceTemplate, ListResponse, SourceCheckRequest, SourceCheckResponse,
    SourceCreateRequest, SourceListItem, SourceRead, SourceTemplateListItem, SourceUpdateRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::ok;
use super::openapi::{self, ItemErrors, OrganizationHeader, ReadErrors, ReadItemErrors};
use crate::AppState;
use crate::auth::EndUser;
use crate::domain::sources::{self, Caller, ConfigField, SourceFilter};
use crate::domain::templates::{self, Selection};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates))
        .routes(routes!(get_template))
        .routes(routes!(list_sources, create_source))
        .routes(routes!(check_source))
        .routes(routes!(get_source, update_source, delete_source))
        .routes(routes!(current_organization))
}

/// A `workspace_id` query or body field must name the token's own workspace.
fn check_workspace(user: &EndUser, requested: Option<Uuid>) -> AppResult<()> {
    match requested {
        Some(id) if id != user.workspace_id() => Err(AppError::forbidden(format!(
            "This scoped token is for workspace {}, not {id}",
            user.workspace_id()
        ))),
        _ => Ok(()),
    }
}

impl EndUser {
    /// The token's tag selection of source templates.
    fn selection(&self) -> Selection<'_> {
        Selection {
            tags: &self.claims.selected_source_template_tags,
            mode: self.claims.selected_source_template_tags_mode,
        }
    }

    fn caller(&self) -> Caller {
        Caller::EndUser {
            workspace_id: self.workspace_id(),
        }
    }
}

/// The source templates this scoped token may see (its tag selection).
#[utoipa::path(get, path = "/api/v1/embedded/source-templates", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("workspace_id" = Option<Uuid>, Query, description = "Must be the token's own workspace")),
    responses((status = 200, description = "The templates", body = ListResponse<SourceTemplateListItem>), ReadErrors))]
async fn list_templates(
    State(state): State<AppState>,
    user: EndUser,
    query: QueryPairs,
) -> AppResult<Response> {
    check_workspace(&user, query.uuid("workspace_id")?)?;
    let items = templates::visible_source_templates(&state.store, user.selection());
    Ok(ok(&ListResponse::new(items)))
}

/// One source template this scoped token may see.
#[utoipa::path(get, path = "/api/v1/embedded/source-templates/{id}", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    responses((status = 200, description = "The template", body = DetailedSourceTemplate), ReadItemErrors))]
async fn get_template(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let template = templates::visible_source_template(&state.store, user.selection(), id)?;
    Ok(ok(&template))
}

/// The token's workspace's sources.
#[utoipa::path(get, path = "/api/v1/embedded/sources", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("workspace_id" = Option<Uuid>, Query, description = "Must be the token's own workspace")),
    responses((status = 200, description = "The sources", body = ListResponse<SourceListItem>), ReadErrors))]
async fn list_sources(
    State(state): State<AppState>,
    user: EndUser,
    query: QueryPairs,
) -> AppResult<Response> {
    check_workspace(&user, query.uuid("workspace_id")?)?;
    let filter = SourceFilter {
        workspace: Some(Some(user.workspace_id())),
        definition_id: None,
    };
    Ok(ok(&ListResponse::new(sources::list(&state.store, filter))))
}

/// Picks one of two spellings of a field; both present and different is an error.
fn one_of<T: PartialEq>(
    current: (&str, Option<T>),
    legacy: (&str, Option<T>),
) -> AppResult<Option<T>> {
    match (current.1, legacy.1) {
        (Some(a), Some(b)) if a != b => Err(AppError::invalid(
            legacy.0,
            format!("differs from {}; send only {}", current.0, current.0),
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

/// Creates a source in the token's workspace.
#[utoipa::path(post, path = "/api/v1/embedded/sources", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = SourceCreateRequest,
    responses((status = 200, description = "The new source", body = SourceRead), ItemErrors))]
async fn create_source(
    State(state): State<AppState>,
    user: EndUser,
    Json(req): Json<SourceCreateRequest>,
) -> AppResult<Response> {
    check_workspace(&user, req.workspace_id)?;
    let template_id = one_of(
        ("source_template_id", req.source_template_id),
        ("source_config_template_id", req.source_config_template_id),
    )?
    .ok_or_else(|| AppError::missing("source_template_id"))?;
    let config = one_of(
        ("source_config", req.source_config),
        ("connection_configuration", req.connection_configuration),
    )?
    .ok_or_else(|| AppError::missing("source_config"))?;
    let template = templates::visible_source_template(&state.store, user.selection(), template_id)
        .map_err(|_| {
            AppError::invalid(
                "source_template_id",
                format!("no source template '{template_id}' is available to this token"),
            )
        })?;
    let read = sources::create(
        &state,
        ConfigField::SourceConfig,
        user.workspace_id(),
        &template,
        (
            config,
            crate::domain::replication::ConnectionSelection {
                tags: &user.claims.selected_connection_template_tags,
                mode: user.claims.selected_connection_template_tags_mode,
            },
        ),
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// One of the workspace's sources.
#[utoipa::path(get, path = "/api/v1/embedded/sources/{id}", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source id")),
    responses((status = 200, description = "The source", body = SourceRead), ReadItemErrors))]
async fn get_source(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&sources::read(&state.store, user.caller(), id)?))
}

/// Changes one of the workspace's sources.
#[utoipa::path(put, path = "/api/v1/embedded/sources/{id}", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source id")),
    request_body = SourceUpdateRequest,
    responses((status = 200, description = "The source", body = SourceRead), ItemErrors))]
async fn update_source(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
    Json(req): Json<SourceUpdateRequest>,
) -> AppResult<Response> {
    let config = one_of(
        ("source_config", req.source_config),
        ("connection_configuration", req.connection_configuration),
    )?;
    let config = one_of(
        ("source_config", config),
        ("replication_config", req.replication_config),
    )?;
    let read = sources::update(
        &state,
        ConfigField::SourceConfig,
        user.caller(),
        id,
        config,
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// Deletes one of the workspace's sources.
#[utoipa::path(delete, path = "/api/v1/embedded/sources/{id}", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source id")),
    responses((status = 204, description = "Deleted"), ReadItemErrors))]
async fn delete_source(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    sources::delete(&state.store, user.caller(), id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Checks a configuration: of a new source (`source_template_id`) or a changed one (`source_id`).
#[utoipa::path(post, path = "/api/v1/embedded/sources/check", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = SourceCheckRequest,
    responses((status = 200, description = "The check's outcome", body = SourceCheckResponse), ItemErrors))]
async fn check_source(
    State(state): State<AppState>,
    user: EndUser,
    Json(req): Json<SourceCheckRequest>,
) -> AppResult<Response> {
    let config = req
        .source_config
        .ok_or_else(|| AppError::missing("source_config"))?;
    let (template, existing) = match (req.source_id, req.source_template_id) {
        (Some(source_id), _) => {
            let (record, template) = sources::stored(&state.store, user.caller(), source_id)?;
            (template, Some(record))
        }
        (None, Some(template_id)) => (
            templates::visible_source_template(&state.store, user.selection(), template_id)?,
            None,
        ),
        (None, None) => {
            return Err(AppError::invalid(
                "source_template_id",
                "field required (or source_id to check an update)",
            ));
        }
    };
    let response = sources::check(
        &state,
        ConfigField::SourceConfig,
        &template,
        existing.as_ref(),
        config,
    )
    .await?;
    let mut warnings = state.warnings();
    warnings.simulated_check(&response);
    Ok(warnings.apply(ok(&response)))
}

/// The token's organization.
#[utoipa::path(get, path = "/api/v1/embedded/organizations/current-scoped", tag = openapi::EMBEDDED,
    security(("bearer" = [])),
    params(OrganizationHeader),
    responses((status = 200, description = "The organization", body = CurrentOrganization), ReadErrors))]
async fn current_organization(State(state): State<AppState>, user: EndUser) -> Response {
    let name = state.store.organization_name();
    ok(&json!({"organization_id": user.claims.organization_id, "organization_name": name}))
}

/// The answer of `current-scoped`, for the document (the handler builds it as JSON).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct CurrentOrganization {
    organization_id: Uuid,
    organization_name: String,
}
