//! Fixtures: a small JSON format that adds workspaces, tags, source templates and sources to the
//! state (`POST /_mock/fixtures`, `--fixture PATH` at start, `POST /_mock/reset?to=fixtures`).
//! A fixture is checked whole first, then applied in one write, so a bad one changes nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use airbyte_embedded::{
    SourceTemplateCreateRequest, SourceTemplateCustomization, SourceTemplateMode,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::state::{Problems, known_definitions};
use super::store::{Data, SourceRecord, Store};
use crate::catalog::{Catalog, SourceDefinition};
use crate::error::{AppError, AppResult};
use crate::ids::Ids;
use crate::{clock, spec};

/// One fixture document. Every list may be left out. Unknown keys are refused, so a misspelt key
/// is an error rather than silently ignored.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fixture {
    /// Free text for the reader; ignored.
    #[serde(default, rename = "description")]
    _description: Option<serde::de::IgnoredAny>,
    /// Found by name, or created (in `region_id`, US by default).
    #[serde(default)]
    pub(crate) workspaces: Vec<FixtureWorkspace>,
    /// Tag names, created unless they exist.
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    /// New templates, each from a catalog definition.
    #[serde(default)]
    pub(crate) source_templates: Vec<FixtureTemplate>,
    /// New sources.
    #[serde(default)]
    pub(crate) sources: Vec<FixtureSource>,
}

// By hand: a fixture's source configurations hold secrets, and a Debug print must not show them.
impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("workspaces", &self.workspaces.len())
            .field("tags", &self.tags.len())
            .field("source_templates", &self.source_templates.len())
            .field("sources", &self.sources.len())
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureWorkspace {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) region_id: Option<Uuid>,
}

/// A template from the catalog definition `actor_definition_id`, or the one `connector` names
/// (`stripe`, `source-stripe` or `Stripe`, case-insensitive). (No `Debug`: its defaults may hold a
/// secret.)
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureTemplate {
    #[serde(default)]
    pub(crate) actor_definition_id: Option<Uuid>,
    #[serde(default)]
    pub(crate) connector: Option<String>,
    /// The definition's name when absent.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    /// The definition's defaults when absent.
    #[serde(default)]
    pub(crate) partial_default_config: Option<Map<String, Value>>,
    #[serde(default)]
    pub(crate) customization: Option<SourceTemplateCustomization>,
    #[serde(default)]
    pub(crate) mode: Option<SourceTemplateMode>,
}

/// A source in the workspace `workspace_name` (declared in this fixture or already there) from
/// `template`: a template id, or a name (this fixture's templates first, then the state's).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureSource {
    pub(crate) workspace_name: String,
    pub(crate) template: String,
    #[serde(default)]
    pub(crate) name: Option<String>,
    pub(crate) config: Map<String, Value>,
}

/// What a merge added (workspaces and tags that already existed are not listed).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Added {
    pub(crate) workspaces: Vec<Named>,
    pub(crate) tags: Vec<String>,
    pub(crate) source_templates: Vec<Named>,
    pub(crate) sources: Vec<AddedSource>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Named {
    pub(crate) id: Uuid,
    pub(crate) name: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct AddedSource {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) workspace_id: Uuid,
    pub(crate) workspace_name: String,
    pub(crate) template_id: Uuid,
}

/// Merges `fixture` into the state: checked whole against the current state, then applied in one
/// write. A bad fixture is a 422 listing every bad entry by its path (`sources[2].config.api_key`).
///
/// Sources get their connections as if created through the API (every connection template applies),
/// `sim_now` being replication's simulated clock.
pub(crate) fn merge(
    store: &Store,
    catalog: &Catalog,
    fixture: &Fixture,
    sim_now: u64,
) -> AppResult<Added> {
    // Checked under the shared lock first, so a bad fixture costs no write (and no revision).
    store.read(|data| plan(fixture, data, catalog))?;
    // Checked again under the exclusive lock: another request may have changed the state since.
    store.write(|data, ids| plan(fixture, data, catalog).map(|p| apply(p, data, ids, sim_now)))
}

