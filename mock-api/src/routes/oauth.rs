//! OAuth app credentials: `PUT /api/v1/oauth/credentials` and
//! `DELETE /api/v1/oauth/credentials/connector_type/{connector_type}` (204, idempotent).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, put};

use super::ok;
use crate::AppState;
use crate::auth::Operator;
use crate::domain::oauth::{self, OAuthCredentialsRequest};
use crate::error::AppResult;
use crate::extract::Json;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/oauth/credentials", put(put_credentials))
        .route(
            "/api/v1/oauth/credentials/connector_type/{connector_type}",
            delete(delete_credentials),
        )
}

async fn put_credentials(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<OAuthCredentialsRequest>,
) -> AppResult<Response> {
    let body = oauth::put(&state.store, &state.catalog, op.organization_id, req)?;
    Ok(ok(&body))
}

async fn delete_credentials(
    State(state): State<AppState>,
    op: Operator,
    Path(connector_type): Path<String>,
) -> AppResult<Response> {
    oauth::delete(
        &state.store,
        &state.catalog,
        op.organization_id,
        &connector_type,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
