//! Application, widget and scoped tokens, under the current Agent API paths, the 2025 Sonar paths
//! and the OLD platform paths (see ARCHITECTURE.md's glossary).

use airbyte_embedded::{
    LegacyWidgetTokenRequest, ScopedTokenInfo, ScopedTokenRequest, TokenBody, TokenRequest,
    TokenResponse, WidgetTokenRequest,
};
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ok;
use super::openapi::{self, Errors, OrganizationHeader, ReadErrors, TokenErrors};
use crate::AppState;
use crate::auth::{EndUser, Operator};
use crate::domain::tokens::{self, TagSelection, check_origin};
use crate::domain::workspaces::{lenient_name, region, workspace_name};
use crate::error::{AppError, AppResult};
use crate::extract::Json;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(application_token))
        .routes(routes!(legacy_application_token))
        .routes(routes!(widget_token))
        .routes(routes!(embedded_widget_token))
        .routes(routes!(legacy_widget_token))
        .routes(routes!(scoped_token))
        .routes(routes!(embedded_scoped_token))
}

/// Routes called with a scoped token from browsers, so they sit behind the CORS layer.
pub(crate) fn end_user_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scoped_token_info))
        .routes(routes!(embedded_scoped_token_info))
}

/// An application token for the client credentials (`token_type` `bearer`).
#[utoipa::path(post, path = "/api/v1/account/applications/token", tag = openapi::AUTH,
    request_body = TokenRequest,
    responses((status = 200, description = "An application token", body = TokenResponse), TokenErrors))]
async fn application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&tokens::application_token(&state, &body, "bearer")?))
}

/// The OLD platform path of the application token (`token_type` `Bearer`), still called by SDKs.
#[utoipa::path(post, path = "/v1/applications/token", tag = openapi::AUTH,
    request_body = TokenRequest,
    responses((status = 200, description = "An application token", body = TokenResponse), TokenErrors))]
async fn legacy_application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&tokens::application_token(&state, &body, "Bearer")?))
}

/// A widget token (base64 of `{token, widgetUrl}`) for one end user's workspace.
#[utoipa::path(post, path = "/api/v1/account/applications/widget-token", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = WidgetTokenRequest,
    responses((status = 200, description = "A widget token", body = TokenBody), Errors))]
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

/// The OLD platform's widget token (camelCase body, `externalUserId` names the workspace).
#[utoipa::path(post, path = "/v1/embedded/widget_token", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = LegacyWidgetTokenRequest,
    responses((status = 200, description = "A widget token", body = TokenBody), Errors))]
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

/// A scoped token for one end user's workspace.
#[utoipa::path(post, path = "/api/v1/account/applications/scoped-token", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ScopedTokenRequest,
    responses((status = 200, description = "A scoped token", body = TokenBody), Errors))]
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

/// What a scoped token grants: its organization and workspace.
#[utoipa::path(get, path = "/api/v1/account/applications/scoped-token/info", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    responses((status = 200, description = "The token's scope", body = ScopedTokenInfo), ReadErrors))]
async fn scoped_token_info(user: EndUser) -> Response {
    ok(&ScopedTokenInfo {
        organization_id: user.claims.organization_id,
        workspace_id: user.workspace_id(),
        workspace_name: user.workspace_name,
    })
}

// The 2025 Sonar paths: the same handlers, each under its own annotation so the document lists both.

/// The 2025 path of the widget token.
#[utoipa::path(post, path = "/api/v1/embedded/widget-token", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = WidgetTokenRequest,
    responses((status = 200, description = "A widget token", body = TokenBody), Errors))]
async fn embedded_widget_token(
    state: State<AppState>,
    operator: Operator,
    body: Json<WidgetTokenRequest>,
) -> AppResult<Response> {
    widget_token(state, operator, body).await
}

/// The 2025 path of the scoped token.
#[utoipa::path(post, path = "/api/v1/embedded/scoped-token", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    request_body = ScopedTokenRequest,
    responses((status = 200, description = "A scoped token", body = TokenBody), Errors))]
async fn embedded_scoped_token(
    state: State<AppState>,
    operator: Operator,
    body: Json<ScopedTokenRequest>,
) -> AppResult<Response> {
    scoped_token(state, operator, body).await
}

/// The 2025 path of the scoped token's info.
#[utoipa::path(get, path = "/api/v1/embedded/scoped-token/info", tag = openapi::AUTH,
    security(("bearer" = [])),
    params(OrganizationHeader),
    responses((status = 200, description = "The token's scope", body = ScopedTokenInfo), ReadErrors))]
async fn embedded_scoped_token_info(user: EndUser) -> Response {
    scoped_token_info(user).await
}
