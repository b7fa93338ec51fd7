//! Operator side of the catalog: source templates, connection templates and tags.

use airbyte_embedded::{
    ApiErrorResponse, ConnectionTemplate, ConnectionTemplateCreateRequest,
    ConnectionTemplatePatchRequest, DeletedResponse, DetailedSourceTemplate, ListResponse,
    SourceTemplateCloneRequest, SourceTemplateCreateRequest, SourceTemplateListItem,
    SourceTemplateUpdateRequest, Tag, TagAttachRequest, TagRequest, TagSelectionMode,
};
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::ok;
use super::openapi::{self, Errors, ItemErrors, OrganizationHeader, ReadErrors, ReadItemErrors};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::TemplateRecord;
use crate::domain::tags::{self, Tagged};
use crate::domain::templates::{self, Owner, Selection};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs, parse_json};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_source_templates, create_source_template))
        .routes(routes!(
            get_source_template,
            update_source_template,
            delete_source_template
        ))
        .routes(routes!(attach_source_template_tag))
        .routes(routes!(detach_source_template_tag))
        .routes(routes!(
            list_connection_templates,
            create_connection_template
        ))
        .routes(routes!(
            get_connection_template,
            update_connection_template,
            delete_connection_template
        ))
        .routes(routes!(attach_connection_template_tag))
        .routes(routes!(detach_connection_template_tag))
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(rename_tag, delete_tag))
}

/// `tags` (repeatable) and `tags_mode` (default `all` on the operator side, as published).
fn tag_filter(query: &QueryPairs) -> AppResult<(Vec<String>, TagSelectionMode)> {
    let mode = match query.get("tags_mode") {
        None | Some("all") => TagSelectionMode::All,
        Some("any") => TagSelectionMode::Any,
        Some(other) => {
            return Err(AppError::invalid(
                "tags_mode",
                format!("'{other}' is not one of 'any', 'all'"),
            ));
        }
    };
    Ok((query.all("tags"), mode))
}

/// The organization's source templates (or the global ones with `use_global=true`).
#[utoipa::path(get, path = "/api/v1/integrations/templates/sources", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("use_global" = Option<bool>, Query, description = "The global templates instead of the organization's"),
        ("tags" = Option<Vec<String>>, Query, description = "Only templates with these tags (repeatable)"),
        ("tags_mode" = Option<TagSelectionMode>, Query, description = "`all` (default) or `any` of `tags`")),
    responses((status = 200, description = "The templates", body = ListResponse<SourceTemplateListItem>), ReadErrors))]
async fn list_source_templates(
    State(state): State<AppState>,
    op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let (tags, mode) = tag_filter(&query)?;
    let owner = if query.bool("use_global")?.unwrap_or(false) {
        Owner::Global
    } else {
        Owner::Organization(op.organization_id)
    };
    let selection = Selection { tags: &tags, mode };
    let items = templates::list_source_templates(&state.store, owner, selection);
    Ok(ok(&ListResponse::new(items)))
}

/// One source template.
#[utoipa::path(get, path = "/api/v1/integrations/templates/sources/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    responses((status = 200, description = "The template", body = DetailedSourceTemplate), ReadItemErrors))]
async fn get_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::source_template(&state.store, id)?))
}

#[utoipa::path(post, path = "/api/v1/integrations/templates/sources", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body(content = SourceTemplateBody, description = "A create (`actor_definition_id`) or a clone (`original_source_template_id`)"),
    responses((status = 200, description = "The new template", body = DetailedSourceTemplate), ItemErrors))]
/// One path, two bodies/// One path, two bodies: a clone names `original_source_template_id`, a create `actor_definition_id`.
async fn create_source_template(
    State(state): State<AppState>,
    op: Operator,
    Json(body): Json<Value>,
) -> AppResult<Response> {
    let bytes = body.to_string();
    let mut warnings = state.warnings();
    let template = if body.get("original_source_template_id").is_some() {
        let req: SourceTemplateCloneRequest = parse_json(bytes.as_bytes())?;
        templates::clone_source_template(&state.store, op.organization_id, req)?
    } else {
        let req: SourceTemplateCreateRequest = parse_json(bytes.as_bytes())?;
        check_customization(req.customization.as_ref())?;
        tags::lenient_tag_names(&mut warnings, "tags", req.tags.iter().flatten(), true)?;
        templates::create_source_template(&state.store, &state.catalog, op.organization_id, req)?
    };
    Ok(warnings.apply(ok(&template)))
}

/// Changes a source template.
#[utoipa::path(patch, path = "/api/v1/integrations/templates/sources/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    request_body = SourceTemplateUpdateRequest,
    responses((status = 200, description = "The template", body = DetailedSourceTemplate), ItemErrors))]
