//! Application, widget and scoped tokens, under the current Agent API paths, the 2025 Sonar paths
//! and the OLD platform paths (see ARCHITECTURE.md's glossary).

use airbyte_embedded::{
    LegacyWidgetTokenRequest, ScopedTokenInfo, ScopedTokenRequest, TagSelectionMode, TokenBody,
    TokenRequest, TokenResponse, WidgetToken, WidgetTokenRequest, validate_allowed_origin,
};
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

use super::ok;
use crate::auth::{
    APPLICATION_TOKEN_TTL_SECS, APPLICATION_TYP, Actor, ApplicationClaims, END_USER_ROLE, EndUser,
    Operator, SCOPED_TOKEN_TTL_SECS, SCOPED_TYP, ScopedClaims, WorkspaceScope,
};
use crate::domain::tags::check_tag_names;
use crate::domain::workspaces::{region, workspace_name};
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
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
pub fn end_user_router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/applications/scoped-token/info",
            get(scoped_token_info),
        )
        .route("/api/v1/embedded/scoped-token/info", get(scoped_token_info))
}

fn mint_application_token(
    state: &AppState,
    body: &TokenRequest,
    token_type: &str,
) -> AppResult<TokenResponse> {
    if body.client_id.is_empty() {
        return Err(AppError::invalid("client_id", "must not be empty"));
    }
    if body.client_secret.is_empty() {
        return Err(AppError::invalid("client_secret", "must not be empty"));
    }
    if !state.credentials_match(&body.client_id, &body.client_secret) {
        return Err(AppError::unauthorized(
            "Invalid client credentials: client_id or client_secret is wrong \
             (the mock's demo credentials are mock-client-id / mock-client-secret unless configured otherwise)",
        ));
    }
    crate::Stats::bump(&state.stats.application_tokens);
    let now = clock::unix_now();
    let organization_id = state.store.organization_id();
    let claims = ApplicationClaims {
        iss: state.public_url.clone(),
        sub: body.client_id.clone(),
        aud: "airbyte-mock".into(),
        typ: APPLICATION_TYP.into(),
        organization_id,
        iat: now,
        exp: now + APPLICATION_TOKEN_TTL_SECS,
    };
    Ok(TokenResponse {
        access_token: state.keys.sign(&claims),
        token_type: token_type.into(),
        expires_in: APPLICATION_TOKEN_TTL_SECS,
        organization_id: Some(organization_id),
    })
}

async fn application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&mint_application_token(&state, &body, "bearer")?))
}

async fn legacy_application_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Response> {
    Ok(ok(&mint_application_token(&state, &body, "Bearer")?))
}

/// `encodeURIComponent`'s set: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What a scoped token is for: its workspace, and for widget tokens the origin and tag selection.
struct Scope<'a> {
    workspace_id: Uuid,
    workspace_name: &'a str,
    allowed_origin: Option<&'a str>,
    source_tags: Vec<String>,
    source_tags_mode: TagSelectionMode,
    connection_tags: Vec<String>,
    connection_tags_mode: TagSelectionMode,
}

fn mint_scoped_token(state: &AppState, organization_id: Uuid, scope: Scope<'_>) -> String {
    let now = clock::unix_now();
    let claims = ScopedClaims {
        iss: state.public_url.clone(),
        aud: "airbyte-server".into(),
        sub: organization_id.to_string(),
        typ: SCOPED_TYP.into(),
        act: Actor {
            sub: scope.workspace_name.to_owned(),
        },
        workspace_scope: WorkspaceScope {
            workspace_id: scope.workspace_id,
        },
        roles: vec![END_USER_ROLE.into()],
        organization_id,
        iat: now,
        exp: now + SCOPED_TOKEN_TTL_SECS,
        allowed_origin: scope.allowed_origin.map(str::to_owned),
        selected_source_template_tags: scope.source_tags,
        selected_source_template_tags_mode: scope.source_tags_mode,
        selected_connection_template_tags: scope.connection_tags,
        selected_connection_template_tags_mode: scope.connection_tags_mode,
    };
    state.keys.sign(&claims)
}