/// Back to the seeded state with `fixtures` merged in order, as one write.
pub(crate) fn reset_to(
    store: &Store,
    catalog: &Catalog,
    fixtures: &[Fixture],
    sim_now: u64,
) -> AppResult<()> {
    store.reset_with(catalog, |data, ids| {
        for fixture in fixtures {
            let p = plan(fixture, data, catalog)?;
            apply(p, data, ids, sim_now);
        }
        Ok(())
    })
}

/// Reads and merges the fixture files given at start, in order. The error names the file and
/// every bad entry in it.
pub(crate) fn load_files(
    store: &Store,
    catalog: &Catalog,
    paths: &[PathBuf],
    apply: bool,
    sim_now: u64,
) -> Result<Vec<Fixture>, String> {
    let mut fixtures = Vec::with_capacity(paths.len());
    for path in paths {
        let fixture = read_file(path)?;
        if !apply {
            // A state restored from the state file already holds what the fixtures added at the
            // first start; merging again would duplicate their templates and sources.
            tracing::info!(file = %path.display(), "fixture read (not merged: the state file has the state)");
            fixtures.push(fixture);
            continue;
        }
        let added = merge(store, catalog, &fixture, sim_now)
            .map_err(|e| format!("fixture {}: {}", path.display(), describe(&e)))?;
        tracing::info!(
            file = %path.display(),
            workspaces = added.workspaces.len(),
            source_templates = added.source_templates.len(),
            sources = added.sources.len(),
            "fixture loaded"
        );
        fixtures.push(fixture);
    }
    Ok(fixtures)
}

fn read_file(path: &Path) -> Result<Fixture, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("fixture {}: cannot read it: {e}", path.display()))?;
    crate::extract::parse_json(&bytes)
        .map_err(|e| format!("fixture {}: {}", path.display(), describe(&e)))
}