async fn update_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<SourceTemplateUpdateRequest>,
) -> AppResult<Response> {
    check_customization(req.customization.as_ref())?;
    Ok(ok(&templates::update_source_template(
        &state.store,
        id,
        req,
    )?))
}

/// A template's `customization` against the published `SourceTemplateCustomization-Input`: the typed
/// fields are checked by deserialising, but `stream_mappers` is free-form JSON here, and whatever is
/// stored is echoed in every template answer (Airbyte's models refuse a bad one with a 422). The
/// messages name the place, never the submitted value.
fn check_customization(
    customization: Option<&airbyte_embedded::SourceTemplateCustomization>,
) -> AppResult<()> {
    static SCHEMA: std::sync::LazyLock<Result<jsonschema::Validator, String>> =
        std::sync::LazyLock::new(|| {
            airbyte_openapi::schema_validator("SourceTemplateCustomization-Input")
        });
    let Some(customization) = customization else {
        return Ok(());
    };
    let value = serde_json::to_value(customization).map_err(|e| {
        AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot check the customization: {e}"),
        )
    })?;
    let validator = SCHEMA
        .as_ref()
        .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.clone()))?;
    let mut places: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| {
            let path: String = e
                .instance_path()
                .as_str()
                .split('/')
                .filter(|p| !p.is_empty())
                .map(|p| format!(".{p}"))
                .collect();
            format!("customization{path}")
        })
        .collect();
    places.dedup();
    if places.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid_many(
        places
            .into_iter()
            .take(10)
            .map(|field| {
                airbyte_embedded::ApiError::new(
                    Some(&field),
                    "does not match SourceTemplateCustomization: each stream_mappers entry is a list \
                     of mappers, each {type, mapper_configuration} of a documented type",
                    "invalid",
                )
            })
            .collect(),
    ))
}

/// Deletes a source template.
#[utoipa::path(delete, path = "/api/v1/integrations/templates/sources/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    responses((status = 200, description = "Deleted", body = DeletedResponse), ReadItemErrors))]
async fn delete_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::delete_source_template(&state.store, id)?))
}

fn tag_path(Path((raw_id, tag)): Path<(String, String)>) -> AppResult<(Uuid, String)> {
    let id = Uuid::parse_str(&raw_id)
        .map_err(|_| AppError::invalid("id", format!("'{raw_id}' is not a valid UUID")))?;
    Ok((id, tag))
}

/// `POST …/{id}/tags {tag}`.
async fn attach_tag<T: Tagged>(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<TagAttachRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    tags::lenient_tag_names(&mut warnings, "tag", [&req.tag], false)?;
    Ok(warnings.apply(ok(&tags::attach::<T>(&state.store, id, &req.tag)?)))
}

/// `DELETE …/{id}/tags/{tag}`.
async fn detach_tag<T: Tagged>(
    State(state): State<AppState>,
    _op: Operator,
    path: Path<(String, String)>,
) -> AppResult<Response> {
    let (id, tag) = tag_path(path)?;
    Ok(ok(&tags::detach::<T>(&state.store, id, &tag)?))
}

/// The connection templates.
#[utoipa::path(get, path = "/api/v1/integrations/templates/connections", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("tags" = Option<Vec<String>>, Query, description = "Only templates with these tags (repeatable)"),
        ("tags_mode" = Option<TagSelectionMode>, Query, description = "`all` (default) or `any` of `tags`")),
    responses((status = 200, description = "The templates", body = ListResponse<ConnectionTemplate>), ReadErrors))]
async fn list_connection_templates(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let (tags, mode) = tag_filter(&query)?;
    let items = templates::list_connection_templates(&state.store, Selection { tags: &tags, mode });
    Ok(ok(&ListResponse::new(items)))
}

/// One connection template.
#[utoipa::path(get, path = "/api/v1/integrations/templates/connections/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    responses((status = 200, description = "The template", body = ConnectionTemplate), ReadItemErrors))]
async fn get_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::connection_template(&state.store, id)?))
}

/// Creates a connection template.
#[utoipa::path(post, path = "/api/v1/integrations/templates/connections", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ConnectionTemplateCreateRequest,
    responses((status = 200, description = "The new template", body = ConnectionTemplate), ItemErrors))]
async fn create_connection_template(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<ConnectionTemplateCreateRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    tags::lenient_tag_names(&mut warnings, "tags", req.tags.iter().flatten(), true)?;
    Ok(warnings.apply(ok(&templates::create_connection_template(
        &state.store,
        &state.catalog,
        op.organization_id,
        req,
    )?)))
}

/// Changes a connection template.
#[utoipa::path(patch, path = "/api/v1/integrations/templates/connections/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    request_body = ConnectionTemplatePatchRequest,
    responses((status = 200, description = "The template", body = ConnectionTemplate), ItemErrors))]
async fn update_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectionTemplatePatchRequest>,
) -> AppResult<Response> {
    Ok(ok(&templates::update_connection_template(
        &state.store,
        id,
        req,
    )?))
}