fn issue_widget_token(
    state: &AppState,
    operator: &Operator,
    name: &str,
    origin: &str,
    region_id: Uuid,
    req: Option<&WidgetTokenRequest>,
) -> String {
    let (workspace, created) = state.store.workspace_for(name, region_id);
    if created {
        tracing::info!(workspace_id = %workspace.id, "workspace created");
    }
    state.store.remember_origin(origin);
    let scope = Scope {
        workspace_id: workspace.id,
        workspace_name: name,
        allowed_origin: Some(origin),
        source_tags: req
            .and_then(|r| r.selected_source_template_tags.clone())
            .unwrap_or_default(),
        source_tags_mode: req
            .and_then(|r| r.selected_source_template_tags_mode)
            .unwrap_or_default(),
        connection_tags: req
            .and_then(|r| r.selected_connection_template_tags.clone())
            .unwrap_or_default(),
        connection_tags_mode: req
            .and_then(|r| r.selected_connection_template_tags_mode)
            .unwrap_or_default(),
    };
    let jwt = mint_scoped_token(state, operator.organization_id, scope);
    crate::Stats::bump(&state.stats.widget_tokens);
    let widget_url = format!(
        "{}/embedded-widget?workspaceId={}&allowedOrigin={}",
        state.public_url,
        workspace.id,
        utf8_percent_encode(origin, URI_COMPONENT)
    );
    WidgetToken::new(jwt, widget_url).encode()
}

fn check_origin(field: &str, origin: &str) -> AppResult<()> {
    validate_allowed_origin(origin)
        .map(|_| ())
        .map_err(|problem| {
            let message = problem.message.replacen("allowed_origin", field, 1);
            AppError::invalid_many(vec![airbyte_embedded::ApiError {
                field: Some(field.to_owned()),
                message: Some(message),
                error_code: Some("invalid_origin".into()),
                details: problem.suggestion.map(|s| {
                    let mut m = serde_json::Map::new();
                    m.insert("suggestion".into(), serde_json::Value::String(s));
                    m
                }),
            }])
        })
}

async fn widget_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    operator: Operator,
    Json(body): Json<WidgetTokenRequest>,
) -> AppResult<Response> {
    let name = workspace_name(&body)?;
    check_origin("allowed_origin", &body.allowed_origin)?;
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
        check_tag_names(field, tags.iter().flatten())?;
    }
    let token = issue_widget_token(
        &state,
        &operator,
        &name,
        &body.allowed_origin,
        region_id,
        Some(&body),
    );
    Ok(ok(&TokenBody { token }))
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
    if body.external_user_id.trim().is_empty() {
        return Err(AppError::invalid("externalUserId", "must not be empty"));
    }
    let name = body.external_user_id.clone();
    check_origin("allowedOrigin", &body.allowed_origin)?;
    let token = issue_widget_token(
        &state,
        &operator,
        &name,
        &body.allowed_origin,
        region(None)?,
        None,
    );
    Ok(ok(&TokenBody { token }))
}

async fn scoped_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    operator: Operator,
    Json(body): Json<ScopedTokenRequest>,
) -> AppResult<Response> {
    let name = workspace_name(&body)?;
    let (workspace, _) = state.store.workspace_for(&name, region(body.region_id)?);
    let scope = Scope {
        workspace_id: workspace.id,
        workspace_name: &name,
        allowed_origin: None,
        source_tags: Vec::new(),
        source_tags_mode: TagSelectionMode::Any,
        connection_tags: Vec::new(),
        connection_tags_mode: TagSelectionMode::Any,
    };
    crate::Stats::bump(&state.stats.scoped_tokens);
    Ok(ok(&TokenBody {
        token: mint_scoped_token(&state, operator.organization_id, scope),
    }))
}

async fn scoped_token_info(user: EndUser) -> Response {
    ok(&ScopedTokenInfo {
        organization_id: user.claims.organization_id,
        workspace_id: user.workspace_id(),
        workspace_name: user.workspace_name,
    })
}
