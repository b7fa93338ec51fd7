//! The operator's view of end users: workspaces and the sources (connectors) in them.

use airbyte_embedded::{
    ConnectorSourceCreateRequest, ConnectorSourceUpdateRequest, DeleteAccepted,
    DetailedSourceTemplate, ListResponse, Workspace, WorkspaceListResponse,
};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use uuid::Uuid;

use super::{json, ok};
use crate::AppState;
use crate::auth::Operator;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};
use crate::sources::{self, ConfigField};
use crate::store::{Data, SourceRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations/connectors",
            get(list_connectors).post(create_connector),
        )
        .route(
            "/api/v1/integrations/connectors/check",
            post(check_new_connector),
        )
        .route(
            "/api/v1/integrations/connectors/{id}",
            get(get_connector)
                .put(update_connector)
                .delete(delete_connector),
        )
        .route(
            "/api/v1/integrations/connectors/{id}/check",
            post(check_connector_update),
        )
        .route("/api/v1/workspaces", get(list_workspaces))
        .route("/api/v1/workspaces/{id}", get(get_workspace))
}

/// `workspace_id`, or `workspace_name` (or its deprecated `customer_name` / `external_user_id`).
/// `Ok(None)`: no selector, every workspace. `Ok(Some(None))`: a name with no workspace yet.
fn workspace_selector(state: &AppState, query: &QueryPairs) -> AppResult<Option<Option<Uuid>>> {
    if let Some(id) = query.uuid("workspace_id")? {
        return Ok(Some(Some(id)));
    }
    let name = ["workspace_name", "customer_name", "external_user_id"]
        .iter()
        .find_map(|k| query.get(k));
    Ok(name.map(|name| {
        state
            .store
            .read(|d| d.workspace_by_name(name).map(|w| w.workspace.id))
    }))
}

async fn list_connectors(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let selector = workspace_selector(&state, &query)?;
    let definition = query.uuid("definition_id")?;
    let items: Vec<_> = state.store.read(|d| {
        d.sources
            .values()
            .filter(|s| match selector {
                None => true,
                Some(None) => false,
                Some(Some(ws)) => s.workspace_id == ws,
            })
            .filter(|s| {
                definition.is_none_or(|def| {
                    d.source_templates
                        .get(&s.template_id)
                        .is_some_and(|t| t.template.source_definition_id == def)
                })
            })
            .filter_map(|s| crate::sources::source_list_item(d, s))
            .collect()
    });
    Ok(ok(&ListResponse::new(items)))
}

async fn get_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.read(|d| {
        d.sources
            .get(&id)
            .and_then(|s| crate::sources::source_read(d, s))
            .map(|r| ok(&r))
            .ok_or_else(|| AppError::not_found("Source", id))
    })
}

async fn delete_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.write(|data, ids| {
        data.sources
            .shift_remove(&id)
            .ok_or_else(|| AppError::not_found("Source", id))?;
        Ok(json(
            StatusCode::ACCEPTED,
            &DeleteAccepted { job_id: ids.uuid() },
        ))
    })
}

async fn list_workspaces(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let limit = match query.get("limit") {
        None => 20,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                AppError::invalid("limit", format!("'{raw}' is not an integer from 1 to 100"))
            })?,
    };
    let offset = match query.get("cursor") {
        None => 0,
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| AppError::invalid("cursor", "is not a cursor this mock issued"))?,
    };
    let status = query.get("status");
    if let Some(s) = status
        && !matches!(s, "active" | "inactive")
    {
        return Err(AppError::invalid(
            "status",
            format!("'{s}' is not one of 'active', 'inactive'"),
        ));
    }
    let needle = query.get("name_contains").map(str::to_lowercase);
    let (page, more) = state.store.read(|d| {
        let mut matching = d
            .workspaces
            .values()
            .map(|w| &w.workspace)
            .filter(|w| status.is_none_or(|s| w.status == s))
            .filter(|w| {
                needle
                    .as_deref()
                    .is_none_or(|n| w.name.to_lowercase().contains(n))
            })
            .skip(offset);
        let page: Vec<Workspace> = matching.by_ref().take(limit).cloned().collect();
        (page, matching.next().is_some())
    });
    // `next` is the next page's URL, as the published document describes it; the cursor is an offset.
    let next = more.then(|| {
        let mut url = format!(
            "{}/api/v1/workspaces?limit={limit}&cursor={}",
            state.public_url,
            offset + limit
        );
        for (key, value) in [
            ("name_contains", query.get("name_contains")),
            ("status", status),
        ] {
            if let Some(value) = value {
                url.push_str(&format!(
                    "&{key}={}",
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
                ));
            }
        }
        url
    });
    Ok(ok(&WorkspaceListResponse { next, data: page }))
}

