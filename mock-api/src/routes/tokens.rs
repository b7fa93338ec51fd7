//! Application, widget and scoped tokens, under the current Agent API paths, the 2025 Sonar paths
//! and the OLD platform paths (see ARCHITECTURE.md's glossary).

use airbyte_embedded::{
    LegacyWidgetTokenRequest, ScopedTokenInfo, ScopedTokenRequest, TokenBody, TokenRequest,
    WidgetTokenRequest,
};
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

use super::ok;
use crate::AppState;
use crate::auth::{EndUser, Operator};
use crate::domain::tokens::{self, TagSelection, check_origin};
use crate::domain::workspaces::{lenient_name, region, workspace_name};
use crate::error::{AppError, AppResult};
use crate::extract::Json;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/applications/token",
            post(application_token),
        )
        .route("/v1/applications/token", post(legacy_application_token))
        .route(
            "/api/v1/account/applications/widget-token",
            post(widget_token),
        )
        .route("/api/v1/embedded/widget-token", post(widget_token))
        .route("/v1/embedded/widget_token", post(legacy_widget_token))
        .route(
            "/api/v1/account/applications/scoped-token",
            post(scoped_token),
        )
        .route("/api/v1/embedded/scoped-token", post(scoped_token))
}

/// Routes called with a scoped token from browsers, so they sit behind the CORS layer.
pub(crate) fn end_user_router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/applications/scoped-token/info",
            get(scoped_token_info),
        )
        .route("/api/v1/embedded/scoped-token/info", get(scoped_token_info))
}

async fn application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&tokens::application_token(&state, &body, "bearer")?))
}

async fn legacy_application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&tokens::application_token(&state, &body, "Bearer")?))
}

async fn widget_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    operator: Operator,
    Json(body): Json<WidgetTokenRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    let name = workspace_name(&body, &mut warnings, &[])?;
    check_origin(&mut warnings, "allowed_origin", &body.allowed_origin)?;
    let region_id = region(body.region_id)?;
    for (field, tags) in [
        (
            "selected_source_template_tags",
            &body.selected_source_template_tags,
        ),
        (
            "selected_connection_template_tags",
            &body.selected_connection_template_tags,
        ),
    ] {
        tokens::check_tag_selection(&mut warnings, field, tags.iter().flatten())?;
    }
    let selection = TagSelection {
        source_tags: body.selected_source_template_tags.unwrap_or_default(),
        source_tags_mode: body.selected_source_template_tags_mode.unwrap_or_default(),
        connection_tags: body.selected_connection_template_tags.unwrap_or_default(),
        connection_tags_mode: body
            .selected_connection_template_tags_mode
            .unwrap_or_default(),
    };
    let token = tokens::widget_token(
        &state,
        operator.organization_id,
        &name,
        &body.allowed_origin,
        region_id,
        selection,
    );
    Ok(warnings.apply(ok(&TokenBody { token })))
}

async fn legacy_widget_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    operator: Operator,
    Json(body): Json<LegacyWidgetTokenRequest>,
) -> AppResult<Response> {
    if body.organization_id != operator.organization_id {
        return Err(AppError::forbidden(format!(
            "organizationId {} is not the organization of this application token",
            body.organization_id
        )));
    }
    let mut warnings = state.warnings();
    lenient_name(&mut warnings, "externalUserId", &body.external_user_id)?;
    let name = body.external_user_id.clone();
    check_origin(&mut warnings, "allowedOrigin", &body.allowed_origin)?;
    let token = tokens::widget_token(
        &state,
        operator.organization_id,
        &name,
        &body.allowed_origin,
        region(None)?,
        TagSelection::default(),
    );
    Ok(warnings.apply(ok(&TokenBody { token })))
}

async fn scoped_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    operator: Operator,
    Json(body): Json<ScopedTokenRequest>,
) -> AppResult<Response> {
    let mut warnings = state.warnings();
    let name = workspace_name(&body, &mut warnings, &[])?;
    let region_id = region(body.region_id)?;
    Ok(warnings.apply(ok(&TokenBody {
        token: tokens::scoped_token(&state, operator.organization_id, &name, region_id),
    })))
}

async fn scoped_token_info(user: EndUser) -> Response {
    ok(&ScopedTokenInfo {
        organization_id: user.claims.organization_id,
        workspace_id: user.workspace_id(),
        workspace_name: user.workspace_name,
    })
}
