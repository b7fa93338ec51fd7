//! The mock's state: one organization, its workspaces, templates, tags and sources.
//!
//! All of it is one serialisable [`Data`] value behind a lock, and every change goes through
//! [`Store::write`], which counts revisions. `Data`'s maps are private to this module and its sibling
//! domain modules, which hold the rules; handlers call those. Reads take a shared lock and never
//! allocate more than they return.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Mutex, RwLock};

use airbyte_embedded::{
    ConnectionTemplate, DataHostingType, DetailedSourceTemplate, SourceTemplateListItem, Tag,
    Workspace,
};
use compact_str::CompactString;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::persist::{self, StateFile};
use crate::catalog::Catalog;
use crate::clock;
use crate::ids::Ids;

/// A source template as stored: the detailed template plus who owns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TemplateRecord {
    /// `None` for Airbyte's global templates (listed with `use_global=true`).
    pub(crate) organization_id: Option<Uuid>,
    pub(crate) template: DetailedSourceTemplate,
}

impl TemplateRecord {
    pub(crate) fn list_item(&self) -> SourceTemplateListItem {
        let t = &self.template;
        SourceTemplateListItem {
            id: t.id,
            name: t.name.clone(),
            icon: t.icon.clone(),
            connector_name: t.connector_name.clone(),
            organization_id: self.organization_id,
            actor_definition_id: t.source_definition_id,
            tags: t.tags.clone(),
            customization: t.customization.clone(),
            mode: t.mode,
            created_at: t.created_at.clone(),
            updated_at: t.updated_at.clone(),
        }
    }

    /// The detailed template as the widget's `SourceRead` embeds it (no get-only fields).
    pub(crate) fn detailed(&self) -> DetailedSourceTemplate {
        DetailedSourceTemplate {
            connector_name: None,
            auth_tooltip: None,
            ..self.template.clone()
        }
    }
}

/// A source's configuration as stored: its JSON text, parsed when it is read.
///
/// A parsed four-field configuration costs about 800 bytes (a B-tree node, and an allocation per
/// key and per string); its text about a hundred. Configurations are read once per answer that
/// shows them, so a large state (100,000 sources) pays in parsing on reads, not in memory (see
/// BENCHMARKS.md, "Memory with a large state"). Serialised as the object itself.
#[derive(Debug, Clone)]
pub(crate) struct StoredConfig(Box<RawValue>);

impl StoredConfig {
    pub(crate) fn new(config: &Map<String, Value>) -> Self {
        // A map of JSON values always serialises.
        Self(serde_json::value::to_raw_value(config).unwrap_or_else(|e| unreachable!("{e}")))
    }

    /// The configuration, parsed.
    pub(crate) fn map(&self) -> Map<String, Value> {
        // Only `new` and `deserialize` make one, both from a map.
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }
}

impl From<Map<String, Value>> for StoredConfig {
    fn from(config: Map<String, Value>) -> Self {
        Self::new(&config)
    }
}

impl Serialize for StoredConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StoredConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through a map, so a state file cannot store a configuration that is not an object.
        Map::deserialize(deserializer).map(|config| Self::new(&config))
    }
}

/// A source as stored, secrets in the clear. Responses redact them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SourceRecord {
    pub(crate) id: Uuid,
    pub(crate) workspace_id: Uuid,
    pub(crate) template_id: Uuid,
    pub(crate) name: CompactString,
    pub(crate) config: StoredConfig,
    pub(crate) created_at: CompactString,
    pub(crate) updated_at: CompactString,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WorkspaceRecord {
    pub(crate) workspace: Workspace,
    pub(crate) region_id: Uuid,
}

/// Everything the mock knows, serialisable as a whole. Deserialising rebuilds the derived indexes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Stored")]
pub struct Data {
    pub(in crate::domain) organization_id: Uuid,
    pub(in crate::domain) organization_name: String,
    pub(in crate::domain) workspaces: IndexMap<Uuid, WorkspaceRecord>,
    pub(in crate::domain) source_templates: IndexMap<Uuid, TemplateRecord>,
    pub(in crate::domain) connection_templates: IndexMap<Uuid, ConnectionTemplate>,
    pub(in crate::domain) tags: IndexMap<String, Tag>,
    pub(in crate::domain) sources: IndexMap<Uuid, SourceRecord>,
    /// Every `allowed_origin` a widget token was minted for: CORS preflights are answered for these.
    pub(in crate::domain) allowed_origins: BTreeSet<String>,
    /// OAuth app credentials set with `PUT /api/v1/oauth/credentials`, by scope and definition.
    pub(in crate::domain) oauth_credentials: IndexMap<String, super::oauth::OAuthCredentialRecord>,
    /// Server-side OAuth flows waiting for the end user's consent.
    pub(in crate::domain) oauth_sessions: IndexMap<Uuid, super::oauth::OAuthSession>,
    /// Simulated replication (`replication.rs`): connections and their sync jobs.
    pub(in crate::domain) connections: IndexMap<Uuid, super::replication::Connection>,
    pub(in crate::domain) jobs: IndexMap<Uuid, super::replication::Job>,
    /// Workspace name → id, derived from `workspaces` (rebuilt on deserialising).
    #[serde(skip)]
    pub(in crate::domain) workspace_names: HashMap<String, Uuid>,
}

