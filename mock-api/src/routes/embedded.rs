//! The end-user API the authentication module calls with a scoped token: the templates this token
//! may see, and this workspace's sources (create, check, read, update, delete).

use airbyte_embedded::{
    ListResponse, SourceCheckRequest, SourceCreateRequest, SourceUpdateRequest,
};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use uuid::Uuid;

use super::ok;
use crate::AppState;
use crate::auth::EndUser;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};
use crate::sources::{self, ConfigField, source_list_item, source_read};
use crate::store::{Data, SourceRecord, TemplateRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/embedded/source-templates", get(list_templates))
        .route("/api/v1/embedded/source-templates/{id}", get(get_template))
        .route(
            "/api/v1/embedded/sources",
            get(list_sources).post(create_source),
        )
        .route("/api/v1/embedded/sources/check", post(check_source))
        .route(
            "/api/v1/embedded/sources/{id}",
            get(get_source).put(update_source).delete(delete_source),
        )
        .route(
            "/api/v1/embedded/organizations/current-scoped",
            get(current_organization),
        )
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

/// Whether the token's tag selection lets it see this template.
fn visible(user: &EndUser, data: &Data, t: &TemplateRecord) -> bool {
    (t.organization_id.is_none() || t.organization_id == Some(data.organization_id))
        && user
            .claims
            .selected_source_template_tags_mode
            .matches(&user.claims.selected_source_template_tags, &t.template.tags)
}

fn visible_template<'a>(user: &EndUser, data: &'a Data, id: Uuid) -> AppResult<&'a TemplateRecord> {
    data.source_templates
        .get(&id)
        .filter(|t| visible(user, data, t))
        .ok_or_else(|| {
            AppError::not_found("Source template", id).with(
                Some("source_template_id"),
                "not available to this token (unknown, or outside its tag selection)",
                "not_found",
            )
        })
}

async fn list_templates(
    State(state): State<AppState>,
    user: EndUser,
    query: QueryPairs,
) -> AppResult<Response> {
    check_workspace(&user, query.uuid("workspace_id")?)?;
    let items: Vec<_> = state.store.read(|d| {
        d.source_templates
            .values()
            .filter(|t| visible(&user, d, t))
            .map(TemplateRecord::list_item)
            .collect()
    });
    Ok(ok(&ListResponse::new(items)))
}

async fn get_template(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state
        .store
        .read(|d| visible_template(&user, d, id).map(|t| ok(&t.template)))
}

async fn list_sources(
    State(state): State<AppState>,
    user: EndUser,
    query: QueryPairs,
) -> AppResult<Response> {
    check_workspace(&user, query.uuid("workspace_id")?)?;
    let ws = user.workspace_id();
    let items: Vec<_> = state.store.read(|d| {
        d.sources
            .values()
            .filter(|s| s.workspace_id == ws)
            .filter_map(|s| source_list_item(d, s))
            .collect()
    });
    Ok(ok(&ListResponse::new(items)))
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
    let template = state.store.read(|d| {
        visible_template(&user, d, template_id)
            .map(|t| t.template.clone())
            .map_err(|_| {
                AppError::invalid(
                    "source_template_id",
                    format!("no source template '{template_id}' is available to this token"),
                )
            })
    })?;
    let read = sources::create(
        &state,
        ConfigField::SourceConfig,
        user.workspace_id(),
        &template,
        config,
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// The source, checked to belong to the token's workspace (403 otherwise, 404 if unknown).
fn own_source(user: &EndUser, data: &Data, id: Uuid) -> AppResult<SourceRecord> {
    let record = data
        .sources
        .get(&id)
        .ok_or_else(|| AppError::not_found("Source", id))?;
    if record.workspace_id != user.workspace_id() {
        return Err(AppError::forbidden(format!(
            "Source {id} belongs to another workspace than this token's"
        )));
    }
    Ok(record.clone())
}

async fn get_source(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.read(|d| {
        let record = own_source(&user, d, id)?;
        source_read(d, &record)
            .map(|r| ok(&r))
            .ok_or_else(|| AppError::not_found("Source", id))
    })
}

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
    let record = state.store.read(|d| own_source(&user, d, id))?;
    let read =
        sources::update(&state, ConfigField::SourceConfig, &record, config, req.name).await?;
    Ok(ok(&read))
}

async fn delete_source(
    State(state): State<AppState>,
    user: EndUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.write(|data, _| {
        own_source(&user, data, id)?;
        data.sources.shift_remove(&id);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

async fn check_source(
    State(state): State<AppState>,
    user: EndUser,
    Json(req): Json<SourceCheckRequest>,
) -> AppResult<Response> {
    let config = req
        .source_config
        .ok_or_else(|| AppError::missing("source_config"))?;
    let (template, existing) =
        state
            .store
            .read(|d| match (req.source_id, req.source_template_id) {
                (Some(source_id), _) => {
                    let record = own_source(&user, d, source_id)?;
                    Ok((sources::with_template(d, &record)?, Some(record)))
                }
                (None, Some(template_id)) => {
                    visible_template(&user, d, template_id).map(|t| (t.template.clone(), None))
                }
                (None, None) => Err(AppError::invalid(
                    "source_template_id",
                    "field required (or source_id to check an update)",
                )),
            })?;
    let response = sources::check(
        &state,
        ConfigField::SourceConfig,
        &template,
        existing.as_ref(),
        config,
    )
    .await?;
    Ok(ok(&response))
}

async fn current_organization(State(state): State<AppState>, user: EndUser) -> Response {
    let name = state.store.read(|d| d.organization_name.clone());
    ok(&json!({"organization_id": user.claims.organization_id, "organization_name": name}))
}
