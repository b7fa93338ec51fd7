//! Source templates (what an end user may connect, made from a connector definition) and connection
//! templates (where their data goes): who sees which, and the operator's create, clone, update and
//! delete with its cascade.

use airbyte_embedded::{
    ApiError, ConnectionTemplate, ConnectionTemplateCreateRequest, ConnectionTemplatePatchRequest,
    ConnectorSourceCreateRequest, DataHostingType, DeletedResponse, DetailedSourceTemplate,
    SourceTemplateCloneRequest, SourceTemplateCreateRequest, SourceTemplateListItem,
    SourceTemplateUpdateRequest, TagSelectionMode,
};
use uuid::Uuid;

use super::store::{Data, Store, TemplateRecord};
use crate::catalog::{Catalog, SourceDefinition};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::ids::Ids;

impl TemplateRecord {
    /// The one visibility rule: an organization sees its own templates and Airbyte's global ones.
    pub(crate) fn visible_to(&self, organization_id: Uuid) -> bool {
        self.organization_id.is_none() || self.organization_id == Some(organization_id)
    }
}

/// A tag selection: what a widget token carries, and what the operator's lists filter by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selection<'a> {
    pub(crate) tags: &'a [String],
    pub(crate) mode: TagSelectionMode,
}

impl Selection<'_> {
    fn admits(&self, tags: &[String]) -> bool {
        self.mode.matches(self.tags, tags)
    }
}

/// Which source templates an operator list asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner {
    /// The organization's own (the default).
    Organization(Uuid),
    /// Airbyte's global templates (`use_global=true`).
    Global,
}

pub(crate) fn list_source_templates(
    store: &Store,
    owner: Owner,
    selection: Selection<'_>,
) -> Vec<SourceTemplateListItem> {
    store.read(|d| {
        d.source_templates
            .values()
            .filter(|t| match owner {
                Owner::Global => t.organization_id.is_none(),
                Owner::Organization(org) => t.organization_id == Some(org),
            })
            .filter(|t| selection.admits(&t.template.tags))
            .map(TemplateRecord::list_item)
            .collect()
    })
}

pub(crate) fn source_template(store: &Store, id: Uuid) -> AppResult<DetailedSourceTemplate> {
    store.read(|d| find(d, id).map(|t| t.template.clone()))
}

fn find(data: &Data, id: Uuid) -> AppResult<&TemplateRecord> {
    data.source_templates
        .get(&id)
        .ok_or_else(|| AppError::not_found("Source template", id))
}

/// Whether an end user's token (its organization and tag selection) lets it see a template.
fn visible_to_end_user(data: &Data, selection: Selection<'_>, t: &TemplateRecord) -> bool {
    t.visible_to(data.organization_id) && selection.admits(&t.template.tags)
}

/// The source templates an end user's tag selection shows.
pub(crate) fn visible_source_templates(
    store: &Store,
    selection: Selection<'_>,
) -> Vec<SourceTemplateListItem> {
    store.read(|d| {
        d.source_templates
            .values()
            .filter(|t| visible_to_end_user(d, selection, t))
            .map(TemplateRecord::list_item)
            .collect()
    })
}

/// One template an end user's tag selection shows; 404 naming `source_template_id` otherwise.
pub(crate) fn visible_source_template(
    store: &Store,
    selection: Selection<'_>,
    id: Uuid,
) -> AppResult<DetailedSourceTemplate> {
    store.read(|d| {
        d.source_templates
            .get(&id)
            .filter(|t| visible_to_end_user(d, selection, t))
            .map(|t| t.template.clone())
            .ok_or_else(|| {
                AppError::not_found("Source template", id).with(
                    Some("source_template_id"),
                    "not available to this token (unknown, or outside its tag selection)",
                    "not_found",
                )
            })
    })
}

/// A new template of the organization from a catalog definition, its tags created as needed.
pub(crate) fn create_source_template(
    store: &Store,
    catalog: &Catalog,
    organization_id: Uuid,
    req: SourceTemplateCreateRequest,
) -> AppResult<DetailedSourceTemplate> {
    let def = catalog.source(req.actor_definition_id).ok_or_else(|| {
        let known: Vec<String> = catalog
            .sources
            .iter()
            .map(|d| format!("{} ({})", d.source_definition_id, d.name))
            .collect();
        AppError::invalid(
            "actor_definition_id",
            format!(
                "unknown source definition {}; the mock knows {}",
                req.actor_definition_id,
                known.join(", ")
            ),
        )
    })?;
    Ok(store.write(|data, ids| {
        data.insert_source_template(def, organization_id, req, ids, &clock::now_rfc3339())
    }))
}

