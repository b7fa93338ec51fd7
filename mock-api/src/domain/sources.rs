//! The source lifecycle both APIs share: the end user's (`/api/v1/embedded/sources`, scoped token,
//! `source_config`) and the operator's (`/api/v1/integrations/connectors`, application token,
//! `replication_config`). Defaults merged, schema validated, secrets restored and redacted, the
//! outcome inputs applied, then stored.

use airbyte_embedded::{
    ApiError, CheckStatus, DetailedSourceTemplate, SourceCheckResponse, SourceListItem, SourceRead,
};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::replication::ConnectionSelection;
use super::store::{Data, SourceRecord, Store};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::ids::Ids;
use crate::spec;
use crate::{AppState, clock};

/// `SourceRead` with every secret redacted. `source_config` repeats `replication_config`.
fn source_read(data: &Data, record: &SourceRecord) -> Option<SourceRead> {
    let template = data.source_templates.get(&record.template_id)?;
    let redacted = spec::redact(
        &template.template.user_config_spec.connection_specification,
        &record.config.map(),
    );
    Some(SourceRead {
        id: record.id,
        name: record.name.to_string(),
        source_template: template.detailed(),
        replication_config: redacted.clone(),
        source_config: Some(redacted),
        entities: None,
        created_at: Some(record.created_at.to_string()),
        updated_at: Some(record.updated_at.to_string()),
    })
}

fn source_list_item(data: &Data, record: &SourceRecord) -> Option<SourceListItem> {
    let template = data.source_templates.get(&record.template_id)?;
    Some(SourceListItem {
        id: record.id,
        name: record.name.to_string(),
        summarized_source_template: template.list_item(),
        created_at: Some(record.created_at.to_string()),
        updated_at: Some(record.updated_at.to_string()),
    })
}

/// The request field that carries the configuration, so errors name what the caller sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfigField {
    /// The end-user API's `source_config`.
    SourceConfig,
    /// The Agent API's `replication_config`.
    ReplicationConfig,
}

impl ConfigField {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::SourceConfig => "source_config",
            Self::ReplicationConfig => "replication_config",
        }
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

/// A template's `partial_default_config` (`defaults`) under `config`, validated against the schema
/// of connector `definition_id`: every bad field is one error named under `field` (`source_config`,
/// or a fixture's `sources[2].config`).
pub(crate) fn checked_config(
    catalog: &Catalog,
    field: &str,
    definition_id: Uuid,
    defaults: &Map<String, Value>,
    config: Map<String, Value>,
) -> Result<Map<String, Value>, Vec<ApiError>> {
    let config = merge_defaults(defaults, config);
    if let Some(validator) = catalog.validator(definition_id) {
        let errors = spec::validate(validator, field, &Value::Object(config.clone()));
        if !errors.is_empty() {
            return Err(errors);
        }
    }
    Ok(config)
}

/// Defaults merged, schema validation (422 listing every bad field), then the outcome inputs
/// (`slow`, `fail`, `error_<CODE>`). Returns the merged config and the outcome.
async fn prepare(
    state: &AppState,
    step: Step,
    field: ConfigField,
    template: &DetailedSourceTemplate,
    config: Map<String, Value>,
) -> AppResult<(Map<String, Value>, spec::Outcome)> {
    let config = checked_config(
        &state.catalog,
        field.name(),
        template.source_definition_id,
        &template.partial_default_config,
        config,
    )
    .map_err(AppError::invalid_many)?;
    let outcome = spec::outcome(&template.user_config_spec.connection_specification, &config);
    if outcome.slow && step == Step::Save {
        tokio::time::sleep(spec::SLOW_DELAY).await;
    }
    Ok((config, outcome))
}

fn failure_error(field: ConfigField, f: &spec::Failure) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, f.message.clone()).with(
        Some(&format!("{}.{}", field.name(), f.field)),
        f.message.clone(),
        &f.code,
    )
}