/// Deletes a connection template.
#[utoipa::path(delete, path = "/api/v1/integrations/templates/connections/{id}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    responses((status = 200, description = "Deleted", body = DeletedResponse), ReadItemErrors))]
async fn delete_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::delete_connection_template(
        &state.store,
        id,
    )?))
}

/// The organization's template tags.
#[utoipa::path(get, path = "/api/v1/integrations/templates/tags", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    responses((status = 200, description = "The tags", body = ListResponse<Tag>), ReadErrors))]
async fn list_tags(State(state): State<AppState>, _op: Operator) -> Response {
    ok(&ListResponse::new(tags::list(&state.store)))
}

/// Creates a tag.
#[utoipa::path(post, path = "/api/v1/integrations/templates/tags", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = TagRequest,
    responses((status = 200, description = "The new tag", body = Tag),
        (status = 409, description = "The tag exists", body = ApiErrorResponse), Errors))]
async fn create_tag(
    State(state): State<AppState>,
    _op: Operator,
    Json(req): Json<TagRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    tags::lenient_tag_names(&mut warnings, "name", [&req.name], false)?;
    Ok(warnings.apply(ok(&tags::create(&state.store, &req.name)?)))
}

/// Renames a tag (everywhere it is attached).
#[utoipa::path(put, path = "/api/v1/integrations/templates/tags/{name}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("name" = String, Path, description = "The tag's current name")),
    request_body = TagRequest,
    responses((status = 200, description = "The renamed tag", body = Tag),
        (status = 409, description = "The new name is taken", body = ApiErrorResponse), ItemErrors))]
async fn rename_tag(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
    Json(req): Json<TagRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    tags::lenient_tag_names(&mut warnings, "name", [&req.name], false)?;
    Ok(warnings.apply(ok(&tags::rename(&state.store, &name, &req.name)?)))
}

/// Deletes a tag (and detaches it everywhere).
#[utoipa::path(delete, path = "/api/v1/integrations/templates/tags/{name}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("name" = String, Path, description = "The tag")),
    responses((status = 200, description = "Deleted", body = DeletedResponse), ReadItemErrors))]
async fn delete_tag(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
) -> AppResult<Response> {
    Ok(ok(&tags::delete(&state.store, &name)?))
}

/// The body of `POST /api/v1/integrations/templates/sources`, for the document only: the handler tells the two apart itself.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // only the derives read it
#[serde(untagged)]
enum SourceTemplateBody {
    Create(SourceTemplateCreateRequest),
    Clone(SourceTemplateCloneRequest),
}

// The tag routes of each kind of template: one annotated handler per path, over the generic ones.

/// Attaches a tag to a source template.
#[utoipa::path(post, path = "/api/v1/integrations/templates/sources/{id}/tags", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    request_body = TagAttachRequest,
    responses((status = 200, description = "The template", body = DetailedSourceTemplate), ItemErrors))]
async fn attach_source_template_tag(
    state: State<AppState>,
    op: Operator,
    id: IdPath,
    req: Json<TagAttachRequest>,
) -> AppResult<Response> {
    attach_tag::<TemplateRecord>(state, op, id, req).await
}

/// Detaches a tag from a source template.
#[utoipa::path(delete, path = "/api/v1/integrations/templates/sources/{id}/tags/{tag}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id"), ("tag" = String, Path, description = "The tag")),
    responses((status = 200, description = "The template", body = DetailedSourceTemplate), ReadItemErrors))]
async fn detach_source_template_tag(
    state: State<AppState>,
    op: Operator,
    path: Path<(String, String)>,
) -> AppResult<Response> {
    detach_tag::<TemplateRecord>(state, op, path).await
}

/// Attaches a tag to a connection template.
#[utoipa::path(post, path = "/api/v1/integrations/templates/connections/{id}/tags", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id")),
    request_body = TagAttachRequest,
    responses((status = 200, description = "The template", body = ConnectionTemplate), ItemErrors))]
async fn attach_connection_template_tag(
    state: State<AppState>,
    op: Operator,
    id: IdPath,
    req: Json<TagAttachRequest>,
) -> AppResult<Response> {
    attach_tag::<ConnectionTemplate>(state, op, id, req).await
}

/// Detaches a tag from a connection template.
#[utoipa::path(delete, path = "/api/v1/integrations/templates/connections/{id}/tags/{tag}", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The template id"), ("tag" = String, Path, description = "The tag")),
    responses((status = 200, description = "The template", body = ConnectionTemplate), ReadItemErrors))]
async fn detach_connection_template_tag(
    state: State<AppState>,
    op: Operator,
    path: Path<(String, String)>,
) -> AppResult<Response> {
    detach_tag::<ConnectionTemplate>(state, op, path).await
}
