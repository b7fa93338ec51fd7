//! The mock's control plane under `/_mock`: readiness and the state (dump, load, fixtures, reset).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::ok;
use crate::AppState;
use crate::domain::{fixtures, state as dump};
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/state", get(get_state).put(put_state))
        .route("/fixtures", post(merge_fixture))
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