/// Creates a source in `workspace_id` from `template`, connected to the destinations of the
/// connection templates `connections` selects (replication).
pub(crate) async fn create(
    state: &AppState,
    field: ConfigField,
    workspace_id: Uuid,
    template: &DetailedSourceTemplate,
    (config, connections): (Map<String, Value>, ConnectionSelection<'_>),
    name: Option<String>,
) -> AppResult<SourceRead> {
    let config = accepted(state, field, template, config, name.as_deref()).await?;
    insert(state, workspace_id, template, config, name, connections)
}

/// What a create checks before it stores anything: the name, the configuration and the outcome
/// inputs. Returns the configuration to store.
async fn accepted(
    state: &AppState,
    field: ConfigField,
    template: &DetailedSourceTemplate,
    config: Map<String, Value>,
    name: Option<&str>,
) -> AppResult<Map<String, Value>> {
    if name.is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let (config, outcome) = prepare(state, Step::Save, field, template, config).await?;
    if let Some(failure) = &outcome.failure {
        return Err(failure_error(field, failure));
    }
    Ok(config)
}

/// The control plane's backdoor: a source in the workspace called `workspace_name` (created in
/// `region_id` if new) from template `template_id`, checked like the end-user create. Everything is
/// checked before the workspace is created, so a refused source leaves no workspace behind.
pub(crate) async fn create_in_named_workspace(
    state: &AppState,
    workspace_name: &str,
    region_id: Option<Uuid>,
    template_id: Uuid,
    config: Map<String, Value>,
    name: Option<String>,
) -> AppResult<SourceRead> {
    super::workspaces::check_name("workspace_name", workspace_name)?;
    let region_id = super::workspaces::region(region_id)?;
    let template = super::templates::source_template(&state.store, template_id).map_err(|_| {
        AppError::invalid(
            "source_template_id",
            format!("no source template '{template_id}'"),
        )
    })?;
    let field = ConfigField::SourceConfig;
    let config = accepted(state, field, &template, config, name.as_deref()).await?;
    let (workspace, created) = state.store.workspace_for(workspace_name, region_id);
    if created {
        tracing::info!(workspace_id = %workspace.id, "workspace created");
    }
    insert(
        state,
        workspace.id,
        &template,
        config,
        name,
        ConnectionSelection::ALL,
    )
}

/// Stores an accepted source.
fn insert(
    state: &AppState,
    workspace_id: Uuid,
    template: &DetailedSourceTemplate,
    config: Map<String, Value>,
    name: Option<String>,
    connections: ConnectionSelection<'_>,
) -> AppResult<SourceRead> {
    let sim_now = state.sim.now();
    let read = state.store.write(|data, ids| {
        if !data.workspaces.contains_key(&workspace_id) {
            return Err(AppError::unauthorized(
                "The workspace no longer exists (was the mock reset?)",
            ));
        }
        let id = ids.uuid();
        let now = clock::now_rfc3339();
        let record = SourceRecord {
            id,
            workspace_id,
            template_id: template.id,
            name: name
                .unwrap_or_else(|| format!("{} - {id}", template.name))
                .into(),
            config: config.into(),
            created_at: now.clone().into(),
            updated_at: now.into(),
        };
        let read = source_read(data, &record);
        data.connect_source(&record, connections, ids, sim_now);
        data.sources.insert(id, record);
        read.ok_or_else(|| AppError::not_found("Source template", template.id))
    })?;
    tracing::info!(source_id = %read.id, %workspace_id, "source created");
    Ok(read)
}

/// The template a stored source was made from.
fn template_of(data: &Data, record: &SourceRecord) -> AppResult<DetailedSourceTemplate> {
    data.source_templates
        .get(&record.template_id)
        .map(|t| t.template.clone())
        .ok_or_else(|| AppError::not_found("Source", record.id))
}

/// Whose request it is: the operator sees every workspace, an end user only the token's own.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Caller {
    Operator,
    EndUser { workspace_id: Uuid },
}

/// A stored source and its template, checked against the caller: 404 if unknown, 403 when an end
/// user asks for another workspace's.
pub(crate) fn stored(
    store: &Store,
    caller: Caller,
    id: Uuid,
) -> AppResult<(SourceRecord, DetailedSourceTemplate)> {
    store.read(|d| {
        let record = owned(d, caller, id)?;
        let template = template_of(d, record)?;
        Ok((record.clone(), template))
    })
}