impl Data {
    /// A new template of `organization_id` made from `def` as `req` describes it (its tags created
    /// as needed); the caller has checked the tag names.
    pub(in crate::domain) fn insert_source_template(
        &mut self,
        def: &SourceDefinition,
        organization_id: Uuid,
        req: SourceTemplateCreateRequest,
        ids: &mut Ids,
        now: &str,
    ) -> DetailedSourceTemplate {
        let tags = req.tags.unwrap_or_default();
        for tag in &tags {
            self.ensure_tag(tag, ids, now);
        }
        let template = DetailedSourceTemplate {
            id: ids.uuid(),
            name: req.name.unwrap_or_else(|| def.name.clone()),
            icon: def.icon.clone(),
            source_definition_id: def.source_definition_id,
            user_config_spec: def.user_config_spec.clone(),
            partial_default_config: req.partial_default_config,
            customization: req.customization,
            tags,
            mode: req.mode.unwrap_or(def.mode),
            is_experimental: false,
            created_at: Some(now.to_owned()),
            updated_at: Some(now.to_owned()),
            connector_name: Some(def.connector_name.clone()),
            auth_tooltip: None,
        };
        self.source_templates.insert(
            template.id,
            TemplateRecord {
                organization_id: Some(organization_id),
                template: template.clone(),
            },
        );
        template
    }
}

/// A copy of `original_source_template_id` owned by the organization, renamed "<name> (copy)" unless
/// a name is given.
pub(crate) fn clone_source_template(
    store: &Store,
    organization_id: Uuid,
    req: SourceTemplateCloneRequest,
) -> AppResult<DetailedSourceTemplate> {
    store.write(|data, ids| {
        let original = find(data, req.original_source_template_id).map_err(|_| {
            AppError::invalid(
                "original_source_template_id",
                format!("no source template '{}'", req.original_source_template_id),
            )
        })?;
        let now = clock::now_rfc3339();
        let mut template = original.template.clone();
        template.id = ids.uuid();
        template.name = req
            .name
            .unwrap_or_else(|| format!("{} (copy)", template.name));
        template.mode = req.mode.unwrap_or(template.mode);
        template.created_at = Some(now.clone());
        template.updated_at = Some(now);
        data.source_templates.insert(
            template.id,
            TemplateRecord {
                organization_id: Some(organization_id),
                template: template.clone(),
            },
        );
        Ok(template)
    })
}

pub(crate) fn update_source_template(
    store: &Store,
    id: Uuid,
    req: SourceTemplateUpdateRequest,
) -> AppResult<DetailedSourceTemplate> {
    if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    store.write(|data, _| {
        let record = data
            .source_templates
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Source template", id))?;
        let t = &mut record.template;
        if let Some(name) = req.name {
            t.name = name;
        }
        if let Some(config) = req.partial_default_config {
            t.partial_default_config = config;
        }
        if let Some(c) = req.customization {
            t.customization = Some(c);
        }
        if let Some(mode) = req.mode {
            t.mode = mode;
        }
        t.updated_at = Some(clock::now_rfc3339());
        Ok(t.clone())
    })
}

/// Deletes a source template and, with it, every source made from it: sources exist only through
/// their template.
pub(crate) fn delete_source_template(store: &Store, id: Uuid) -> AppResult<DeletedResponse> {
    store.write(|data, _| {
        data.source_templates
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Source template", id))?;
        data.sources.retain(|_, s| s.template_id != id);
        data.prune_connections();
        Ok(DeletedResponse {
            id,
            deleted_at: clock::now_rfc3339(),
        })
    })
}

/// The template an operator's connector create names: `source_template_id`, else the only template
/// the organization sees for `definition_id` and/or `connector_type` (matched case-insensitively on
/// the name or the connector slug).
pub(crate) fn resolve_for_connector(
    store: &Store,
    organization_id: Uuid,
    req: &ConnectorSourceCreateRequest,
) -> AppResult<DetailedSourceTemplate> {
    store.read(|data| resolve(data, organization_id, req))
}

