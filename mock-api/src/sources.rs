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

use crate::error::{AppError, AppResult};
use crate::ids::Ids;
use crate::spec;
use crate::store::{Data, SourceRecord};
use crate::{AppState, clock};

/// `SourceRead` with every secret redacted. `source_config` repeats `replication_config`.
pub fn source_read(data: &Data, record: &SourceRecord) -> Option<SourceRead> {
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

pub fn source_list_item(data: &Data, record: &SourceRecord) -> Option<SourceListItem> {
    let template = data.source_templates.get(&record.template_id)?;
    Some(SourceListItem {
        id: record.id,
        name: record.name.clone(),
        summarized_source_template: template.list_item(),
        created_at: Some(record.created_at.clone()),
        updated_at: Some(record.updated_at.clone()),
    })
}

/// The request field that carries the configuration, so errors name what the caller sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigField {
    /// The end-user API's `source_config`.
    SourceConfig,
    /// The Agent API's `replication_config`.
    ReplicationConfig,
}

impl ConfigField {
    pub fn name(self) -> &'static str {
        match self {
            Self::SourceConfig => "source_config",
            Self::ReplicationConfig => "replication_config",
        }
    }

    /// `spec` names fields `source_config.<path>`; rename them for the operator API.
    fn rename(self, mut errors: Vec<ApiError>) -> Vec<ApiError> {
        if self == Self::ReplicationConfig {
            for e in &mut errors {
                if let Some(rest) = e
                    .field
                    .as_deref()
                    .and_then(|f| f.strip_prefix("source_config"))
                {
                    e.field = Some(format!("replication_config{rest}"));
                }
            }
        }
        errors
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

/// Defaults merged, schema validation (422 listing every bad field), then the outcome inputs
/// (`slow`, `fail`, `error_<CODE>`). Returns the merged config and the outcome.
async fn prepare(
    state: &AppState,
    step: Step,
    field: ConfigField,
    template: &DetailedSourceTemplate,
    config: Map<String, Value>,
) -> AppResult<(Map<String, Value>, spec::Outcome)> {
    let config = merge_defaults(&template.partial_default_config, config);
    if let Some(validator) = state.catalog.validator(template.source_definition_id) {
        let errors = spec::validate(validator, &Value::Object(config.clone()));
        if !errors.is_empty() {
            return Err(AppError::invalid_many(field.rename(errors)));
        }
    }
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

/// Creates a source in `workspace_id` from `template`.
pub async fn create(
    state: &AppState,
    field: ConfigField,
    workspace_id: Uuid,
    template: &DetailedSourceTemplate,
    config: Map<String, Value>,
    name: Option<String>,
) -> AppResult<SourceRead> {
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let (config, outcome) = prepare(state, Step::Save, field, template, config).await?;
    if let Some(failure) = &outcome.failure {
        return Err(failure_error(field, failure));
    }
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
            name: name.unwrap_or_else(|| format!("{} - {id}", template.name)),
            config,
            created_at: now.clone(),
            updated_at: now,
        };
        let read = source_read(data, &record);
        data.sources.insert(id, record);
        read.ok_or_else(|| AppError::not_found("Source template", template.id))
    })?;
    tracing::info!(source_id = %read.id, %workspace_id, "source created");
    Ok(read)
}

/// The stored source and its template, for an update or a check of one.
pub fn with_template(data: &Data, record: &SourceRecord) -> AppResult<DetailedSourceTemplate> {
    data.source_templates
        .get(&record.template_id)
        .map(|t| t.template.clone())
        .ok_or_else(|| AppError::not_found("Source", record.id))
}

/// Updates a source: a configuration sent back with `**********` keeps the stored secrets.
pub async fn update(
    state: &AppState,
    field: ConfigField,
    record: &SourceRecord,
    config: Option<Map<String, Value>>,
    name: Option<String>,
) -> AppResult<SourceRead> {
    if config.is_none() && name.is_none() {
        return Err(AppError::invalid(
            field.name(),
            format!("field required (send {}, name, or both)", field.name()),
        ));
    }
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let template = state.store.read(|d| with_template(d, record))?;
    let new_config = match config {
        Some(mut incoming) => {
            spec::restore_secrets(
                &template.user_config_spec.connection_specification,
                &mut incoming,
                &record.config,
            )
            .map_err(|e| AppError::invalid_many(field.rename(e)))?;
            let (merged, outcome) = prepare(state, Step::Save, field, &template, incoming).await?;
            if let Some(failure) = &outcome.failure {
                return Err(failure_error(field, failure));
            }
            Some(merged)
        }
        None => None,
    };
    let id = record.id;
    state.store.write(|data, _| {
        let stored = data
            .sources
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Source", id))?;
        if let Some(config) = new_config {
            stored.config = config;
        }
        if let Some(name) = name {
            stored.name = name;
        }
        stored.updated_at = clock::now_rfc3339();
        let stored = stored.clone();
        source_read(data, &stored).ok_or_else(|| AppError::not_found("Source", id))
    })
}

/// Checks a configuration for `template`, or the update of `existing` to it (masked secrets restored).
pub async fn check(
    state: &AppState,
    field: ConfigField,
    template: &DetailedSourceTemplate,
    existing: Option<&SourceRecord>,
    mut config: Map<String, Value>,
) -> AppResult<SourceCheckResponse> {
    if let Some(record) = existing {
        spec::restore_secrets(
            &template.user_config_spec.connection_specification,
            &mut config,
            &record.config,
        )
        .map_err(|e| AppError::invalid_many(field.rename(e)))?;
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
