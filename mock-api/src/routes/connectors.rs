//! The operator's view of end users: workspaces and the sources (connectors) in them.

use airbyte_embedded::{DeleteAccepted, ListResponse, Workspace, WorkspaceListResponse};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use uuid::Uuid;

use super::{json, ok};
use crate::AppState;
use crate::auth::Operator;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryPairs};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/integrations/connectors", get(list_connectors))
        .route(
            "/api/v1/integrations/connectors/{id}",
            get(get_connector).delete(delete_connector),
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