fn resolve(
    data: &Data,
    organization_id: Uuid,
    req: &ConnectorSourceCreateRequest,
) -> AppResult<DetailedSourceTemplate> {
    if let Some(id) = req.source_template_id {
        return data
            .source_templates
            .get(&id)
            .filter(|t| t.visible_to(organization_id))
            .map(|t| t.template.clone())
            .ok_or_else(|| {
                AppError::invalid("source_template_id", format!("no source template '{id}'"))
            });
    }
    let connector = req.connector_type.as_deref().map(str::to_lowercase);
    if connector.is_none() && req.definition_id.is_none() {
        return Err(AppError::invalid(
            "source_template_id",
            "field required (or definition_id, or connector_type such as 'stripe')",
        ));
    }
    let matches: Vec<&DetailedSourceTemplate> = data
        .source_templates
        .values()
        .filter(|t| t.visible_to(organization_id))
        .map(|t| &t.template)
        .filter(|t| {
            req.definition_id
                .is_none_or(|d| t.source_definition_id == d)
        })
        .filter(|t| {
            connector.as_deref().is_none_or(|c| {
                let slug = t
                    .connector_name
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase();
                t.name.to_lowercase() == c || slug == c || slug.strip_prefix("source-") == Some(c)
            })
        })
        .collect();
    let field = if connector.is_some() {
        "connector_type"
    } else {
        "definition_id"
    };
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(AppError::invalid(
            field,
            "no source template matches; list them with GET /api/v1/integrations/templates/sources",
        )),
        several => Err(AppError::invalid(
            "source_template_id",
            format!(
                "{} templates match ({}); pass source_template_id",
                several.len(),
                several
                    .iter()
                    .map(|t| format!("{} {}", t.name, t.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub(crate) fn list_connection_templates(
    store: &Store,
    selection: Selection<'_>,
) -> Vec<ConnectionTemplate> {
    store.read(|d| {
        d.connection_templates
            .values()
            .filter(|t| selection.admits(&t.tags))
            .cloned()
            .collect()
    })
}

pub(crate) fn connection_template(store: &Store, id: Uuid) -> AppResult<ConnectionTemplate> {
    store.read(|d| {
        d.connection_templates
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::not_found("Connection template", id))
    })
}

/// Quartz cron as Airbyte takes it: 6 or 7 space-separated fields.
fn check_cron(cron: Option<&str>) -> AppResult<()> {
    if let Some(cron) = cron {
        let fields = cron.split_whitespace().count();
        if !(6..=7).contains(&fields) {
            return Err(AppError::invalid(
                "cron_expression",
                format!(
                    "must be a Quartz cron expression with 6 or 7 fields (seconds first, e.g. '0 0 * * * ?'); got {fields}"
                ),
            ));
        }
    }
    Ok(())
}

/// A new connection template. A user-hosted one needs its destination (name, definition, config);
/// an Airbyte-hosted one has none.
pub(crate) fn create_connection_template(
    store: &Store,
    catalog: &Catalog,
    organization_id: Uuid,
    req: ConnectionTemplateCreateRequest,
) -> AppResult<ConnectionTemplate> {
    check_cron(req.cron_expression.as_deref())?;
    // (The caller judged the tag names: `tags::lenient_tag_names`.)
    let tags = req.tags.unwrap_or_default();
    let user_hosted = req.data_hosting_type == DataHostingType::UserHosted;
    if user_hosted {
        let missing: Vec<ApiError> = [
            (
                "destination_name",
                req.destination_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty()),
            ),
            (
                "destination_definition_id",
                req.destination_definition_id.is_none(),
            ),
            ("destination_config", req.destination_config.is_none()),
        ]
        .into_iter()
        .filter(|(_, absent)| *absent)
        .map(|(field, _)| ApiError::new(Some(field), "field required", "missing"))
        .collect();
        if !missing.is_empty() {
            return Err(AppError::invalid_many(missing));
        }
    }
    let icon = req
        .destination_definition_id
        .and_then(|id| catalog.destination(id))
        .and_then(|d| d.icon.clone());
    Ok(store.write(|data, ids| {
        let now = clock::now_rfc3339();
        for tag in &tags {
            data.ensure_tag(tag, ids, &now);
        }
        let template = ConnectionTemplate {
            id: ids.uuid(),
            organization_id,
            destination_name: req
                .destination_name
                .unwrap_or_else(|| "Airbyte-hosted storage".into()),
            icon,
            cron_expression: req.cron_expression,
            data_hosting_type: req.data_hosting_type,
            tags,
            created_at: Some(now.clone()),
            updated_at: Some(now),
            destination_definition_id: req.destination_definition_id.filter(|_| user_hosted),
            destination_config: req.destination_config.filter(|_| user_hosted),
            non_breaking_changes_preference: user_hosted.then(|| {
                req.non_breaking_changes_preference
                    .unwrap_or_default()
                    .as_str()
                    .to_owned()
            }),
            sync_on_create: user_hosted.then(|| req.sync_on_create.unwrap_or(true)),
        };
        data.connection_templates
            .insert(template.id, template.clone());
        template
    }))
}

/// Patches a connection template; destination settings only apply to user-hosted ones.
pub(crate) fn update_connection_template(
    store: &Store,
    id: Uuid,
    req: ConnectionTemplatePatchRequest,
) -> AppResult<ConnectionTemplate> {
    check_cron(req.cron_expression.as_deref())?;
    store.write(|data, _| {
        let t = data
            .connection_templates
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Connection template", id))?;
        if let Some(name) = req.destination_name {
            t.destination_name = name;
        }
        if let Some(cron) = req.cron_expression {
            t.cron_expression = Some(cron);
        }
        if t.data_hosting_type == DataHostingType::UserHosted {
            if let Some(config) = req.destination_config {
                t.destination_config = Some(config);
            }
            if let Some(p) = req.non_breaking_changes_preference {
                t.non_breaking_changes_preference = Some(p.as_str().to_owned());
            }
            if let Some(s) = req.sync_on_create {
                t.sync_on_create = Some(s);
            }
        }
        t.updated_at = Some(clock::now_rfc3339());
        Ok(t.clone())
    })
}

pub(crate) fn delete_connection_template(store: &Store, id: Uuid) -> AppResult<DeletedResponse> {
    store.write(|data, _| {
        data.connection_templates
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Connection template", id))?;
        Ok(DeletedResponse {
            id,
            deleted_at: clock::now_rfc3339(),
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::tests::{first_template_id, source_for, store};

    const ANY: Selection<'static> = Selection {
        tags: &[],
        mode: TagSelectionMode::Any,
    };

    #[test]
    fn an_organization_sees_its_own_and_global_templates_only() {
        let store = store();
        let org = store.organization_id();
        let id = first_template_id(&store);
        let mut record = store.read(|d| d.source_templates[&id].clone());
        assert!(record.visible_to(org));
        assert!(!record.visible_to(Uuid::nil()));
        record.organization_id = None;
        assert!(
            record.visible_to(Uuid::nil()),
            "global templates are everyone's"
        );
    }

    #[test]
    fn end_users_see_what_their_tag_selection_admits() {
        let store = store();
        let all = visible_source_templates(&store, ANY);
        assert_eq!(all.len(), store.counts().source_templates);
        let tagged = all
            .iter()
            .find(|t| !t.tags.is_empty())
            .expect("a seeded template with tags");
        let tags = vec![tagged.tags[0].clone()];
        let selection = Selection {
            tags: &tags,
            mode: TagSelectionMode::All,
        };
        let shown = visible_source_templates(&store, selection);
        assert!(shown.iter().all(|t| t.tags.contains(&tags[0])));
        assert!(shown.len() < all.len());
        let hidden = all
            .iter()
            .find(|t| !t.tags.contains(&tags[0]))
            .expect("a template outside the selection");
        let err = visible_source_template(&store, selection, hidden.id).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::NOT_FOUND);
        assert!(visible_source_template(&store, selection, tagged.id).is_ok());
    }

    #[test]
    fn deleting_a_template_deletes_its_sources_and_no_others() {
        let store = store();
        let id = first_template_id(&store);
        let other = store.read(|d| *d.source_templates.keys().nth(1).unwrap());
        source_for(&store, id);
        source_for(&store, other);
        assert_eq!(store.counts().sources, 2);
        delete_source_template(&store, id).unwrap();
        assert_eq!(store.counts().sources, 1);
        assert!(store.read(|d| d.sources.values().all(|s| s.template_id == other)));
        assert!(delete_source_template(&store, id).is_err(), "already gone");
    }

    #[test]
    fn cron_expressions_have_six_or_seven_fields() {
        assert!(check_cron(Some("0 0 * * * ?")).is_ok());
        assert!(check_cron(Some("0 0 2 * * ? 2027")).is_ok());
        let err = check_cron(Some("0 2 * * *")).unwrap_err();
        assert_eq!(err.body.errors[0].field.as_deref(), Some("cron_expression"));
    }
}