/// `field: message; …` of an error, for a start-up failure on the terminal.
fn describe(e: &AppError) -> String {
    if e.body.errors.is_empty() {
        return e.body.message.clone().unwrap_or_default();
    }
    e.body
        .errors
        .iter()
        .map(|e| {
            let message = e.message.as_deref().unwrap_or_default();
            match &e.field {
                Some(field) => format!("{field}: {message}"),
                None => message.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A fixture resolved against one state: everything [`apply`] needs, nothing left to check. (No
/// `Debug`: it holds the sources' secrets.)
#[derive(Default)]
struct Plan {
    new_workspaces: Vec<(String, Uuid)>,
    new_tags: Vec<String>,
    templates: Vec<(SourceDefinition, SourceTemplateCreateRequest)>,
    sources: Vec<PlannedSource>,
}

#[derive(Debug, Clone, Copy)]
enum TemplateRef {
    Existing(Uuid),
    /// The fixture's own `source_templates[i]`.
    New(usize),
}

struct PlannedSource {
    workspace_name: String,
    template: TemplateRef,
    name: Option<String>,
    /// Defaults merged, validated.
    config: Map<String, Value>,
}

/// Checks `fixture` against `data` and resolves its references.
fn plan(fixture: &Fixture, data: &Data, catalog: &Catalog) -> AppResult<Plan> {
    let mut problems = Problems::default();
    let mut plan = Plan::default();

    let mut declared: HashMap<&str, usize> = HashMap::new();
    for (i, w) in fixture.workspaces.iter().enumerate() {
        let at = format!("workspaces[{i}]");
        problems.note(super::workspaces::check_name(
            &format!("{at}.name"),
            &w.name,
        ));
        if let Some(first) = declared.insert(w.name.as_str(), i) {
            problems.push(
                &format!("{at}.name"),
                format!("'{}' is listed twice (also workspaces[{first}])", w.name),
                "duplicate",
            );
            continue;
        }
        let region = match super::workspaces::region_at(&format!("{at}.region_id"), w.region_id) {
            Ok(region) => region,
            Err(e) => {
                problems.note(Err(e));
                continue;
            }
        };
        match data.workspace_by_name(&w.name) {
            Some(existing) if w.region_id.is_some() && existing.region_id != region => {
                problems.push(
                    &format!("{at}.region_id"),
                    format!(
                        "workspace '{}' exists already, in region {}",
                        w.name, existing.region_id
                    ),
                    "conflict",
                );
            }
            Some(_) => {}
            None => plan.new_workspaces.push((w.name.clone(), region)),
        }
    }

    for (i, tag) in fixture.tags.iter().enumerate() {
        problems.note(super::tags::check_tag_name(&format!("tags[{i}]"), tag));
        if !data.tags.contains_key(tag) && !plan.new_tags.contains(tag) {
            plan.new_tags.push(tag.clone());
        }
    }

    // Each fixture template's definition and name (`None` when its definition is unknown).
    let mut new_templates: Vec<Option<(&SourceDefinition, String)>> = Vec::new();
    let mut new_defaults: Vec<Map<String, Value>> = Vec::new();
    for (i, t) in fixture.source_templates.iter().enumerate() {
        let at = format!("source_templates[{i}]");
        let def = definition(catalog, t, &at, &mut problems);
        if t.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            problems.push(&format!("{at}.name"), "must not be empty", "invalid");
        }
        problems.note(super::tags::check_tag_names(&format!("{at}.tags"), &t.tags));
        new_templates.push(def.map(|d| (d, t.name.clone().unwrap_or_else(|| d.name.clone()))));
        let defaults = t
            .partial_default_config
            .clone()
            .or_else(|| def.map(|d| d.partial_default_config.clone()))
            .unwrap_or_default();
        new_defaults.push(defaults.clone());
        if let Some(def) = def {
            plan.templates.push((
                def.clone(),
                SourceTemplateCreateRequest {
                    actor_definition_id: def.source_definition_id,
                    partial_default_config: defaults,
                    name: t.name.clone(),
                    customization: t.customization.clone(),
                    mode: t.mode,
                    tags: Some(t.tags.clone()),
                },
            ));
        }
    }

    for (i, s) in fixture.sources.iter().enumerate() {
        let at = format!("sources[{i}]");
        let field = format!("{at}.workspace_name");
        if let Err(e) = super::workspaces::check_name(&field, &s.workspace_name) {
            problems.note(Err(e));
        } else if data.workspace_by_name(&s.workspace_name).is_none()
            && !declared.contains_key(s.workspace_name.as_str())
        {
            problems.push(
                &field,
                format!(
                    "no workspace '{}': declare it under workspaces",
                    s.workspace_name
                ),
                "unknown_workspace",
            );
        }
        if s.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            problems.push(&format!("{at}.name"), "must not be empty", "invalid");
        }
        let Some(template) = resolve_template(data, fixture, &new_templates, s, &at, &mut problems)
        else {
            continue;
        };
        // What the source is checked against: the template's connector, schema and defaults.
        let (definition_id, schema, defaults) = match template {
            TemplateRef::Existing(id) => {
                let Some(t) = data.source_templates.get(&id) else {
                    continue;
                };
                (
                    t.template.source_definition_id,
                    &t.template.user_config_spec.connection_specification,
                    &t.template.partial_default_config,
                )
            }
            TemplateRef::New(j) => {
                let Some(Some((def, _))) = new_templates.get(j) else {
                    // Its definition is unknown, which source_templates[j] already reports.
                    continue;
                };
                (
                    def.source_definition_id,
                    &def.user_config_spec.connection_specification,
                    &new_defaults[j],
                )
            }
        };
        match checked(
            catalog,
            &at,
            definition_id,
            schema,
            defaults,
            s.config.clone(),
        ) {
            Ok(config) => plan.sources.push(PlannedSource {
                workspace_name: s.workspace_name.clone(),
                template,
                name: s.name.clone(),
                config,
            }),
            Err(errors) => problems.extend(errors),
        }
    }

    problems.into_result().map(|()| plan)
}

/// A source's configuration checked as the real create checks it: no mask without a stored secret
/// behind it (a fixture has none), defaults merged, the schema, and no outcome input that makes the
/// create fail (`fail`, `error_<CODE>`). `slow` is accepted and does not delay a fixture.
fn checked(
    catalog: &Catalog,
    at: &str,
    definition_id: Uuid,
    schema: &Value,
    defaults: &Map<String, Value>,
    mut config: Map<String, Value>,
) -> Result<Map<String, Value>, Vec<airbyte_embedded::ApiError>> {
    let field = format!("{at}.config");
    spec::restore_secrets(schema, &field, &mut config, &Map::new())?;
    let config = super::sources::checked_config(catalog, &field, definition_id, defaults, config)?;
    if let Some(f) = spec::outcome(schema, &config).failure {
        return Err(vec![airbyte_embedded::ApiError::new(
            Some(&format!("{field}.{}", f.field)),
            format!("{}; the source could not be created", f.message),
            &f.code,
        )]);
    }
    Ok(config)
}

/// The catalog definition a fixture template names, by id or connector name (both must agree).
fn definition<'c>(
    catalog: &'c Catalog,
    t: &FixtureTemplate,
    at: &str,
    problems: &mut Problems,
) -> Option<&'c SourceDefinition> {
    let by_id = t.actor_definition_id.map(|id| (id, catalog.source(id)));
    let by_name = t
        .connector
        .as_deref()
        .map(|c| (c, by_connector(catalog, c)));
    match (by_id, by_name) {
        (None, None) => {
            problems.push(
                &format!("{at}.actor_definition_id"),
                "field required (or connector, such as 'stripe')",
                "missing",
            );
            None
        }
        (Some((id, None)), _) => {
            problems.push(
                &format!("{at}.actor_definition_id"),
                format!(
                    "unknown source definition {id}; the mock knows {}",
                    known_definitions(catalog)
                ),
                "unknown_definition",
            );
            None
        }
        (_, Some((name, None))) => {
            let known: Vec<&str> = catalog
                .sources
                .iter()
                .map(|d| d.connector_name.as_str())
                .collect();
            problems.push(
                &format!("{at}.connector"),
                format!(
                    "no connector '{name}' in the catalog; it has {}",
                    known.join(", ")
                ),
                "unknown_connector",
            );
            None
        }
        (Some((_, Some(a))), Some((name, Some(b))))
            if a.source_definition_id != b.source_definition_id =>
        {
            problems.push(
                &format!("{at}.connector"),
                format!("'{name}' is another connector than actor_definition_id; send one of them"),
                "conflict",
            );
            None
        }
        (Some((_, Some(def))), _) | (None, Some((_, Some(def)))) => Some(def),
    }
}

/// A catalog definition by connector name: `stripe`, `source-stripe` or the display name `Stripe`.
fn by_connector<'c>(catalog: &'c Catalog, name: &str) -> Option<&'c SourceDefinition> {
    let name = name.to_lowercase();
    catalog.sources.iter().find(|d| {
        let slug = d.connector_name.to_lowercase();
        slug == name || slug.strip_prefix("source-") == Some(&name) || d.name.to_lowercase() == name
    })
}