fn owned(data: &Data, caller: Caller, id: Uuid) -> AppResult<&SourceRecord> {
    let record = data
        .sources
        .get(&id)
        .ok_or_else(|| AppError::not_found("Source", id))?;
    match caller {
        Caller::EndUser { workspace_id } if record.workspace_id != workspace_id => {
            Err(AppError::forbidden(format!(
                "Source {id} belongs to another workspace than this token's"
            )))
        }
        _ => Ok(record),
    }
}

/// `SourceRead` of one source, secrets redacted.
pub(crate) fn read(store: &Store, caller: Caller, id: Uuid) -> AppResult<SourceRead> {
    store.read(|d| {
        let record = owned(d, caller, id)?;
        source_read(d, record).ok_or_else(|| AppError::not_found("Source", id))
    })
}

/// Deletes one source.
pub(crate) fn delete(store: &Store, caller: Caller, id: Uuid) -> AppResult<()> {
    store.write(|data, _| {
        owned(data, caller, id)?;
        data.sources.shift_remove(&id);
        data.prune_connections();
        Ok(())
    })
}

/// Which sources a list asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SourceFilter {
    /// `None`: every workspace. `Some(None)`: a workspace name that has no workspace yet, so nothing.
    pub(crate) workspace: Option<Option<Uuid>>,
    /// Only sources whose template is made from this connector definition.
    pub(crate) definition_id: Option<Uuid>,
}

pub(crate) fn list(store: &Store, filter: SourceFilter) -> Vec<SourceListItem> {
    store.read(|d| {
        d.sources
            .values()
            .filter(|s| match filter.workspace {
                None => true,
                Some(None) => false,
                Some(Some(ws)) => s.workspace_id == ws,
            })
            .filter(|s| {
                filter.definition_id.is_none_or(|def| {
                    d.source_templates
                        .get(&s.template_id)
                        .is_some_and(|t| t.template.source_definition_id == def)
                })
            })
            .filter_map(|s| source_list_item(d, s))
            .collect()
    })
}

/// Updates a source: a configuration sent back with `**********` keeps the stored secrets.
pub(crate) async fn update(
    state: &AppState,
    field: ConfigField,
    caller: Caller,
    id: Uuid,
    config: Option<Map<String, Value>>,
    name: Option<String>,
) -> AppResult<SourceRead> {
    let (record, template) = stored(&state.store, caller, id)?;
    if config.is_none() && name.is_none() {
        return Err(AppError::invalid(
            field.name(),
            format!("field required (send {}, name, or both)", field.name()),
        ));
    }
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let new_config = match config {
        Some(mut incoming) => {
            spec::restore_secrets(
                &template.user_config_spec.connection_specification,
                field.name(),
                &mut incoming,
                &record.config.map(),
            )
            .map_err(AppError::invalid_many)?;
            let (merged, outcome) = prepare(state, Step::Save, field, &template, incoming).await?;
            if let Some(failure) = &outcome.failure {
                return Err(failure_error(field, failure));
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
            stored.config = config.into();
        }
        if let Some(name) = name {
            stored.name = name.into();
        }
        stored.updated_at = clock::now_rfc3339().into();
        let stored = stored.clone();
        source_read(data, &stored).ok_or_else(|| AppError::not_found("Source", id))
    })
}

/// Checks a configuration for `template`, or the update of `existing` to it (masked secrets restored).
pub(crate) async fn check(
    state: &AppState,
    field: ConfigField,
    template: &DetailedSourceTemplate,
    existing: Option<&SourceRecord>,
    mut config: Map<String, Value>,
) -> AppResult<SourceCheckResponse> {
    if let Some(record) = existing {
        spec::restore_secrets(
            &template.user_config_spec.connection_specification,
            field.name(),
            &mut config,
            &record.config.map(),
        )
        .map_err(AppError::invalid_many)?;
    }
    let (_, outcome) = prepare(state, Step::Check, field, template, config).await?;
    let job_id = state.store.with_ids(Ids::uuid);
    Ok(match outcome.failure {
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
                "internal_message": format!(
                    "outcome input in {}.{} (error code {})", field.name(), f.field, f.code
                ),
                "retryable": false,
            })),
        },
    })
}