async fn get_workspace(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    state.store.read(|d| {
        d.workspaces
            .get(&id)
            .map(|w| ok(&w.workspace))
            .ok_or_else(|| AppError::not_found("Workspace", id))
    })
}

/// The template a create names: `source_template_id`, else the only template for `definition_id`
/// and/or `connector_type` (matched case-insensitively on the name or the connector slug).
fn resolve_template(
    data: &Data,
    organization_id: Uuid,
    req: &ConnectorSourceCreateRequest,
) -> AppResult<DetailedSourceTemplate> {
    let usable = |t: &&crate::store::TemplateRecord| {
        t.organization_id.is_none() || t.organization_id == Some(organization_id)
    };
    if let Some(id) = req.source_template_id {
        return data
            .source_templates
            .get(&id)
            .filter(usable)
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
        .filter(usable)
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

/// The configuration of a create: these templates replicate, so `replication_config` is the one
/// that counts.
fn replication_config(
    req: &ConnectorSourceCreateRequest,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    match (
        &req.replication_config,
        &req.credentials,
        &req.server_side_oauth_secret_id,
    ) {
        (Some(config), _, _) => Ok(config.clone()),
        (None, None, None) => Err(AppError::missing("replication_config")),
        _ => Err(AppError::invalid(
            "replication_config",
            "field required: the mock's templates are REPLICATION-mode, which take the full configuration here",
        )),
    }
}

/// `POST /api/v1/integrations/connectors`: a source for an end user without the widget (the
/// workspace is created if the name is new, as with widget tokens).
async fn create_connector(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<ConnectorSourceCreateRequest>,
) -> AppResult<Response> {
    let name = super::tokens::workspace_name(&req)?;
    let config = replication_config(&req)?;
    let template = state
        .store
        .read(|d| resolve_template(d, op.organization_id, &req))?;
    let (workspace, _) = state
        .store
        .workspace_for(&name, super::tokens::region(None)?);
    let read = sources::create(
        &state,
        ConfigField::ReplicationConfig,
        workspace.id,
        &template,
        config,
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// `POST /api/v1/integrations/connectors/check`: the same body, checked and not stored.
async fn check_new_connector(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<ConnectorSourceCreateRequest>,
) -> AppResult<Response> {
    super::tokens::workspace_name(&req)?;
    let config = replication_config(&req)?;
    let template = state
        .store
        .read(|d| resolve_template(d, op.organization_id, &req))?;
    let response = sources::check(
        &state,
        ConfigField::ReplicationConfig,
        &template,
        None,
        config,
    )
    .await?;
    Ok(ok(&response))
}

fn stored_source(data: &Data, id: Uuid) -> AppResult<SourceRecord> {
    data.sources
        .get(&id)
        .cloned()
        .ok_or_else(|| AppError::not_found("Source", id))
}

async fn update_connector(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectorSourceUpdateRequest>,
) -> AppResult<Response> {
    let record = state.store.read(|d| stored_source(d, id))?;
    let read = sources::update(
        &state,
        ConfigField::ReplicationConfig,
        &record,
        req.replication_config,
        req.name,
    )
    .await?;
    Ok(ok(&read))
}

/// `POST /api/v1/integrations/connectors/{id}/check`: the source's configuration, or the update of
/// it in the body (masked secrets keep their stored values).
async fn check_connector_update(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
    Json(req): Json<ConnectorSourceUpdateRequest>,
) -> AppResult<Response> {
    let (record, template) = state.store.read(|d| {
        let record = stored_source(d, id)?;
        let template = sources::with_template(d, &record)?;
        Ok::<_, AppError>((record, template))
    })?;
    let config = req
        .replication_config
        .unwrap_or_else(|| record.config.clone());
    let response = sources::check(
        &state,
        ConfigField::ReplicationConfig,
        &template,
        Some(&record),
        config,
    )
    .await?;
    Ok(ok(&response))
}