/// `Data` as written (the state file, a dump being loaded), before its derived indexes are rebuilt.
/// Fields added after the first release take `#[serde(default)]`, so older state files still load.
#[derive(Deserialize)]
pub(in crate::domain) struct Stored {
    pub(in crate::domain) organization_id: Uuid,
    pub(in crate::domain) organization_name: String,
    pub(in crate::domain) workspaces: IndexMap<Uuid, WorkspaceRecord>,
    pub(in crate::domain) source_templates: IndexMap<Uuid, TemplateRecord>,
    pub(in crate::domain) connection_templates: IndexMap<Uuid, ConnectionTemplate>,
    pub(in crate::domain) tags: IndexMap<String, Tag>,
    pub(in crate::domain) sources: IndexMap<Uuid, SourceRecord>,
    pub(in crate::domain) allowed_origins: BTreeSet<String>,
    #[serde(default)]
    pub(in crate::domain) oauth_credentials: IndexMap<String, super::oauth::OAuthCredentialRecord>,
    #[serde(default)]
    pub(in crate::domain) oauth_sessions: IndexMap<Uuid, super::oauth::OAuthSession>,
    #[serde(default)]
    pub(in crate::domain) connections: IndexMap<Uuid, super::replication::Connection>,
    #[serde(default)]
    pub(in crate::domain) jobs: IndexMap<Uuid, super::replication::Job>,
}

impl From<Stored> for Data {
    fn from(s: Stored) -> Self {
        let workspace_names = s
            .workspaces
            .values()
            .map(|w| (w.workspace.name.clone(), w.workspace.id))
            .collect();
        Self {
            organization_id: s.organization_id,
            organization_name: s.organization_name,
            workspaces: s.workspaces,
            source_templates: s.source_templates,
            connection_templates: s.connection_templates,
            tags: s.tags,
            sources: s.sources,
            allowed_origins: s.allowed_origins,
            oauth_credentials: s.oauth_credentials,
            oauth_sessions: s.oauth_sessions,
            connections: s.connections,
            jobs: s.jobs,
            workspace_names,
        }
    }
}

/// How many of each thing the state holds (`/_mock/health`, and tests that check nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub workspaces: usize,
    pub sources: usize,
    pub source_templates: usize,
    pub connection_templates: usize,
    pub tags: usize,
    pub allowed_origins: usize,
}

impl Data {
    /// The seeded state for `seed`: the catalog's connectors as this organization's source templates,
    /// their tags, and one connection template to the catalog's first destination.
    fn seeded(catalog: &Catalog, ids: &mut Ids) -> Self {
        let organization_id = ids.uuid();
        let organization_name = ids.company_name();
        let mut data = Self {
            organization_id,
            organization_name,
            workspaces: IndexMap::new(),
            source_templates: IndexMap::new(),
            connection_templates: IndexMap::new(),
            tags: IndexMap::new(),
            sources: IndexMap::new(),
            allowed_origins: BTreeSet::new(),
            oauth_credentials: IndexMap::new(),
            oauth_sessions: IndexMap::new(),
            connections: IndexMap::new(),
            jobs: IndexMap::new(),
            workspace_names: HashMap::new(),
        };
        for def in &catalog.sources {
            let id = ids.uuid();
            let template = DetailedSourceTemplate {
                id,
                name: def.name.clone(),
                icon: def.icon.clone(),
                source_definition_id: def.source_definition_id,
                user_config_spec: def.user_config_spec.clone(),
                partial_default_config: def.partial_default_config.clone(),
                customization: None,
                tags: def.tags.clone(),
                mode: def.mode,
                is_experimental: false,
                created_at: Some(clock::SEED_TIME.to_owned()),
                updated_at: Some(clock::SEED_TIME.to_owned()),
                connector_name: Some(def.connector_name.clone()),
                auth_tooltip: None,
            };
            data.source_templates.insert(
                id,
                TemplateRecord {
                    organization_id: Some(organization_id),
                    template,
                },
            );
            for tag in &def.tags {
                data.ensure_tag(tag, ids, clock::SEED_TIME);
            }
        }
        if let Some(dest) = catalog.destinations.first() {
            let id = ids.uuid();
            data.connection_templates.insert(
                id,
                ConnectionTemplate {
                    id,
                    organization_id,
                    destination_name: dest.name.clone(),
                    icon: dest.icon.clone(),
                    cron_expression: Some("0 0 * * * ?".into()),
                    data_hosting_type: DataHostingType::UserHosted,
                    tags: Vec::new(),
                    created_at: Some(clock::SEED_TIME.to_owned()),
                    updated_at: Some(clock::SEED_TIME.to_owned()),
                    destination_definition_id: Some(dest.destination_definition_id),
                    destination_config: Some(dest.destination_config.clone()),
                    non_breaking_changes_preference: Some("ignore".into()),
                    sync_on_create: Some(true),
                },
            );
        }
        data
    }