/// The template a fixture source names: an id of the state's, or a name, looked up among this
/// fixture's templates first and then the state's; a name two templates share is an error.
fn resolve_template(
    data: &Data,
    fixture: &Fixture,
    new_templates: &[Option<(&SourceDefinition, String)>],
    s: &FixtureSource,
    at: &str,
    problems: &mut Problems,
) -> Option<TemplateRef> {
    let field = format!("{at}.template");
    if let Ok(id) = Uuid::parse_str(&s.template) {
        if data.source_templates.contains_key(&id) {
            return Some(TemplateRef::Existing(id));
        }
        problems.push(
            &field,
            format!("no source template '{id}'"),
            "unknown_template",
        );
        return None;
    }
    // The fixture's own templates by name; one whose definition is unknown still has its name, if
    // it was given one, so a source that names it is not also reported as unknown.
    let own: Vec<usize> = fixture
        .source_templates
        .iter()
        .enumerate()
        .filter(|(j, t)| {
            let name = match new_templates.get(*j) {
                Some(Some((_, name))) => Some(name.as_str()),
                _ => t.name.as_deref(),
            };
            name == Some(s.template.as_str())
        })
        .map(|(j, _)| j)
        .collect();
    match own.as_slice() {
        [j] => return Some(TemplateRef::New(*j)),
        [first, second, ..] => {
            problems.push(
                &field,
                format!(
                    "source_templates[{first}] and source_templates[{second}] are both called '{}'; give them distinct names",
                    s.template
                ),
                "ambiguous_template",
            );
            return None;
        }
        [] => {}
    }
    let existing: Vec<Uuid> = data
        .source_templates
        .values()
        .filter(|t| t.template.name == s.template)
        .map(|t| t.template.id)
        .collect();
    match existing.as_slice() {
        [id] => Some(TemplateRef::Existing(*id)),
        [] => {
            problems.push(
                &field,
                format!(
                    "no source template called '{}' (in this fixture's source_templates or the state)",
                    s.template
                ),
                "unknown_template",
            );
            None
        }
        several => {
            let ids: Vec<String> = several.iter().map(Uuid::to_string).collect();
            problems.push(
                &field,
                format!(
                    "{} templates are called '{}' ({}); name one by id",
                    several.len(),
                    s.template,
                    ids.join(", ")
                ),
                "ambiguous_template",
            );
            None
        }
    }
}

