//! The whole state as the control plane shows and loads it (`GET`/`PUT /_mock/state`): one JSON
//! document with every secret redacted, and the checks a loaded document must pass.

use std::collections::{BTreeSet, HashMap};

use airbyte_embedded::{ApiError, ConnectionTemplate, DetailedSourceTemplate, Tag, Workspace};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::store::{Data, SourceRecord, Store, Stored, TemplateRecord, WorkspaceRecord};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::spec;

/// The dump: what `GET /_mock/state` answers and `PUT /_mock/state` takes. On a load `revision` is
/// ignored and secrets may be real or the mask `**********` (which keeps the value stored for the
/// same source id).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StateDump {
    #[serde(default)]
    pub(crate) revision: u64,
    pub(crate) organization: Organization,
    #[serde(default)]
    pub(crate) workspaces: Vec<WorkspaceDump>,
    #[serde(default)]
    pub(crate) source_templates: Vec<TemplateDump>,
    #[serde(default)]
    pub(crate) connection_templates: Vec<ConnectionTemplate>,
    #[serde(default)]
    pub(crate) tags: Vec<Tag>,
    #[serde(default)]
    pub(crate) sources: Vec<SourceRecord>,
    #[serde(default)]
    pub(crate) allowed_origins: Vec<String>,
    /// Replication's connections and sync jobs (`replication.rs`).
    #[serde(default)]
    pub(crate) connections: Vec<super::replication::Connection>,
    #[serde(default)]
    pub(crate) jobs: Vec<super::replication::Job>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub(crate) id: Uuid,
    pub(crate) name: String,
}

/// A workspace as the operator API shows it, plus its region.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WorkspaceDump {
    #[serde(flatten)]
    pub(crate) workspace: Workspace,
    pub(crate) region_id: Uuid,
}

/// A detailed source template plus its owner (`null` for Airbyte's global templates).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TemplateDump {
    #[serde(default)]
    pub(crate) organization_id: Option<Uuid>,
    #[serde(flatten)]
    pub(crate) template: DetailedSourceTemplate,
}

/// The whole state with every `airbyte_secret` value redacted, as the API redacts a `SourceRead`.
pub(crate) fn dump(store: &Store) -> StateDump {
    let revision = store.revision();
    store.read(|d| StateDump {
        revision,
        organization: Organization {
            id: d.organization_id,
            name: d.organization_name.clone(),
        },
        workspaces: d
            .workspaces
            .values()
            .map(|w| WorkspaceDump {
                workspace: w.workspace.clone(),
                region_id: w.region_id,
            })
            .collect(),
        source_templates: d
            .source_templates
            .values()
            .map(|t| TemplateDump {
                organization_id: t.organization_id,
                template: t.template.clone(),
            })
            .collect(),
        connection_templates: d.connection_templates.values().cloned().collect(),
        tags: d.tags.values().cloned().collect(),
        sources: d
            .sources
            .values()
            .map(|s| SourceRecord {
                // A source outlives its template in no code path; if one ever did, show no
                // configuration rather than guess which values are secret.
                config: d
                    .source_templates
                    .get(&s.template_id)
                    .map(|t| {
                        spec::redact(
                            &t.template.user_config_spec.connection_specification,
                            &s.config.map(),
                        )
                    })
                    .unwrap_or_default()
                    .into(),
                ..s.clone()
            })
            .collect(),
        allowed_origins: d.allowed_origins.iter().cloned().collect(),
        connections: d.connection_list(),
        jobs: d.job_list(),
    })
}

/// Replaces the whole state with `dump`, as one write, after checking it: ids unique, names valid
/// and unique, every reference resolves, each source's configuration valid for its connector, and
/// every masked secret backed by the value stored for the same source. A bad dump is a 422 listing
/// every bad entry by its path (`sources[2].config.api_key`) and changes nothing.
pub(crate) fn load(store: &Store, catalog: &Catalog, dump: StateDump) -> AppResult<()> {
    let data = store.read(|current| check(current, catalog, dump))?;
    store.replace(data);
    Ok(())
}

/// Errors gathered while checking a document, each named by its path.
#[derive(Debug, Default)]
pub(in crate::domain) struct Problems(Vec<ApiError>);

