//! The mock's control plane under `/_mock`: readiness, the state (dump, load) and reset to the
//! seeded state.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::ok;
use crate::AppState;
use crate::domain::state as dump;
use crate::error::AppResult;
use crate::extract::Json;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/state", get(get_state).put(put_state))
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

async fn reset(State(state): State<AppState>) -> Response {
    state.store.reset(&state.catalog);
    tracing::info!("state reset to the seeded catalog");
    ok(&json!({"status": "reset", "revision": state.store.revision()}))
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
