//! The mock's control plane under `/_mock`: readiness, the state (dump, load, fixtures, reset) and
//! the test-setup backdoors (a source without the widget, expiring every issued token).

use airbyte_embedded::SourceRead;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::ok;
use super::openapi::{self, ControlBodyErrors, ControlErrors};
use crate::AppState;
use crate::domain::{fixtures, sources, state as dump};
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(reset))
        .routes(routes!(get_state, put_state))
        .routes(routes!(merge_fixture))
        .routes(routes!(create_source))
        .routes(routes!(expire_tokens))
}

/// Liveness, the version, the state's revision and counts, and how many tokens were issued.
#[utoipa::path(get, path = "/health", tag = openapi::MOCK,
    responses((status = 200, description = "The mock's health", body = Object), ControlErrors))]
async fn health(State(state): State<AppState>) -> Response {
    let counts = state.store.counts();
    ok(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "public_url": state.public_url,
        "revision": state.store.revision(),
        "counts": {
            "workspaces": counts.workspaces,
            "sources": counts.sources,
            "source_templates": counts.source_templates,
        },
        "issued": {
            "application_tokens": crate::Stats::get(&state.stats.application_tokens),
            "widget_tokens": crate::Stats::get(&state.stats.widget_tokens),
            "scoped_tokens": crate::Stats::get(&state.stats.scoped_tokens),
        },
    }))
}

#[utoipa::path(post, path = "/reset", tag = openapi::MOCK,
    params(("to" = Option<String>, Query, description = "`seed` (default) or `fixtures`")),
    responses((status = 200, description = "Reset", body = Object), ControlErrors))]
/// `?to=seed` (the default) or `?to=fixtures` (the seeded state with the `--fixture` files merged).
async fn reset(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    match query.get("to").unwrap_or("seed") {
        "seed" => {
            state.store.reset(&state.catalog);
            tracing::info!("state reset to the seeded catalog");
        }
        "fixtures" => {
            fixtures::reset_to(
                &state.store,
                &state.catalog,
                &state.fixtures,
                state.sim.now(),
            )?;
            tracing::info!(
                fixtures = state.fixtures.len(),
                "state reset to the seeded catalog and the start-up fixtures"
            );
        }
        other => {
            return Err(AppError::invalid(
                "to",
                format!("'{other}' is not one of 'seed', 'fixtures'"),
            ));
        }
    }
    Ok(ok(
        &json!({"status": "reset", "revision": state.store.revision()}),
    ))
}

/// The whole state, as `PUT /_mock/state` and `--state-file` take it.
#[utoipa::path(get, path = "/state", tag = openapi::MOCK,
    responses((status = 200, description = "The state", body = Object), ControlErrors))]
async fn get_state(State(state): State<AppState>) -> Response {
    ok(&dump::dump(&state.store))
}

/// Replaces the whole state.
#[utoipa::path(put, path = "/state", tag = openapi::MOCK,
    request_body = Object,
    responses((status = 200, description = "The state as loaded", body = Object), ControlBodyErrors))]
async fn put_state(
    State(state): State<AppState>,
    Json(body): Json<dump::StateDump>,
) -> AppResult<Response> {
    dump::load(&state.store, &state.catalog, body)?;
    tracing::info!("state loaded");
    Ok(ok(&dump::dump(&state.store)))
}

/// Merges a fixture (workspaces, sources, templates) into the state.
#[utoipa::path(post, path = "/fixtures", tag = openapi::MOCK,
    request_body = Object,
    responses((status = 200, description = "What was added", body = Object), ControlBodyErrors))]
async fn merge_fixture(
    State(state): State<AppState>,
    Json(fixture): Json<fixtures::Fixture>,
) -> AppResult<Response> {
    let added = fixtures::merge(&state.store, &state.catalog, &fixture, state.sim.now())?;
    tracing::info!(sources = added.sources.len(), "fixture merged");
    Ok(ok(
        &json!({"revision": state.store.revision(), "added": added}),
    ))
}

/// `POST /_mock/workspaces/{name}/sources`: the end-user create's body, without a token.
#[derive(Deserialize, utoipa::ToSchema)]
struct BackdoorSource {
    source_template_id: Uuid,
    source_config: Map<String, Value>,
    #[serde(default)]
    name: Option<String>,
    /// For a workspace created by this request; US by default.
    #[serde(default)]
    region_id: Option<Uuid>,
}

/// Creates a source in a named workspace without a token (test set-up).
#[utoipa::path(post, path = "/workspaces/{name}/sources", tag = openapi::MOCK,
    params(("name" = String, Path, description = "The workspace's name (created on first use)")),
    request_body = BackdoorSource,
    responses((status = 200, description = "The new source", body = SourceRead), ControlBodyErrors))]
async fn create_source(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    Json(body): Json<BackdoorSource>,
) -> AppResult<Response> {
    let Path(workspace_name) = name.map_err(|e| AppError::invalid("name", e.body_text()))?;
    let read = sources::create_in_named_workspace(
        &state,
        &workspace_name,
        body.region_id,
        body.source_template_id,
        body.source_config,
        body.name,
    )
    .await?;
    Ok(ok(&read))
}

/// Expires every token issued so far.
#[utoipa::path(post, path = "/tokens/expire", tag = openapi::MOCK,
    responses((status = 200, description = "The cut-off", body = Object), ControlErrors))]
async fn expire_tokens(State(state): State<AppState>) -> Response {
    let expired_before = state.keys.expire_all();
    tracing::info!(%expired_before, "every issued token expired");
    ok(&json!({"expired_before": expired_before}))
}
