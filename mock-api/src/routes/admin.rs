//! The mock's control plane under `/_mock`: readiness (with counts of the state and of issued
//! tokens) and reset to the seeded state.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::ok;
use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
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
    ok(&json!({"status": "reset"}))
}
