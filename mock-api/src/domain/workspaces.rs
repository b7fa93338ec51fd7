//! Workspaces: one per end user (`workspace_name`), created on first use in a region, listed and read
//! by the operator.

use airbyte_embedded::{REGION_EU, REGION_US, Workspace, WorkspaceNamed};
use uuid::Uuid;

use super::store::{Data, Store, WorkspaceRecord};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::ids::Ids;
use crate::warning::{Leniency, Warnings};

/// The workspace name of a request body: `workspace_name`, else an old spelling (`customer_name`,
/// `external_user_id`), checked (present, non-blank, at most 256 characters).
///
/// The published document requires `workspace_name` ("Previously named customer_name /
/// external_user_id") and shows neither alias in a body, yet Airbyte's own Python SDK sends
/// `customer_name` and is shipped against the live API, so whether Airbyte still reads the old names
/// is unknown. The mock therefore never refuses them by default: an alias the request's own contract
/// does not have (`accepted` lists those it has, e.g. `customer_name` on the SDK's
/// `POST /v1/integrations/connectors`) is a leniency (a warning, or the 422 under `--strict`), and so
/// is an alias that disagrees with the name used (`workspace_name` wins, as a first-match alias rule
/// would have it). No name at all is Airbyte's own 422.
pub(crate) fn workspace_name(
    body: &impl WorkspaceNamed,
    warnings: &mut Warnings,
    accepted: &[&str],
) -> AppResult<String> {
    let present = body.workspace_name_fields();
    let Some(&(field, name)) = present.first() else {
        return Err(AppError::missing("workspace_name"));
    };
    for &(alias, value) in present.iter().skip(1) {
        if value != name {
            warnings.lenient(Leniency {
                field: alias.to_owned(),
                warning: format!(
                    "{alias} '{value}' disagrees with {field} '{name}'; the mock used {field}: send only workspace_name"
                ),
                refusal: format!(
                    "disagrees with {field}; customer_name and external_user_id are deprecated aliases of workspace_name, send only workspace_name"
                ),
                code: "conflicting_alias",
                suggestion: None,
            })?;
        }
    }
    for &(alias, _) in &present {
        if alias == "workspace_name" || accepted.contains(&alias) {
            continue;
        }
        warnings.lenient(Leniency {
            field: alias.to_owned(),
            warning: if alias != field {
                format!(
                    "{alias} is not in Airbyte's published API document (it was renamed workspace_name); the mock ignored it and used {field}: send only workspace_name"
                )
            } else {
                format!(
                    "{alias} is not in Airbyte's published API document, which requires workspace_name (\"previously named customer_name / external_user_id\"); the mock read it as the workspace name, but Airbyte may answer 422 (workspace_name: field required): send workspace_name"
                )
            },
            refusal: format!(
                "{alias} is not a field of this request in Airbyte's published API document: send workspace_name instead"
            ),
            code: "deprecated_field",
            suggestion: Some("workspace_name".to_owned()),
        })?;
    }
    lenient_name(warnings, field, name)?;
    Ok(name.to_owned())
}

/// A new end user's name (sent as `field`) as the token and connector endpoints take it: the
/// published document types it as a plain string with no bounds, so a blank or very long name is a
/// leniency (a warning, or under `--strict` the 422 of [`check_name`]'s rule), not an error.
pub(crate) fn lenient_name(warnings: &mut Warnings, field: &str, name: &str) -> AppResult<()> {
    let Err(refused) = check_name(field, name) else {
        return Ok(());
    };
    let what = if name.trim().is_empty() {
        "is blank, so it cannot tell end users apart"
    } else {
        "is longer than 256 characters"
    };
    let refusal = refused
        .body
        .errors
        .first()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| format!("{field} {what}"));
    warnings.lenient(Leniency {
        field: field.to_owned(),
        warning: format!(
            "{field} {what}; Airbyte's published document sets no bounds on it, so the mock used it as it is: \
             send a non-blank name of at most 256 characters, such as your user's id"
        ),
        refusal,
        code: "invalid_workspace_name",
        suggestion: None,
    })
}

/// The one rule for a workspace name, sent as `field`: non-blank, at most 256 characters.
pub(crate) fn check_name(field: &str, name: &str) -> AppResult<()> {
    if name.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if name.chars().count() > 256 {
        return Err(AppError::invalid(field, "must be at most 256 characters"));
    }
    Ok(())
}

/// `region_id`: US when absent, else one of Airbyte's two regions.
pub(crate) fn region(region_id: Option<Uuid>) -> AppResult<Uuid> {
    region_at("region_id", region_id)
}