    pub(in crate::domain) fn counts(&self) -> Counts {
        Counts {
            workspaces: self.workspaces.len(),
            sources: self.sources.len(),
            source_templates: self.source_templates.len(),
            connection_templates: self.connection_templates.len(),
            tags: self.tags.len(),
            allowed_origins: self.allowed_origins.len(),
        }
    }
}

/// The shared state with its lock and id generator.
#[derive(Debug)]
pub struct Store {
    data: RwLock<Data>,
    ids: Mutex<Ids>,
    seed: u64,
    revision: std::sync::atomic::AtomicU64,
    /// `--state-file`: where every write is made durable, when set.
    file: Option<StateFile>,
}

impl Store {
    /// The seeded state of `seed`, in memory only.
    pub fn new(catalog: &Catalog, seed: u64) -> Self {
        let mut ids = Ids::new(seed);
        let data = Data::seeded(catalog, &mut ids);
        Self {
            data: RwLock::new(data),
            ids: Mutex::new(ids),
            seed,
            revision: Default::default(),
            file: None,
        }
    }

    /// The store kept in `state_file` (see [`super::persist`]): the last state the file holds, its
    /// revision and id generator, or the seeded state of `seed` when the file is missing or empty;
    /// then every write is appended to it. A file that cannot be read, or holds a corrupt record
    /// before its last, is an error naming it. Without a file, [`Store::new`].
    pub fn open(catalog: &Catalog, seed: u64, state_file: Option<&Path>) -> Result<Self, String> {
        let mut store = Self::new(catalog, seed);
        let Some(path) = state_file else {
            return Ok(store);
        };
        let replay = persist::replay(path)?;
        if let Some(dropped) = &replay.dropped {
            tracing::warn!(
                "state file {}: dropped line {}, the last one (from byte {}, {} bytes): {}; a \
                 write was cut short by a crash before it was acknowledged",
                path.display(),
                dropped.line,
                dropped.offset,
                dropped.bytes,
                dropped.reason
            );
        }
        if let Some(last) = replay.last {
            tracing::info!(
                file = %path.display(),
                records = replay.records,
                revision = last.revision,
                "state restored from the state file"
            );
            store.data = RwLock::new(last.state);
            store.ids = Mutex::new(Ids::resume(last.ids));
            store.revision = last.revision.into();
        } else {
            tracing::info!(file = %path.display(), "no state in the state file yet: starting from the seeded state");
        }
        let position = store.with_ids(|ids| ids.position());
        let file = store.read(|data| StateFile::create(path, store.revision(), position, data))?;
        store.file = Some(file);
        Ok(store)
    }

    /// Why the state file stopped taking writes, if it did: from then on the state in memory is
    /// ahead of the file, and the HTTP layer refuses every request.
    pub fn persist_failure(&self) -> Option<&str> {
        self.file.as_ref().and_then(StateFile::failure)
    }

