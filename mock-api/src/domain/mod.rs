//! The mock's rules, one module per thing Airbyte names: workspaces, source and connection
//! templates, tags, sources, and the tokens that grant access to them. Handlers extract a request, call one operation here and respond; only
//! these modules see the maps inside [`Data`], and every change goes through [`Store::write`].

pub(crate) mod cron;
pub(crate) mod execute;
pub(crate) mod fixtures;
pub(crate) mod oauth;
mod persist;
pub(crate) mod replication;
pub(crate) mod sources;
pub(crate) mod state;
mod store;
pub(crate) mod tags;
pub(crate) mod templates;
pub(crate) mod tokens;
pub(crate) mod workspaces;

pub(crate) use store::TemplateRecord;
pub use store::{Counts, Data, Store};

/// Fixtures for the domain modules' unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use uuid::Uuid;

    use super::store::{SourceRecord, Store};
    use crate::catalog::Catalog;

    /// The seeded state of seed 7.
    pub(crate) fn store() -> Store {
        Store::new(&Catalog::load().expect("the embedded catalog parses"), 7)
    }

    pub(crate) fn first_template_id(store: &Store) -> Uuid {
        store.read(|d| *d.source_templates.keys().next().expect("seeded templates"))
    }

    /// Stores a source made from `template_id` in a workspace of its own, bypassing validation.
    pub(crate) fn source_for(store: &Store, template_id: Uuid) -> Uuid {
        let (workspace, _) = store.workspace_for(&format!("ws-{template_id}"), Uuid::nil());
        store.write(|data, ids| {
            let id = ids.uuid();
            data.sources.insert(
                id,
                SourceRecord {
                    id,
                    workspace_id: workspace.id,
                    template_id,
                    name: "source".into(),
                    config: serde_json::Map::new().into(),
                    created_at: compact_str::CompactString::default(),
                    updated_at: compact_str::CompactString::default(),
                },
            );
            id
        })
    }
}
