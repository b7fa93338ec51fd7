//! Operator side of the catalog: source templates, connection templates and tags.

use airbyte_embedded::{
    ConnectionTemplate, ConnectionTemplateCreateRequest, ConnectionTemplatePatchRequest,
    DataHostingType, DeletedResponse, DetailedSourceTemplate, ListResponse,
    SourceTemplateCloneRequest, SourceTemplateCreateRequest, SourceTemplateUpdateRequest,
    TagAttachRequest, TagRequest, TagSelectionMode,
};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use serde_json::Value;
use uuid::Uuid;

use super::ok;
use crate::auth::Operator;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs, parse_json};
use crate::store::{Data, TemplateRecord};
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations/templates/sources",
            get(list_source_templates).post(create_source_template),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}",
            get(get_source_template)
                .patch(update_source_template)
                .delete(delete_source_template),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}/tags",
            post(attach_tag::<TemplateRecord>),
        )
        .route(
            "/api/v1/integrations/templates/sources/{id}/tags/{tag}",
            delete(detach_tag::<TemplateRecord>),
        )
        .route(
            "/api/v1/integrations/templates/connections",
            get(list_connection_templates).post(create_connection_template),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}",
            get(get_connection_template)
                .patch(update_connection_template)
                .delete(delete_connection_template),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}/tags",
            post(attach_tag::<ConnectionTemplate>),
        )
        .route(
            "/api/v1/integrations/templates/connections/{id}/tags/{tag}",
            delete(detach_tag::<ConnectionTemplate>),
        )
        .route(
            "/api/v1/integrations/templates/tags",
            get(list_tags).post(create_tag),
        )
        .route(
            "/api/v1/integrations/templates/tags/{name}",
            put(rename_tag).delete(delete_tag),
        )
}

/// `tags` (repeatable) and `tags_mode` (default `all` on the operator side, as published).
fn tag_filter(query: &QueryPairs) -> AppResult<(Vec<String>, TagSelectionMode)> {
    let mode = match query.get("tags_mode") {
        None | Some("all") => TagSelectionMode::All,
        Some("any") => TagSelectionMode::Any,
        Some(other) => {
            return Err(AppError::invalid(
                "tags_mode",
                format!("'{other}' is not one of 'any', 'all'"),
            ));
        }
    };
    Ok((query.all("tags"), mode))
}

fn source_template_response(record: &TemplateRecord) -> DetailedSourceTemplate {
    record.template.clone()
}

async fn list_source_templates(
    State(state): State<AppState>,
    op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let (tags, mode) = tag_filter(&query)?;
    let use_global = query.bool("use_global")?.unwrap_or(false);
    let data = state.store.read(|d| {
        d.source_templates
            .values()
            .filter(|t| {
                if use_global {
                    t.organization_id.is_none()
                } else {
                    t.organization_id == Some(op.organization_id)
                }
            })
            .filter(|t| mode.matches(&tags, &t.template.tags))
            .map(TemplateRecord::list_item)
            .collect()
    });
    Ok(ok(&ListResponse::new(data)))
}

fn find_template(data: &Data, id: Uuid) -> AppResult<&TemplateRecord> {
    data.source_templates
        .get(&id)
        .ok_or_else(|| AppError::not_found("Source template", id))
}

async fn get_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state
        .store
        .read(|d| find_template(d, id).map(|t| ok(&source_template_response(t))))
}