/// [`region`] for a region sent as `field`.
pub(crate) fn region_at(field: &str, region_id: Option<Uuid>) -> AppResult<Uuid> {
    let us = Uuid::parse_str(REGION_US).unwrap_or_default();
    let eu = Uuid::parse_str(REGION_EU).unwrap_or_default();
    match region_id {
        None => Ok(us),
        Some(r) if r == us || r == eu => Ok(r),
        Some(r) => Err(AppError::invalid(
            field,
            format!("unknown region {r}; use {REGION_US} (US, the default) or {REGION_EU} (EU)"),
        )),
    }
}

impl Data {
    pub(in crate::domain) fn workspace_by_name(&self, name: &str) -> Option<&WorkspaceRecord> {
        self.workspace_names
            .get(name)
            .and_then(|id| self.workspaces.get(id))
    }

    fn insert_workspace(&mut self, record: WorkspaceRecord) {
        self.workspace_names
            .insert(record.workspace.name.clone(), record.workspace.id);
        self.workspaces.insert(record.workspace.id, record);
    }

    /// A new workspace called `name` (the caller has checked that the name is free).
    pub(in crate::domain) fn new_workspace(
        &mut self,
        name: &str,
        region_id: Uuid,
        ids: &mut Ids,
        now: &str,
    ) -> Workspace {
        let workspace = Workspace {
            id: ids.uuid(),
            name: name.to_owned(),
            organization_id: self.organization_id,
            status: "active".into(),
            cache_enabled: Some(false),
            tombstone: false,
            visibility: "private".into(),
            color: None,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        };
        self.insert_workspace(WorkspaceRecord {
            workspace: workspace.clone(),
            region_id,
        });
        workspace
    }
}

impl Store {
    /// The workspace called `name`, created in `region_id` if new (`true` when it was). Exactly one
    /// per name, however many requests race: the lookup and the insert happen under one exclusive lock.
    pub fn workspace_for(&self, name: &str, region_id: Uuid) -> (Workspace, bool) {
        if let Some(w) = self.read(|d| d.workspace_by_name(name).map(|w| w.workspace.clone())) {
            return (w, false);
        }
        self.write(|data, ids| {
            if let Some(w) = data.workspace_by_name(name) {
                return (w.workspace.clone(), false);
            }
            let workspace = data.new_workspace(name, region_id, ids, &clock::now_rfc3339());
            (workspace, true)
        })
    }
}

pub(crate) fn get(store: &Store, id: Uuid) -> AppResult<Workspace> {
    store.read(|d| {
        d.workspaces
            .get(&id)
            .map(|w| w.workspace.clone())
            .ok_or_else(|| AppError::not_found("Workspace", id))
    })
}

/// `PUT /api/v1/workspaces/{id}`: a new name (free; the caller has judged it with [`lenient_name`])
/// and/or status (`active`, `inactive`), and `cache_enabled`.
pub(crate) fn update(
    store: &Store,
    id: Uuid,
    name: Option<&str>,
    status: Option<&str>,
    cache_enabled: Option<bool>,
) -> AppResult<Workspace> {
    if let Some(status) = status {
        WorkspaceFilter::check_status(status)?;
    }
    store.write(|d, _| {
        if !d.workspaces.contains_key(&id) {
            return Err(AppError::not_found("Workspace", id));
        }
        if let Some(name) = name
            && d.workspace_names
                .get(name)
                .is_some_and(|other| *other != id)
        {
            return Err(AppError::invalid(
                "name",
                format!("a workspace called '{name}' already exists"),
            ));
        }
        let record = d
            .workspaces
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Workspace", id))?;
        let old_name = record.workspace.name.clone();
        if let Some(name) = name {
            record.workspace.name = name.to_owned();
        }
        if let Some(status) = status {
            record.workspace.status = status.to_owned();
        }
        if cache_enabled.is_some() {
            record.workspace.cache_enabled = cache_enabled;
        }
        record.workspace.updated_at = clock::now_rfc3339();
        let workspace = record.workspace.clone();
        if workspace.name != old_name {
            d.workspace_names.remove(&old_name);
            d.workspace_names.insert(workspace.name.clone(), id);
        }
        Ok(workspace)
    })
}

/// `DELETE /api/v1/workspaces/{id}`: the workspace, its sources, their connections and jobs.
/// Returns when it was deleted.
pub(crate) fn delete(store: &Store, id: Uuid) -> AppResult<String> {
    store.write(|d, _| {
        let record = d
            .workspaces
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Workspace", id))?;
        d.workspace_names.remove(&record.workspace.name);
        d.sources.retain(|_, s| s.workspace_id != id);
        d.prune_connections();
        Ok(clock::now_rfc3339())
    })
}