impl Problems {
    pub(in crate::domain) fn push(&mut self, field: &str, message: impl Into<String>, code: &str) {
        self.0.push(ApiError::new(Some(field), message, code));
    }

    /// Keeps the errors of a check that names its own fields.
    pub(in crate::domain) fn note(&mut self, result: AppResult<()>) {
        if let Err(e) = result {
            self.0.extend(e.body.errors);
        }
    }

    pub(in crate::domain) fn extend(&mut self, errors: Vec<ApiError>) {
        self.0.extend(errors);
    }

    pub(in crate::domain) fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid_many(self.0))
        }
    }
}

/// Remembers where each key was first seen, to name both places of a duplicate.
fn first_seen<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, String>,
    key: K,
    here: &str,
) -> Option<String> {
    match seen.get(&key) {
        Some(there) => Some(there.clone()),
        None => {
            seen.insert(key, here.to_owned());
            None
        }
    }
}

fn check(current: &Data, catalog: &Catalog, dump: StateDump) -> AppResult<Data> {
    let mut problems = Problems::default();
    let org = dump.organization.id;
    if dump.organization.name.trim().is_empty() {
        problems.push("organization.name", "must not be empty", "invalid");
    }

    let mut workspace_ids = HashMap::new();
    let mut workspace_names = HashMap::new();
    let mut workspaces = IndexMap::new();
    for (i, w) in dump.workspaces.into_iter().enumerate() {
        let at = format!("workspaces[{i}]");
        let ws = &w.workspace;
        if let Some(there) = first_seen(&mut workspace_ids, ws.id, &at) {
            problems.push(
                &format!("{at}.id"),
                format!("duplicate id (also {there})"),
                "duplicate",
            );
        }
        problems.note(super::workspaces::check_name(
            &format!("{at}.name"),
            &ws.name,
        ));
        if let Some(there) = first_seen(&mut workspace_names, ws.name.clone(), &at) {
            problems.push(
                &format!("{at}.name"),
                format!("duplicate name (also {there}): one workspace per name"),
                "duplicate",
            );
        }
        if ws.organization_id != org {
            problems.push(
                &format!("{at}.organization_id"),
                "must be the organization's id (organization.id)",
                "invalid",
            );
        }
        problems.note(
            super::workspaces::region_at(&format!("{at}.region_id"), Some(w.region_id)).map(|_| ()),
        );
        workspaces.insert(
            ws.id,
            WorkspaceRecord {
                workspace: w.workspace,
                region_id: w.region_id,
            },
        );
    }

    let mut tags = IndexMap::new();
    for (i, tag) in dump.tags.into_iter().enumerate() {
        let at = format!("tags[{i}]");
        // Any name the API took (it warns about, but keeps, names outside the mock's tag rule) loads back.
        if tag.organization_id != org {
            problems.push(
                &format!("{at}.organization_id"),
                "must be the organization's id (organization.id)",
                "invalid",
            );
        }
        if tags.contains_key(&tag.name) {
            problems.push(&format!("{at}.name"), "duplicate tag name", "duplicate");
        }
        tags.insert(tag.name.clone(), tag);
    }
    let check_tags = |problems: &mut Problems, at: &str, names: &[String]| {
        for (j, name) in names.iter().enumerate() {
            if !tags.contains_key(name) {
                problems.push(
                    &format!("{at}.tags[{j}]"),
                    format!("no tag '{name}' in tags"),
                    "unknown_tag",
                );
            }
        }
    };

    let mut template_ids = HashMap::new();
    let mut source_templates = IndexMap::new();
    for (i, t) in dump.source_templates.into_iter().enumerate() {
        let at = format!("source_templates[{i}]");
        let template = &t.template;
        if let Some(there) = first_seen(&mut template_ids, template.id, &at) {
            problems.push(
                &format!("{at}.id"),
                format!("duplicate id (also {there})"),
                "duplicate",
            );
        }
        if t.organization_id.is_some_and(|o| o != org) {
            problems.push(
                &format!("{at}.organization_id"),
                "must be the organization's id, or null for a global template",
                "invalid",
            );
        }
        if template.name.trim().is_empty() {
            problems.push(&format!("{at}.name"), "must not be empty", "invalid");
        }
        if catalog.source(template.source_definition_id).is_none() {
            problems.push(
                &format!("{at}.source_definition_id"),
                format!(
                    "unknown source definition {}; the mock knows {}",
                    template.source_definition_id,
                    known_definitions(catalog)
                ),
                "unknown_definition",
            );
        }
        check_tags(&mut problems, &at, &template.tags);
        source_templates.insert(
            template.id,
            TemplateRecord {
                organization_id: t.organization_id,
                template: t.template,
            },
        );
    }

    let mut connection_ids = HashMap::new();
    let mut connection_templates = IndexMap::new();
    for (i, t) in dump.connection_templates.into_iter().enumerate() {
        let at = format!("connection_templates[{i}]");
        if let Some(there) = first_seen(&mut connection_ids, t.id, &at) {
            problems.push(
                &format!("{at}.id"),
                format!("duplicate id (also {there})"),
                "duplicate",
            );
        }
        if t.organization_id != org {
            problems.push(
                &format!("{at}.organization_id"),
                "must be the organization's id (organization.id)",
                "invalid",
            );
        }
        check_tags(&mut problems, &at, &t.tags);
        connection_templates.insert(t.id, t);
    }

    let mut source_ids = HashMap::new();
    let mut sources = IndexMap::new();
    for (i, mut s) in dump.sources.into_iter().enumerate() {
        let at = format!("sources[{i}]");
        if let Some(there) = first_seen(&mut source_ids, s.id, &at) {
            problems.push(
                &format!("{at}.id"),
                format!("duplicate id (also {there})"),
                "duplicate",
            );
        }
        if !workspaces.contains_key(&s.workspace_id) {
            problems.push(
                &format!("{at}.workspace_id"),
                format!("no workspace '{}' in workspaces", s.workspace_id),
                "unknown_workspace",
            );
        }
        if s.name.trim().is_empty() {
            problems.push(&format!("{at}.name"), "must not be empty", "invalid");
        }
        match source_templates.get(&s.template_id) {
            None => problems.push(
                &format!("{at}.template_id"),
                format!("no source template '{}' in source_templates", s.template_id),
                "unknown_template",
            ),
            Some(t) => {
                let field = format!("{at}.config");
                let schema = &t.template.user_config_spec.connection_specification;
                let stored = current
                    .sources
                    .get(&s.id)
                    .map(|old| old.config.map())
                    .unwrap_or_default();
                let mut config = s.config.map();
                let restored = spec::restore_secrets(schema, &field, &mut config, &stored);
                s.config = config.into();
                match restored {
                    Err(errors) => problems.extend(errors),
                    Ok(()) => {
                        if let Some(validator) = catalog.validator(t.template.source_definition_id)
                        {
                            problems.extend(spec::validate(
                                validator,
                                &field,
                                &Value::Object(s.config.map()),
                            ));
                        }
                    }
                }
            }
        }
        sources.insert(s.id, s);
    }

    // Taken as they are: widget tokens are minted for whatever allowed_origin Airbyte accepts (see
    // `tokens::check_origin`), so a dump may hold origins no browser sends, and must load back.
    let allowed_origins: BTreeSet<String> = dump.allowed_origins.into_iter().collect();

    problems.into_result()?;
    // OAuth credentials and sessions are not in a dump: `Store::replace` keeps the current ones.
    let mut data: Data = Stored {
        organization_id: org,
        organization_name: dump.organization.name,
        workspaces,
        source_templates,
        connection_templates,
        tags,
        sources,
        allowed_origins,
        connections: dump.connections.into_iter().map(|c| (c.id, c)).collect(),
        jobs: dump.jobs.into_iter().map(|j| (j.id, j)).collect(),
        oauth_credentials: IndexMap::new(),
        oauth_sessions: IndexMap::new(),
    }
    .into();
    // A connection whose source is not in the dump goes, with its jobs.
    data.prune_connections();
    Ok(data)
}

/// `id (name), …` of every catalog definition, for errors about an unknown one.
pub(in crate::domain) fn known_definitions(catalog: &Catalog) -> String {
    catalog
        .sources
        .iter()
        .map(|d| format!("{} ({})", d.source_definition_id, d.name))
        .collect::<Vec<_>>()
        .join(", ")
}
