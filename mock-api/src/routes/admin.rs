//! The mock's control plane under `/_mock`: readiness and reset. (State dump, fixtures, the request
//! journal and fault rules come later, on top of `Store::snapshot` and `Store::write`.)

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::ok;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
}

async fn health(State(state): State<AppState>) -> Response {
    let (workspaces, sources, templates) = state.store.read(|d| {
        (
            d.workspaces.len(),
            d.sources.len(),
            d.source_templates.len(),
        )
    });
    ok(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "public_url": state.public_url,
        "revision": state.store.revision(),
        "counts": {"workspaces": workspaces, "sources": sources, "source_templates": templates},
        "issued": {
            "application_tokens": crate::Stats::get(&state.stats.application_tokens),
            "widget_tokens": crate::Stats::get(&state.stats.widget_tokens),
            "scoped_tokens": crate::Stats::get(&state.stats.scoped_tokens),
        },
    }))
}

async fn reset(State(state): State<AppState>) -> Response {
    state.store.reset(&state.catalog);
    tracing::info!("state reset to the seed");
    ok(&json!({"status": "reset"}))
}