async fn create_source_template(
    State(state): State<AppState>,
    op: Operator,
    Json(body): Json<Value>,
) -> AppResult<Response> {
    let bytes = body.to_string();
    let record = if body.get("original_source_template_id").is_some() {
        let req: SourceTemplateCloneRequest = parse_json(bytes.as_bytes())?;
        state.store.write(|data, ids| {
            let original = find_template(data, req.original_source_template_id)
                .map_err(|_| {
                    AppError::invalid(
                        "original_source_template_id",
                        format!("no source template '{}'", req.original_source_template_id),
                    )
                })?
                .clone();
            let now = clock::now_rfc3339();
            let mut template = original.template;
            template.id = ids.uuid();
            template.name = req
                .name
                .unwrap_or_else(|| format!("{} (copy)", template.name));
            template.mode = req.mode.unwrap_or(template.mode);
            template.created_at = Some(now.clone());
            template.updated_at = Some(now);
            let record = TemplateRecord {
                organization_id: Some(op.organization_id),
                template,
            };
            data.source_templates
                .insert(record.template.id, record.clone());
            Ok::<_, AppError>(record)
        })?
    } else {
        let req: SourceTemplateCreateRequest = parse_json(bytes.as_bytes())?;
        let def = state
            .catalog
            .source(req.actor_definition_id)
            .ok_or_else(|| {
                let known: Vec<String> = state
                    .catalog
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
        let tags = req.tags.clone().unwrap_or_default();
        check_tag_names("tags", &tags)?;
        state.store.write(|data, ids| {
            let now = clock::now_rfc3339();
            let template = DetailedSourceTemplate {
                id: ids.uuid(),
                name: req.name.clone().unwrap_or_else(|| def.name.clone()),
                icon: def.icon.clone(),
                source_definition_id: def.source_definition_id,
                user_config_spec: def.user_config_spec.clone(),
                partial_default_config: req.partial_default_config.clone(),
                customization: req.customization.clone(),
                tags: tags.clone(),
                mode: req.mode.unwrap_or(def.mode),
                is_experimental: false,
                created_at: Some(now.clone()),
                updated_at: Some(now.clone()),
                connector_name: Some(def.connector_name.clone()),
                auth_tooltip: None,
            };
            for tag in &tags {
                data.ensure_tag(tag, ids, &now);
            }
            let record = TemplateRecord {
                organization_id: Some(op.organization_id),
                template,
            };
            data.source_templates
                .insert(record.template.id, record.clone());
            record
        })
    };
    Ok(ok(&source_template_response(&record)))
}

async fn update_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<SourceTemplateUpdateRequest>,
) -> AppResult<Response> {
    if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    state.store.write(|data, _| {
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
        Ok(ok(&source_template_response(record)))
    })
}

async fn delete_source_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.write(|data, _| {
        data.source_templates
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Source template", id))?;
        // Sources exist only through their template: they disappear with it.
        data.sources.retain(|_, s| s.template_id != id);
        Ok(ok(&DeletedResponse {
            id,
            deleted_at: clock::now_rfc3339(),
        }))
    })
}

fn tag_problem(tag: &str) -> Option<&'static str> {
    if tag.trim().is_empty() {
        Some("tag names must not be empty")
    } else if tag.chars().count() > 64 {
        Some("tag names must be at most 64 characters")
    } else {
        None
    }
}

/// A list of tag names (`tags`): the error names the item, e.g. `tags[1]`.
fn check_tag_names(field: &str, tags: &[String]) -> AppResult<()> {
    for (i, tag) in tags.iter().enumerate() {
        if let Some(problem) = tag_problem(tag) {
            return Err(AppError::invalid(&format!("{field}[{i}]"), problem));
        }
    }
    Ok(())
}

/// One tag name (`tag` of the attach body): the error names the field itself.
fn check_tag_name(field: &str, tag: &str) -> AppResult<()> {
    tag_problem(tag).map_or(Ok(()), |problem| Err(AppError::invalid(field, problem)))
}

fn tag_path(Path((raw_id, tag)): Path<(String, String)>) -> AppResult<(Uuid, String)> {
    let id = Uuid::parse_str(&raw_id)
        .map_err(|_| AppError::invalid("id", format!("'{raw_id}' is not a valid UUID")))?;
    Ok((id, tag))
}

/// Source and connection templates both carry tags; attaching and detaching works the same on both.
trait Tagged {
    const WHAT: &'static str;
    /// The response body: what GET on the template answers.
    fn respond(&self) -> Response;
    fn templates(data: &mut Data) -> &mut indexmap::IndexMap<Uuid, Self>
    where
        Self: Sized;
    fn tags(&mut self) -> &mut Vec<String>;
    fn touch(&mut self, now: String);
}

