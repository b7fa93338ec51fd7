//! Operator side of the catalog: source templates, connection templates and tags.

use airbyte_embedded::{
    ConnectionTemplate, ConnectionTemplateCreateRequest, ConnectionTemplatePatchRequest,
    ListResponse, SourceTemplateCloneRequest, SourceTemplateCreateRequest,
    SourceTemplateUpdateRequest, TagAttachRequest, TagRequest, TagSelectionMode,
};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use serde_json::Value;
use uuid::Uuid;

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::TemplateRecord;
use crate::domain::tags::{self, Tagged};
use crate::domain::templates::{self, Owner, Selection};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs, parse_json};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations/templates/sources",
            get(list_source_templates).post(create_source_template),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}",
            get(get_source_template)
                .patch(update_source_template)
                .delete(delete_source_template),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}/tags",
            post(attach_tag::<TemplateRecord>),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}/tags/{tag}",
            delete(detach_tag::<TemplateRecord>),
        )
        .route(
            "/api/v1/integrations/templates/connections",
            get(list_connection_templates).post(create_connection_template),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}",
            get(get_connection_template)
                .patch(update_connection_template)
                .delete(delete_connection_template),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}/tags",
            post(attach_tag::<ConnectionTemplate>),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}/tags/{tag}",
            delete(detach_tag::<ConnectionTemplate>),
        )
        .route(
            "/api/v1/integrations/templates/tags",
            get(list_tags).post(create_tag),
        )
        .route(
            "/api/v1/integrations/templates/tags/{name}",
            put(rename_tag).delete(delete_tag),
        )
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

async fn get_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::source_template(&state.store, id)?))
}

/// One path, two bodies: a clone names `original_source_template_id`, a create `actor_definition_id`.
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

async fn list_connection_templates(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let (tags, mode) = tag_filter(&query)?;
    let items = templates::list_connection_templates(&state.store, Selection { tags: &tags, mode });
    Ok(ok(&ListResponse::new(items)))
}

async fn get_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    Ok(ok(&templates::connection_template(&state.store, id)?))
}

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

async fn list_tags(State(state): State<AppState>, _op: Operator) -> Response {
    ok(&ListResponse::new(tags::list(&state.store)))
}

async fn create_tag(
    State(state): State<AppState>,
    _op: Operator,
    Json(req): Json<TagRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    tags::lenient_tag_names(&mut warnings, "name", [&req.name], false)?;
    Ok(warnings.apply(ok(&tags::create(&state.store, &req.name)?)))
}

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

async fn delete_tag(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
) -> AppResult<Response> {
    Ok(ok(&tags::delete(&state.store, &name)?))
}
