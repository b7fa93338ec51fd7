//! Connector definitions from the seeded catalog: `GET /api/v1/integrations/definitions/sources`
//! (+ `/{id}`) and `/destinations` (+ `/{id}`), shaped as the published document's
//! `SourceDefinitionListResponse`, `SourceDefinitionResponse`, `DestinationDefinitionsListResponse`
//! and `DestinationDefinitionResponse`. The catalog is read-only, so nothing here touches the store.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::cron;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations/definitions/sources",
            get(list_sources),
        )
        .route(
            "/api/v1/integrations/definitions/sources/{id}",
            get(get_source),
        )
        .route(
            "/api/v1/integrations/definitions/destinations",
            get(list_destinations),
        )
        .route(
            "/api/v1/integrations/definitions/destinations/{id}",
            get(get_destination),
        )
        .route(
            "/api/v1/integrations/templates/connections/cron/describe",
            post(describe_cron),
        )
}

/// `CronExpressionDescribeRequest`.
#[derive(Debug, Deserialize)]
struct CronDescribeRequest {
    cron_expression: String,
}

/// An invalid expression is still a 200, with `is_valid: false` and the reason as its description.
async fn describe_cron(_op: Operator, Json(req): Json<CronDescribeRequest>) -> AppResult<Response> {
    Ok(ok(&cron::describe(&req.cron_expression)))
}

/// `?name=` filters by a case-insensitive partial match on the name.
async fn list_sources(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let needle = query.get("name").map(str::to_lowercase);
    let definitions: Vec<Value> = state
        .catalog
        .sources
        .iter()
        .filter(|d| {
            needle
                .as_deref()
                .is_none_or(|n| d.name.to_lowercase().contains(n))
        })
        .map(|d| d.definition(false))
        .collect();
    Ok(ok(&json!({ "definitions": definitions })))
}

async fn get_source(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let def = state
        .catalog
        .source(id)
        .ok_or_else(|| AppError::not_found("Source definition", id))?;
    Ok(ok(&json!({"id": id, "definition": def.definition(true)})))
}

/// `?actorDefinitionIds=` (repeated) keeps only those definitions; each must be a UUID.
async fn list_destinations(
    State(state): State<AppState>,
    _op: Operator,
    query: QueryPairs,
) -> AppResult<Response> {
    let wanted = query
        .all("actorDefinitionIds")
        .iter()
        .map(|raw| {
            Uuid::parse_str(raw).map_err(|_| {
                AppError::invalid("actorDefinitionIds", format!("'{raw}' is not a valid UUID"))
            })
        })
        .collect::<AppResult<Vec<Uuid>>>()?;
    let destinations: Vec<Value> = state
        .catalog
        .destinations
        .iter()
        .filter(|d| wanted.is_empty() || wanted.contains(&d.destination_definition_id))
        .map(|d| {
            json!({"id": d.destination_definition_id, "name": d.name,
                   "icon": d.icon.clone().unwrap_or_default()})
        })
        .collect();
    Ok(ok(&json!({ "destinations": destinations })))
}

async fn get_destination(
    State(state): State<AppState>,
    _op: Operator,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let def = state
        .catalog
        .destination(id)
        .ok_or_else(|| AppError::not_found("Destination definition", id))?;
    Ok(ok(&json!({"id": id, "definition": def.definition()})))
}
