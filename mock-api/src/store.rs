//! The mock's state: one organization, its workspaces, templates, tags and sources.
//!
//! All of it is one serialisable [`Data`] value behind a lock, and every change goes through
//! [`Store::write`], so a later control plane can dump, restore and persist it (and count revisions)
//! without touching the handlers. Reads take a shared lock and never allocate more than they return.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, RwLock};

use airbyte_embedded::{
    ConnectionTemplate, DataHostingType, DetailedSourceTemplate, SourceTemplateListItem, Tag,
    Workspace,
};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::catalog::Catalog;
use crate::clock;
use crate::ids::Ids;

/// A source template as stored: the detailed template plus who owns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateRecord {
    /// `None` for Airbyte's global templates (listed with `use_global=true`).
    pub organization_id: Option<Uuid>,
    pub template: DetailedSourceTemplate,
}

impl TemplateRecord {
    pub fn list_item(&self) -> SourceTemplateListItem {
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
    pub fn detailed(&self) -> DetailedSourceTemplate {
        DetailedSourceTemplate {
            connector_name: None,
            auth_tooltip: None,
            ..self.template.clone()
        }
    }
}

/// A source as stored, secrets in the clear. Responses redact them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceRecord {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub template_id: Uuid,
    pub name: String,
    pub config: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkspaceRecord {
    pub workspace: Workspace,
    pub region_id: Uuid,
}

/// Everything the mock knows. Serialisable as a whole for dumps, fixtures and persistence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Data {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub workspaces: IndexMap<Uuid, WorkspaceRecord>,
    pub source_templates: IndexMap<Uuid, TemplateRecord>,
    pub connection_templates: IndexMap<Uuid, ConnectionTemplate>,
    pub tags: IndexMap<String, Tag>,
    pub sources: IndexMap<Uuid, SourceRecord>,
    /// Every `allowed_origin` a widget token was minted for: CORS preflights are answered for these.
    pub allowed_origins: BTreeSet<String>,
    /// Workspace name → id, rebuilt from `workspaces` after a restore.
    #[serde(skip)]
    workspace_names: HashMap<String, Uuid>,
}

impl Data {
    /// The seeded state for `seed`: the catalog's connectors as this organization's source templates,
    /// their tags, and one connection template to the catalog's first destination.
    pub fn seeded(catalog: &Catalog, ids: &mut Ids) -> Self {
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

    pub fn rebuild_indexes(&mut self) {
        self.workspace_names = self
            .workspaces
            .values()
            .map(|w| (w.workspace.name.clone(), w.workspace.id))
            .collect();
    }

    pub fn workspace_by_name(&self, name: &str) -> Option<&WorkspaceRecord> {
        self.workspace_names
            .get(name)
            .and_then(|id| self.workspaces.get(id))
    }

    pub fn insert_workspace(&mut self, record: WorkspaceRecord) {
        self.workspace_names
            .insert(record.workspace.name.clone(), record.workspace.id);
        self.workspaces.insert(record.workspace.id, record);
    }

    pub fn remove_workspace(&mut self, id: Uuid) -> Option<WorkspaceRecord> {
        let record = self.workspaces.shift_remove(&id)?;
        self.workspace_names.remove(&record.workspace.name);
        self.sources.retain(|_, s| s.workspace_id != id);
        Some(record)
    }

    /// Creates the tag if it does not exist yet.
    pub fn ensure_tag(&mut self, name: &str, ids: &mut Ids, now: &str) {
        if !self.tags.contains_key(name) {
            let tag = Tag {
                id: ids.uuid(),
                name: name.to_owned(),
                organization_id: self.organization_id,
                created_at: now.to_owned(),
                updated_at: now.to_owned(),
            };
            self.tags.insert(name.to_owned(), tag);
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
}

impl Store {
    pub fn new(catalog: &Catalog, seed: u64) -> Self {
        let mut ids = Ids::new(seed);
        let data = Data::seeded(catalog, &mut ids);
        Self {
            data: RwLock::new(data),
            ids: Mutex::new(ids),
            seed,
            revision: Default::default(),
        }
    }

    /// Runs `f` under the shared lock.
    pub fn read<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        let guard = self
            .data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&guard)
    }

    /// Runs `f` under the exclusive lock: the one way state changes.
    pub fn write<R>(&self, f: impl FnOnce(&mut Data, &mut Ids) -> R) -> R {
        let mut guard = self
            .data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = f(&mut guard, &mut ids);
        self.revision
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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

    /// A copy of the whole state.
    pub fn snapshot(&self) -> Data {
        self.read(Data::clone)
    }

    pub fn workspace_name(&self, id: Uuid) -> Option<String> {
        self.read(|d| d.workspaces.get(&id).map(|w| w.workspace.name.clone()))
    }

    /// The workspace called `name`, created in `region_id` if new. Exactly one per name, however many
    /// requests race: the lookup and the insert happen under one exclusive lock.
    pub fn workspace_for(&self, name: &str, region_id: Uuid) -> (Workspace, bool) {
        if let Some(w) = self.read(|d| d.workspace_by_name(name).map(|w| w.workspace.clone())) {
            return (w, false);
        }
        self.write(|data, ids| {
            if let Some(w) = data.workspace_by_name(name) {
                return (w.workspace.clone(), false);
            }
            let now = clock::now_rfc3339();
            let workspace = Workspace {
                id: ids.uuid(),
                name: name.to_owned(),
                organization_id: data.organization_id,
                status: "active".into(),
                cache_enabled: Some(false),
                tombstone: false,
                visibility: "private".into(),
                color: None,
                created_at: now.clone(),
                updated_at: now,
            };
            data.insert_workspace(WorkspaceRecord {
                workspace: workspace.clone(),
                region_id,
            });
            (workspace, true)
        })
    }

    pub fn remember_origin(&self, origin: &str) {
        if !self.read(|d| d.allowed_origins.contains(origin)) {
            self.write(|d, _| d.allowed_origins.insert(origin.to_owned()));
        }
    }
}
