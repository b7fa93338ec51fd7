//! The mock's control plane under `/_mock`: readiness, the state (dump, load, fixtures, reset) and
//! the test-setup backdoors (a source without the widget, expiring every issued token).

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::ok;
use crate::AppState;
use crate::domain::{fixtures, sources, state as dump};
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/state", get(get_state).put(put_state))
        .route("/fixtures", post(merge_fixture))
        .route("/workspaces/{name}/sources", post(create_source))
        .route("/tokens/expire", post(expire_tokens))
}

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

/// `?to=seed` (the default) or `?to=fixtures` (the seeded state with the `--fixture` files merged).
async fn reset(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    match query.get("to").unwrap_or("seed") {
        "seed" => {
            state.store.reset(&state.catalog);
            tracing::info!("state reset to the seeded catalog");
        }
        "fixtures" => {
            fixtures::reset_to(&state.store, &state.catalog, &state.fixtures)?;
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

async fn get_state(State(state): State<AppState>) -> Response {
    ok(&dump::dump(&state.store))
}

async fn put_state(
    State(state): State<AppState>,
    Json(body): Json<dump::StateDump>,
) -> AppResult<Response> {
    dump::load(&state.store, &state.catalog, body)?;
    tracing::info!("state loaded");
    Ok(ok(&dump::dump(&state.store)))
}

async fn merge_fixture(
    State(state): State<AppState>,
    Json(fixture): Json<fixtures::Fixture>,
) -> AppResult<Response> {
    let added = fixtures::merge(&state.store, &state.catalog, &fixture)?;
    tracing::info!(sources = added.sources.len(), "fixture merged");
    Ok(ok(
        &json!({"revision": state.store.revision(), "added": added}),
    ))
}

/// `POST /_mock/workspaces/{name}/sources`: the end-user create's body, without a token.
#[derive(Deserialize)]
struct BackdoorSource {
    source_template_id: Uuid,
    source_config: Map<String, Value>,
    #[serde(default)]
    name: Option<String>,
    /// For a workspace created by this request; US by default.
    #[serde(default)]
    region_id: Option<Uuid>,
}

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

async fn expire_tokens(State(state): State<AppState>) -> Response {
    let expired_before = state.keys.expire_all();
    tracing::info!(%expired_before, "every issued token expired");
    ok(&json!({"expired_before": expired_before}))
}