impl Tagged for TemplateRecord {
    const WHAT: &'static str = "Source template";
    fn respond(&self) -> Response {
        ok(&source_template_response(self))
    }
    fn templates(data: &mut Data) -> &mut indexmap::IndexMap<Uuid, Self> {
        &mut data.source_templates
    }
    fn tags(&mut self) -> &mut Vec<String> {
        &mut self.template.tags
    }
    fn touch(&mut self, now: String) {
        self.template.updated_at = Some(now);
    }
}

impl Tagged for ConnectionTemplate {
    const WHAT: &'static str = "Connection template";
    fn respond(&self) -> Response {
        ok(self)
    }
    fn templates(data: &mut Data) -> &mut indexmap::IndexMap<Uuid, Self> {
        &mut data.connection_templates
    }
    fn tags(&mut self) -> &mut Vec<String> {
        &mut self.tags
    }
    fn touch(&mut self, now: String) {
        self.updated_at = Some(now);
    }
}

/// `POST …/{id}/tags {tag}`: attaches the tag, creating it if it is new.
async fn attach_tag<T: Tagged>(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<TagAttachRequest>,
) -> AppResult<Response> {
    check_tag_name("tag", &req.tag)?;
    state.store.write(|data, ids| {
        if !T::templates(data).contains_key(&id) {
            return Err(AppError::not_found(T::WHAT, id));
        }
        let now = clock::now_rfc3339();
        data.ensure_tag(&req.tag, ids, &now);
        let template = T::templates(data)
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found(T::WHAT, id))?;
        if !template.tags().contains(&req.tag) {
            template.tags().push(req.tag.clone());
            template.touch(now);
        }
        Ok(template.respond())
    })
}

/// `DELETE …/{id}/tags/{tag}`.
async fn detach_tag<T: Tagged>(
    State(state): State<AppState>,
    _op: Operator,
    path: Path<(String, String)>,
) -> AppResult<Response> {
    let (id, tag) = tag_path(path)?;
    state.store.write(|data, _| {
        let template = T::templates(data)
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found(T::WHAT, id))?;
        let before = template.tags().len();
        template.tags().retain(|t| t != &tag);
        if template.tags().len() == before {
            return Err(AppError::not_found(
                &format!("Tag on this {}", T::WHAT.to_lowercase()),
                &tag,
            ));
        }
        template.touch(clock::now_rfc3339());
        Ok(template.respond())
    })
}

async fn list_connection_templates(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let (tags, mode) = tag_filter(&query)?;
    let data: Vec<ConnectionTemplate> = state.store.read(|d| {
        d.connection_templates
            .values()
            .filter(|t| mode.matches(&tags, &t.tags))
            .cloned()
            .collect()
    });
    Ok(ok(&ListResponse::new(data)))
}

