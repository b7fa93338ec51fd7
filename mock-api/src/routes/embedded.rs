//! The end-user API the authentication module calls with a scoped token: the templates this token
//! may see, and this workspace's sources (create, check, read, update, delete).

use airbyte_embedded::{
    CheckStatus, ListResponse, SourceCheckRequest, SourceCheckResponse, SourceCreateRequest,
    SourceListItem, SourceRead, SourceUpdateRequest,
};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::ok;
use crate::auth::EndUser;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};
use crate::spec;
use crate::store::{Data, SourceRecord, TemplateRecord};
use crate::{AppState, clock};

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

/// `SourceRead` with every secret redacted. `source_config` repeats `replication_config`.
pub(crate) fn source_read(data: &Data, record: &SourceRecord) -> Option<SourceRead> {
    let template = data.source_templates.get(&record.template_id)?;
    let redacted = spec::redact(
        &template.template.user_config_spec.connection_specification,
        &record.config,
    );
    Some(SourceRead {
        id: record.id,
        name: record.name.clone(),
        source_template: template.detailed(),
        replication_config: redacted.clone(),
        source_config: Some(redacted),
        entities: None,
        created_at: Some(record.created_at.clone()),
        updated_at: Some(record.updated_at.clone()),
    })
}

pub(crate) fn source_list_item(data: &Data, record: &SourceRecord) -> Option<SourceListItem> {
    let template = data.source_templates.get(&record.template_id)?;
    Some(SourceListItem {
        id: record.id,
        name: record.name.clone(),
        summarized_source_template: template.list_item(),
        created_at: Some(record.created_at.clone()),
        updated_at: Some(record.updated_at.clone()),
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

/// Deep merge: the operator's `partial_default_config` under the user's values.
fn merge_defaults(defaults: &Map<String, Value>, config: Map<String, Value>) -> Map<String, Value> {
    let mut merged = defaults.clone();
    for (k, v) in config {
        match (merged.get_mut(&k), v) {
            (Some(Value::Object(base)), Value::Object(over)) => {
                let m = merge_defaults(base, over);
                *base = m;
            }
            (_, v) => {
                merged.insert(k, v);
            }
        }
    }
    merged
}

/// When the `slow` outcome input delays: the save itself, not the check before it, so a widget that
/// checks and then saves waits three seconds once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Check,
    Save,
}

/// Schema validation (422 listing every bad field), then the outcome inputs (`slow`, `fail`,
/// `error_<CODE>`), as the check before every save.
async fn validate_and_check(
    step: Step,
    schema: &Value,
    validator: Option<&jsonschema::Validator>,
    config: &Map<String, Value>,
) -> AppResult<spec::Outcome> {
    if let Some(validator) = validator {
        let errors = spec::validate(validator, &Value::Object(config.clone()));
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
    }
    let outcome = spec::outcome(schema, config);
    if outcome.slow && step == Step::Save {
        tokio::time::sleep(spec::SLOW_DELAY).await;
    }
    Ok(outcome)
}

fn failure_error(f: &spec::Failure) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, f.message.clone()).with(
        Some(&format!("source_config.{}", f.field)),
        f.message.clone(),
        &f.code,
    )
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
    if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
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
    let config = merge_defaults(&template.partial_default_config, config);
    let schema = &template.user_config_spec.connection_specification;
    let outcome = validate_and_check(
        Step::Save,
        schema,
        state.catalog.validator(template.source_definition_id),
        &config,
    )
    .await?;
    if let Some(failure) = &outcome.failure {
        return Err(failure_error(failure));
    }
    let workspace_id = user.workspace_id();
    let read = state.store.write(|data, ids| {
        if !data.workspaces.contains_key(&workspace_id) {
            return Err(AppError::unauthorized(
                "The token's workspace no longer exists; mint a new token",
            ));
        }
        let id = ids.uuid();
        let now = clock::now_rfc3339();
        let record = SourceRecord {
            id,
            workspace_id,
            template_id,
            name: req
                .name
                .clone()
                .unwrap_or_else(|| format!("{} - {id}", template.name)),
            config,
            created_at: now.clone(),
            updated_at: now,
        };
        data.sources.insert(id, record);
        data.sources
            .get(&id)
            .and_then(|r| source_read(data, r))
            .ok_or_else(|| AppError::not_found("Source template", template_id))
    })?;
    tracing::info!(source_id = %read.id, workspace_id = %workspace_id, "source created");
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
    if config.is_none() && req.name.is_none() {
        return Err(AppError::invalid(
            "source_config",
            "field required (send source_config, name, or both)",
        ));
    }
    if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let (record, template) = state.store.read(|d| {
        let record = own_source(&user, d, id)?;
        let template = d
            .source_templates
            .get(&record.template_id)
            .map(|t| t.template.clone())
            .ok_or_else(|| AppError::not_found("Source", id))?;
        Ok::<_, AppError>((record, template))
    })?;
    let schema = &template.user_config_spec.connection_specification;
    let new_config = match config {
        Some(mut incoming) => {
            spec::restore_secrets(schema, &mut incoming, &record.config)
                .map_err(AppError::invalid_many)?;
            let merged = merge_defaults(&template.partial_default_config, incoming);
            let outcome = validate_and_check(
                Step::Save,
                schema,
                state.catalog.validator(template.source_definition_id),
                &merged,
            )
            .await?;
            if let Some(failure) = &outcome.failure {
                return Err(failure_error(failure));
            }
            Some(merged)
        }
        None => None,
    };
    state.store.write(|data, _| {
        let stored = data
            .sources
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Source", id))?;
        if let Some(config) = new_config {
            stored.config = config;
        }
        if let Some(name) = req.name {
            stored.name = name;
        }
        stored.updated_at = clock::now_rfc3339();
        let stored = stored.clone();
        source_read(data, &stored)
            .map(|r| ok(&r))
            .ok_or_else(|| AppError::not_found("Source", id))
    })
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
    let mut config = req
        .source_config
        .ok_or_else(|| AppError::missing("source_config"))?;
    let template = state
        .store
        .read(|d| match (req.source_id, req.source_template_id) {
            (Some(source_id), _) => {
                let record = own_source(&user, d, source_id)?;
                let template = d
                    .source_templates
                    .get(&record.template_id)
                    .map(|t| t.template.clone())
                    .ok_or_else(|| AppError::not_found("Source", source_id))?;
                spec::restore_secrets(
                    &template.user_config_spec.connection_specification,
                    &mut config,
                    &record.config,
                )
                .map_err(AppError::invalid_many)?;
                Ok(template)
            }
            (None, Some(template_id)) => {
                visible_template(&user, d, template_id).map(|t| t.template.clone())
            }
            (None, None) => Err(AppError::invalid(
                "source_template_id",
                "field required (or source_id to check an update)",
            )),
        })?;
    let config = merge_defaults(&template.partial_default_config, config);
    let schema = &template.user_config_spec.connection_specification;
    let outcome = validate_and_check(
        Step::Check,
        schema,
        state.catalog.validator(template.source_definition_id),
        &config,
    )
    .await?;
    let job_id = state.store.write(|_, ids| ids.uuid());
    let response = match outcome.failure {
        None => SourceCheckResponse {
            id: job_id,
            status: Some(CheckStatus::Succeeded),
            error_message: None,
            failure_reason: None,
        },
        Some(f) => SourceCheckResponse {
            id: job_id,
            status: Some(CheckStatus::Failed),
            error_message: Some(f.message.clone()),
            failure_reason: Some(json!({
                "timestamp": clock::unix_now() * 1000,
                "failure_origin": "source",
                "failure_type": "config_error",
                "external_message": f.message,
                "internal_message": format!("outcome input in source_config.{} (error code {})", f.field, f.code),
                "retryable": false,
            })),
        },
    };
    Ok(ok(&response))
}

async fn current_organization(State(state): State<AppState>, user: EndUser) -> Response {
    let name = state.store.read(|d| d.organization_name.clone());
    ok(&json!({"organization_id": user.claims.organization_id, "organization_name": name}))
}
