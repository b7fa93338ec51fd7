//! Connector definitions from the seeded catalog: `GET /api/v1/integrations/definitions/sources`
//! (+ `/{id}`) and `/destinations` (+ `/{id}`), shaped as the published document's
//! `SourceDefinitionListResponse`, `SourceDefinitionResponse`, `DestinationDefinitionsListResponse`
//! and `DestinationDefinitionResponse`. The catalog is read-only, so nothing here touches the store.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::ok;
use super::openapi::{self, Errors, OrganizationHeader, ReadErrors, ReadItemErrors};
use crate::AppState;
use crate::auth::Operator;
use crate::domain::cron::{self, Described};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, Json, QueryPairs};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sources))
        .routes(routes!(get_source))
        .routes(routes!(list_destinations))
        .routes(routes!(get_destination))
        .routes(routes!(describe_cron))
}

/// `CronExpressionDescribeRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CronDescribeRequest {
    cron_expression: String,
}

/// Describes a Quartz cron expression in English.
#[utoipa::path(post, path = "/api/v1/integrations/templates/connections/cron/describe", tag = openapi::TEMPLATES,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = CronDescribeRequest,
    responses((status = 200, description = "The description, or why it is invalid", body = Described), Errors))]
/// An invalid expression is still a 200, with `is_valid: false` and the reason as its description.
async fn describe_cron(_op: Operator, Json(req): Json<CronDescribeRequest>) -> AppResult<Response> {
    Ok(ok(&cron::describe(&req.cron_expression)))
}

/// The catalog's source definitions.
#[utoipa::path(get, path = "/api/v1/integrations/definitions/sources", tag = openapi::DEFINITIONS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("name" = Option<String>, Query, description = "Case-insensitive part of the name")),
    responses((status = 200, description = "The definitions", body = SourceDefinitions), ReadErrors))]
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

/// One source definition, with its specification.
#[utoipa::path(get, path = "/api/v1/integrations/definitions/sources/{id}", tag = openapi::DEFINITIONS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The source definition id")),
    responses((status = 200, description = "The definition", body = DefinitionResponse), ReadItemErrors))]
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

/// The catalog's destination definitions.
#[utoipa::path(get, path = "/api/v1/integrations/definitions/destinations", tag = openapi::DEFINITIONS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("actorDefinitionIds" = Option<Vec<Uuid>>, Query, description = "Only these definitions (repeatable)")),
    responses((status = 200, description = "The definitions", body = DestinationDefinitions), ReadErrors))]
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

/// One destination definition.
#[utoipa::path(get, path = "/api/v1/integrations/definitions/destinations/{id}", tag = openapi::DEFINITIONS,
    security(("bearer" = [])),
    params(OrganizationHeader, ("id" = Uuid, Path, description = "The destination definition id")),
    responses((status = 200, description = "The definition", body = DefinitionResponse), ReadItemErrors))]
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

// The answers' shapes, for the document (the handlers build them as JSON from the catalog).

/// `SourceDefinitionListResponse`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct SourceDefinitions {
    /// `ConnectorDefinition`s, without their specifications.
    definitions: Vec<Value>,
}

/// `DestinationDefinitionsListResponse`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct DestinationDefinitions {
    destinations: Vec<DestinationListItem>,
}

/// `DestinationDefinitionListItem`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct DestinationListItem {
    id: Uuid,
    name: String,
    icon: String,
}

/// `SourceDefinitionResponse` / `DestinationDefinitionResponse`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only the derive reads it
struct DefinitionResponse {
    id: Uuid,
    /// A `ConnectorDefinition`.
    definition: Value,
}