async fn get_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.read(|d| {
        d.connection_templates
            .get(&id)
            .map(ok)
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

async fn create_connection_template(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<ConnectionTemplateCreateRequest>,
) -> AppResult<Response> {
    check_cron(req.cron_expression.as_deref())?;
    let tags = req.tags.clone().unwrap_or_default();
    check_tag_names("tags", &tags)?;
    let user_hosted = req.data_hosting_type == DataHostingType::UserHosted;
    if user_hosted {
        let mut missing = Vec::new();
        if req
            .destination_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            missing.push(airbyte_embedded::ApiError::new(
                Some("destination_name"),
                "field required",
                "missing",
            ));
        }
        if req.destination_definition_id.is_none() {
            missing.push(airbyte_embedded::ApiError::new(
                Some("destination_definition_id"),
                "field required",
                "missing",
            ));
        }
        if req.destination_config.is_none() {
            missing.push(airbyte_embedded::ApiError::new(
                Some("destination_config"),
                "field required",
                "missing",
            ));
        }
        if !missing.is_empty() {
            return Err(AppError::invalid_many(missing));
        }
    }
    let icon = req
        .destination_definition_id
        .and_then(|id| state.catalog.destination(id))
        .and_then(|d| d.icon.clone());
    let template = state.store.write(|data, ids| {
        let now = clock::now_rfc3339();
        for tag in &tags {
            data.ensure_tag(tag, ids, &now);
        }
        let template = ConnectionTemplate {
            id: ids.uuid(),
            organization_id: op.organization_id,
            destination_name: req
                .destination_name
                .clone()
                .unwrap_or_else(|| "Airbyte-hosted storage".into()),
            icon,
            cron_expression: req.cron_expression.clone(),
            data_hosting_type: req.data_hosting_type,
            tags: tags.clone(),
            created_at: Some(now.clone()),
            updated_at: Some(now),
            destination_definition_id: if user_hosted {
                req.destination_definition_id
            } else {
                None
            },
            destination_config: if user_hosted {
                req.destination_config.clone()
            } else {
                None
            },
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
    });
    Ok(ok(&template))
}

async fn update_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectionTemplatePatchRequest>,
) -> AppResult<Response> {
    check_cron(req.cron_expression.as_deref())?;
    state.store.write(|data, _| {
        let t = data
            .connection_templates
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found("Connection template", id))?;
        let user_hosted = t.data_hosting_type == DataHostingType::UserHosted;
        if let Some(name) = req.destination_name {
            t.destination_name = name;
        }
        if let Some(cron) = req.cron_expression {
            t.cron_expression = Some(cron);
        }
        if user_hosted {
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
        Ok(ok(t))
    })
}

async fn delete_connection_template(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.write(|data, _| {
        data.connection_templates
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Connection template", id))?;
        Ok(ok(&DeletedResponse {
            id,
            deleted_at: clock::now_rfc3339(),
        }))
    })
}

async fn list_tags(State(state): State<AppState>, _op: Operator) -> Response {
    let tags: Vec<_> = state.store.read(|d| d.tags.values().cloned().collect());
    ok(&ListResponse::new(tags))
}

async fn create_tag(
    State(state): State<AppState>,
    _op: Operator,
    Json(req): Json<TagRequest>,
) -> AppResult<Response> {
    check_tag_names("name", std::slice::from_ref(&req.name))
        .map_err(|_| AppError::invalid("name", "must be 1 to 64 characters"))?;
    state.store.write(|data, ids| {
        if data.tags.contains_key(&req.name) {
            return Err(AppError::conflict(format!(
                "Tag '{}' already exists",
                req.name
            )));
        }
        data.ensure_tag(&req.name, ids, &clock::now_rfc3339());
        data.tags
            .get(&req.name)
            .map(ok)
            .ok_or_else(|| AppError::not_found("Tag", &req.name))
    })
}

async fn rename_tag(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
    Json(req): Json<TagRequest>,
) -> AppResult<Response> {
    check_tag_names("name", std::slice::from_ref(&req.name))
        .map_err(|_| AppError::invalid("name", "must be 1 to 64 characters"))?;
    state.store.write(|data, _| {
        if req.name != name && data.tags.contains_key(&req.name) {
            return Err(AppError::conflict(format!(
                "Tag '{}' already exists",
                req.name
            )));
        }
        let mut tag = data
            .tags
            .shift_remove(&name)
            .ok_or_else(|| AppError::not_found("Tag", &name))?;
        tag.name = req.name.clone();
        tag.updated_at = clock::now_rfc3339();
        for t in data.source_templates.values_mut() {
            t.template
                .tags
                .iter_mut()
                .filter(|x| **x == name)
                .for_each(|x| *x = req.name.clone());
        }
        for t in data.connection_templates.values_mut() {
            t.tags
                .iter_mut()
                .filter(|x| **x == name)
                .for_each(|x| *x = req.name.clone());
        }
        data.tags.insert(req.name.clone(), tag.clone());
        Ok(ok(&tag))
    })
}

async fn delete_tag(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
) -> AppResult<Response> {
    state.store.write(|data, _| {
        let tag = data
            .tags
            .shift_remove(&name)
            .ok_or_else(|| AppError::not_found("Tag", &name))?;
        for t in data.source_templates.values_mut() {
            t.template.tags.retain(|x| *x != name);
        }
        for t in data.connection_templates.values_mut() {
            t.tags.retain(|x| *x != name);
        }
        Ok(ok(&DeletedResponse {
            id: tag.id,
            deleted_at: clock::now_rfc3339(),
        }))
    })
}