    /// Runs `f` under the shared lock.
    pub(in crate::domain) fn read<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        let guard = self
            .data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&guard)
    }

    /// Runs `f` under the exclusive lock: the one way state changes.
    pub(in crate::domain) fn write<R>(&self, f: impl FnOnce(&mut Data, &mut Ids) -> R) -> R {
        let mut guard = self
            .data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = f(&mut guard, &mut ids);
        let revision = self
            .revision
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        // Still under the lock, so records reach the file in revision order, and before returning,
        // so the handler answers only once the change is on disk. A failed closure is written too:
        // its revision counted, and telling "changed nothing" apart would cost more than the write.
        if let Some(file) = &self.file {
            file.append(revision, ids.position(), &guard);
        }
        result
    }

    /// Draws from the seeded generator without touching the state: ids and credentials that are
    /// handed out but not stored (check job ids, OAuth consent credentials), so reads stay reads.
    pub fn with_ids<R>(&self, f: impl FnOnce(&mut Ids) -> R) -> R {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut ids)
    }

    /// How many writes the state has seen.
    pub fn revision(&self) -> u64 {
        self.revision.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Back to the seeded state (ids restart from the seed too).
    pub fn reset(&self, catalog: &Catalog) {
        self.write(|data, ids| {
            *ids = Ids::new(self.seed);
            *data = Data::seeded(catalog, ids);
        });
    }

    /// Back to the seeded state with `build` applied on top (the start-up fixtures), as one write.
    /// The new state is built off the lock from a fresh seeded state and generator, so the same seed
    /// and the same fixtures give the same ids; if `build` fails, nothing changes.
    pub(in crate::domain) fn reset_with<E>(
        &self,
        catalog: &Catalog,
        build: impl FnOnce(&mut Data, &mut Ids) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut fresh_ids = Ids::new(self.seed);
        let mut fresh = Data::seeded(catalog, &mut fresh_ids);
        build(&mut fresh, &mut fresh_ids)?;
        self.write(|data, ids| {
            *data = fresh;
            *ids = fresh_ids;
        });
        Ok(())
    }

    /// Replaces the whole state with `data` (a loaded dump), as one write. The id generator runs on.
    ///
    /// OAuth app credentials and pending OAuth sessions are not part of a dump (they hold secrets a
    /// dump cannot carry back), so the ones already set survive the load.
    pub(in crate::domain) fn replace(&self, mut data: Data) {
        self.write(|current, _| {
            data.oauth_credentials = std::mem::take(&mut current.oauth_credentials);
            data.oauth_sessions = std::mem::take(&mut current.oauth_sessions);
            *current = data;
        });
    }

    /// A copy of the whole state.
    pub fn snapshot(&self) -> Data {
        self.read(Data::clone)
    }

    /// How many of each thing the state holds.
    pub fn counts(&self) -> Counts {
        self.read(Data::counts)
    }

    pub fn organization_id(&self) -> Uuid {
        self.read(|d| d.organization_id)
    }

    pub fn organization_name(&self) -> String {
        self.read(|d| d.organization_name.clone())
    }

    /// Remembers an origin a widget token was minted for, so CORS preflights from it are answered.
    pub fn remember_origin(&self, origin: &str) {
        if !self.knows_origin(origin) {
            self.write(|d, _| d.allowed_origins.insert(origin.to_owned()));
        }
    }

    pub fn knows_origin(&self, origin: &str) -> bool {
        self.read(|d| d.allowed_origins.contains(origin))
    }

    /// The id of the workspace called `name`, if there is one.
    pub fn workspace_id(&self, name: &str) -> Option<Uuid> {
        self.read(|d| d.workspace_by_name(name).map(|w| w.workspace.id))
    }

    /// The name of workspace `id`, if it exists.
    pub fn workspace_name(&self, id: Uuid) -> Option<String> {
        self.read(|d| d.workspaces.get(&id).map(|w| w.workspace.name.clone()))
    }

    /// The id of the first source template called `name`.
    pub fn source_template_id(&self, name: &str) -> Option<Uuid> {
        self.read(|d| {
            d.source_templates
                .values()
                .find(|t| t.template.name == name)
                .map(|t| t.template.id)
        })
    }

    /// A source's stored configuration, secrets in the clear: for tests that check what was kept.
    /// Responses never carry it.
    pub fn stored_config(&self, source_id: Uuid) -> Option<Map<String, Value>> {
        self.read(|d| d.sources.get(&source_id).map(|s| s.config.map()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::domain::tests::store;

    /// A state file written before OAuth credentials and replication existed still loads.
    #[test]
    fn a_state_without_the_later_fields_still_loads() {
        let store = store();
        let mut json = serde_json::to_value(store.snapshot()).unwrap();
        for later in ["oauth_credentials", "oauth_sessions", "connections", "jobs"] {
            assert!(
                json.as_object_mut().unwrap().remove(later).is_some(),
                "{later}"
            );
        }
        let back: super::Data = serde_json::from_value(json).unwrap();
        assert_eq!(back.counts(), store.counts());
    }

    #[test]
    fn a_round_trip_through_json_keeps_the_state_and_its_name_index() {
        let store = store();
        let (workspace, _) = store.workspace_for("round-trip", uuid::Uuid::nil());
        let json = serde_json::to_string(&store.snapshot()).unwrap();
        let back: super::Data = serde_json::from_str(&json).unwrap();
        assert_eq!(back.counts(), store.counts());
        assert_eq!(
            back.workspace_by_name("round-trip").map(|w| w.workspace.id),
            Some(workspace.id)
        );
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}