/// Applies a plan made against this same state.
fn apply(plan: Plan, data: &mut Data, ids: &mut Ids, sim_now: u64) -> Added {
    let now = clock::now_rfc3339();
    let mut added = Added::default();
    for (name, region) in plan.new_workspaces {
        let w = data.new_workspace(&name, region, ids, &now);
        added.workspaces.push(Named { id: w.id, name });
    }
    for tag in plan.new_tags {
        data.ensure_tag(&tag, ids, &now);
        added.tags.push(tag);
    }
    let organization_id = data.organization_id;
    let mut template_ids = Vec::with_capacity(plan.templates.len());
    for (def, req) in plan.templates {
        let t = data.insert_source_template(&def, organization_id, req, ids, &now);
        template_ids.push(t.id);
        added.source_templates.push(Named {
            id: t.id,
            name: t.name,
        });
    }
    for s in plan.sources {
        let template_id = match s.template {
            TemplateRef::Existing(id) => Some(id),
            TemplateRef::New(j) => template_ids.get(j).copied(),
        };
        let workspace_id = data
            .workspace_by_name(&s.workspace_name)
            .map(|w| w.workspace.id);
        // The plan resolved both against this state under the same lock; they are there.
        let (Some(template_id), Some(workspace_id)) = (template_id, workspace_id) else {
            continue;
        };
        let template_name = data
            .source_templates
            .get(&template_id)
            .map(|t| t.template.name.clone())
            .unwrap_or_default();
        let id = ids.uuid();
        let name = s.name.unwrap_or_else(|| format!("{template_name} - {id}"));
        let record = SourceRecord {
            id,
            workspace_id,
            template_id,
            name: name.clone().into(),
            config: s.config.into(),
            created_at: now.clone().into(),
            updated_at: now.clone().into(),
        };
        data.connect_source(
            &record,
            crate::domain::replication::ConnectionSelection::ALL,
            ids,
            sim_now,
        );
        data.sources.insert(id, record);
        added.sources.push(AddedSource {
            id,
            name,
            workspace_id,
            workspace_name: s.workspace_name,
            template_id,
        });
    }
    added
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::tests::store;

    fn catalog() -> Catalog {
        Catalog::load().unwrap()
    }

    fn fixture(value: serde_json::Value) -> Fixture {
        serde_json::from_value(value).unwrap()
    }

    fn fields(e: &AppError) -> Vec<String> {
        e.body
            .errors
            .iter()
            .filter_map(|e| e.field.clone())
            .collect()
    }

    fn stripe(secret: &str) -> serde_json::Value {
        json!({"account_id": "acct_1", "client_secret": secret})
    }

    #[test]
    fn a_fixture_adds_workspaces_tags_templates_and_sources_in_one_write() {
        let (store, catalog) = (store(), catalog());
        let before = store.counts();
        let revision = store.revision();
        let f = fixture(json!({
            "workspaces": [{"name": "acme"}],
            "tags": ["vip", "crm"],
            "source_templates": [{"connector": "stripe", "name": "Stripe EU", "tags": ["vip"],
                                  "partial_default_config": {"lookback_window_days": 7}}],
            "sources": [
                {"workspace_name": "acme", "template": "Stripe EU", "config": stripe("sk_test_1")},
                {"workspace_name": "acme", "template": "Postgres", "name": "warehouse",
                 "config": {"host": "db", "port": 5432, "database": "app", "username": "u"}}
            ]
        }));
        let added = merge(&store, &catalog, &f, 0).unwrap();
        assert_eq!(store.revision(), revision + 1, "one write");
        let after = store.counts();
        assert_eq!(after.workspaces, before.workspaces + 1);
        assert_eq!(after.tags, before.tags + 1, "crm existed, vip is new");
        assert_eq!(added.tags, vec!["vip".to_owned()]);
        assert_eq!(after.source_templates, before.source_templates + 1);
        assert_eq!(after.sources, 2);
        let stored = store.stored_config(added.sources[0].id).unwrap();
        assert_eq!(stored["client_secret"], "sk_test_1");
        assert_eq!(
            stored["lookback_window_days"], 7,
            "the template's defaults are merged"
        );
        assert_eq!(added.sources[0].template_id, added.source_templates[0].id);
        assert_eq!(added.sources[1].name, "warehouse");

        // Merging again finds the workspace and the tags, and adds the rest again.
        let again = merge(&store, &catalog, &f, 0).unwrap();
        assert!(again.workspaces.is_empty() && again.tags.is_empty());
        assert_eq!(store.counts().workspaces, after.workspaces);
    }

    #[test]
    fn a_bad_fixture_names_every_bad_entry_and_changes_nothing() {
        let (store, catalog) = (store(), catalog());
        let before = store.counts();
        let revision = store.revision();
        let f = fixture(json!({
            "workspaces": [{"name": "acme"}, {"name": " "}, {"name": "eu", "region_id": Uuid::nil()}],
            "tags": ["ok", ""],
            "source_templates": [{"connector": "nope"}, {}, {"actor_definition_id": Uuid::nil()}],
            "sources": [
                {"workspace_name": "acme", "template": "Stripe", "config": stripe("sk_test_1")},
                {"workspace_name": "acme", "template": "Stripe", "config": {"account_id": "acct_1"}},
                {"workspace_name": "ghost", "template": "Stripe", "config": stripe("sk_test_1")},
                {"workspace_name": "acme", "template": "No Such", "config": {}},
                {"workspace_name": "acme", "template": Uuid::nil().to_string(), "config": {}},
                {"workspace_name": "acme", "template": "Stripe", "config": stripe("**********")},
                {"workspace_name": "acme", "template": "Stripe", "config": stripe("fail")}
            ]
        }));
        let err = merge(&store, &catalog, &f, 0).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        let fields = fields(&err);
        for expected in [
            "workspaces[1].name",
            "workspaces[2].region_id",
            "tags[1]",
            "source_templates[0].connector",
            "source_templates[1].actor_definition_id",
            "source_templates[2].actor_definition_id",
            "sources[1].config.client_secret",
            "sources[2].workspace_name",
            "sources[3].template",
            "sources[4].template",
            "sources[5].config.client_secret",
            "sources[6].config.client_secret",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} in {fields:?}"
            );
        }
        assert!(
            !fields.iter().any(|f| f.starts_with("sources[0]")),
            "{fields:?}"
        );
        let text = serde_json::to_string(&err.body).unwrap();
        assert!(
            !text.contains("sk_test_1"),
            "no submitted secret in the error: {text}"
        );
        assert_eq!(store.counts(), before);
        assert_eq!(
            store.revision(),
            revision,
            "a refused fixture costs no write"
        );
    }

    #[test]
    fn template_names_resolve_to_the_fixture_first_and_must_be_unambiguous() {
        let (store, catalog) = (store(), catalog());
        // A fixture template named like a seeded one wins inside its fixture.
        let f = fixture(json!({
            "workspaces": [{"name": "acme"}],
            "source_templates": [{"connector": "source-stripe"}],
            "sources": [{"workspace_name": "acme", "template": "Stripe", "config": stripe("sk_1")}]
        }));
        let added = merge(&store, &catalog, &f, 0).unwrap();
        assert_eq!(added.sources[0].template_id, added.source_templates[0].id);
        // Now the state has two templates called Stripe: a name is ambiguous, an id is not.
        let by_name = fixture(json!({
            "sources": [{"workspace_name": "acme", "template": "Stripe", "config": stripe("sk_1")}]
        }));
        let err = merge(&store, &catalog, &by_name, 0).unwrap_err();
        assert_eq!(fields(&err), vec!["sources[0].template".to_owned()]);
        let by_id = fixture(json!({
            "sources": [{"workspace_name": "acme", "template": added.source_templates[0].id.to_string(),
                         "config": stripe("sk_1")}]
        }));
        assert!(merge(&store, &catalog, &by_id, 0).is_ok());
        // Two fixture templates of one name.
        let twins = fixture(json!({
            "source_templates": [{"connector": "faker", "name": "T"}, {"connector": "faker", "name": "T"}],
            "sources": [{"workspace_name": "acme", "template": "T", "config": {"count": 1}}]
        }));
        let err = merge(&store, &catalog, &twins, 0).unwrap_err();
        assert_eq!(fields(&err), vec!["sources[0].template".to_owned()]);
    }

    #[test]
    fn a_reset_to_fixtures_gives_the_same_ids_as_the_start() {
        let (store, catalog) = (store(), catalog());
        let f = fixture(json!({
            "workspaces": [{"name": "acme"}],
            "sources": [{"workspace_name": "acme", "template": "Sample Data (Faker)", "config": {"count": 5}}]
        }));
        let first = merge(&store, &catalog, &f, 0).unwrap();
        store.workspace_for("extra", Uuid::nil());
        reset_to(&store, &catalog, std::slice::from_ref(&f), 0).unwrap();
        assert_eq!(store.workspace_id("acme"), Some(first.workspaces[0].id));
        assert_eq!(store.workspace_id("extra"), None);
        assert!(store.stored_config(first.sources[0].id).is_some());
    }

    #[test]
    fn unknown_keys_are_refused_by_path() {
        let err = crate::extract::parse_json::<Fixture>(
            br#"{"sources": [{"workspace": "acme", "template": "Stripe", "config": {}}]}"#,
        )
        .map(|_| ())
        .unwrap_err();
        let fields = fields(&err);
        assert!(fields[0].starts_with("sources[0]"), "{fields:?}");
        assert!(describe(&err).contains("workspace"), "{}", describe(&err));
    }
}