/// `GET /api/v1/workspaces/stats`: `(active, inactive, total)`.
pub(crate) fn stats(store: &Store) -> (usize, usize, usize) {
    store.read(|d| {
        let active = d
            .workspaces
            .values()
            .filter(|w| w.workspace.status == "active")
            .count();
        (active, d.workspaces.len() - active, d.workspaces.len())
    })
}

/// Which workspaces a list asks for.
#[derive(Debug, Default)]
pub(crate) struct WorkspaceFilter<'a> {
    /// `active` or `inactive`.
    pub(crate) status: Option<&'a str>,
    /// Case-insensitive substring of the name.
    pub(crate) name_contains: Option<&'a str>,
}

impl WorkspaceFilter<'_> {
    /// The statuses a workspace can have, for the 422 that names them.
    pub(crate) fn check_status(status: &str) -> AppResult<()> {
        if matches!(status, "active" | "inactive") {
            Ok(())
        } else {
            Err(AppError::invalid(
                "status",
                format!("'{status}' is not one of 'active', 'inactive'"),
            ))
        }
    }
}

/// One page of the workspaces matching `filter`, in creation order, and whether more follow.
pub(crate) fn page(
    store: &Store,
    filter: &WorkspaceFilter<'_>,
    offset: usize,
    limit: usize,
) -> (Vec<Workspace>, bool) {
    let needle = filter.name_contains.map(str::to_lowercase);
    store.read(|d| {
        let mut matching = d
            .workspaces
            .values()
            .map(|w| &w.workspace)
            .filter(|w| filter.status.is_none_or(|s| w.status == s))
            .filter(|w| {
                needle
                    .as_deref()
                    .is_none_or(|n| w.name.to_lowercase().contains(n))
            })
            .skip(offset);
        let page: Vec<Workspace> = matching.by_ref().take(limit).cloned().collect();
        (page, matching.next().is_some())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::tests::store;

    #[test]
    fn one_workspace_per_name_and_a_name_index_that_follows() {
        let store = store();
        let us = region(None).unwrap();
        let (first, created) = store.workspace_for("acme", us);
        assert!(created);
        let (again, created) = store.workspace_for("acme", us);
        assert!(!created);
        assert_eq!(first.id, again.id);
        assert_eq!(store.workspace_id("acme"), Some(first.id));
        assert_eq!(store.workspace_name(first.id).as_deref(), Some("acme"));
        assert_eq!(store.counts().workspaces, 1);
    }

    #[test]
    fn regions_are_us_by_default_and_unknown_ones_are_named() {
        assert_eq!(region(None).unwrap().to_string(), REGION_US);
        let eu = Uuid::parse_str(REGION_EU).unwrap();
        assert_eq!(region(Some(eu)).unwrap(), eu);
        let err = region(Some(Uuid::nil())).unwrap_err();
        assert_eq!(err.body.errors[0].field.as_deref(), Some("region_id"));
    }

    #[test]
    fn pages_filter_by_status_and_name() {
        let store = store();
        let us = region(None).unwrap();
        for name in ["Acme", "acme-eu", "Globex"] {
            store.workspace_for(name, us);
        }
        let filter = WorkspaceFilter {
            name_contains: Some("ACME"),
            ..WorkspaceFilter::default()
        };
        let (page1, more) = page(&store, &filter, 0, 1);
        assert_eq!(page1[0].name, "Acme");
        assert!(more);
        let (page2, more) = page(&store, &filter, 1, 1);
        assert_eq!(page2[0].name, "acme-eu");
        assert!(!more);
        let inactive = WorkspaceFilter {
            status: Some("inactive"),
            ..WorkspaceFilter::default()
        };
        assert!(page(&store, &inactive, 0, 10).0.is_empty());
        assert!(WorkspaceFilter::check_status("deleted").is_err());
    }

    #[test]
    fn update_renames_and_deactivates_and_delete_cascades() {
        let store = store();
        let us = region(None).unwrap();
        let (a, _) = store.workspace_for("a", us);
        store.workspace_for("b", us);
        let renamed = update(&store, a.id, Some("a2"), Some("inactive"), None).unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.status.as_str()),
            ("a2", "inactive")
        );
        assert_eq!(store.workspace_id("a2"), Some(a.id));
        assert_eq!(store.workspace_id("a"), None);
        assert_eq!(stats(&store), (1, 1, 2));
        let taken = update(&store, a.id, Some("b"), None, None).unwrap_err();
        assert_eq!(taken.body.errors[0].field.as_deref(), Some("name"));
        assert!(update(&store, a.id, None, Some("deleted"), None).is_err());
        delete(&store, a.id).unwrap();
        assert_eq!(stats(&store), (1, 0, 1));
        assert!(delete(&store, a.id).is_err());
    }
}
