//! What each token tier grants, and minting them: application tokens for the client credentials,
//! widget tokens (a scoped JWT bound to an origin and a tag selection, plus the widget URL) and
//! plain scoped tokens for an end user's workspace.

use airbyte_embedded::{
    TagSelectionMode, TokenRequest, TokenResponse, WidgetToken, validate_allowed_origin,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

use crate::auth::{
    APPLICATION_TOKEN_TTL_SECS, APPLICATION_TYP, Actor, ApplicationClaims, END_USER_ROLE,
    SCOPED_TOKEN_TTL_SECS, SCOPED_TYP, ScopedClaims, WorkspaceScope,
};
use crate::error::{AppError, AppResult};
use crate::warning::{Leniency, Warnings};
use crate::{AppState, Stats, clock};

/// An application token for the client credentials; `token_type` is spelled as the path the caller
/// used spells it (`bearer` today, `Bearer` on the OLD platform path).
pub(crate) fn application_token(
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
    Stats::bump(&state.stats.application_tokens);
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

/// The source and connection template tags a widget token selects.
#[derive(Debug, Clone, Default)]
pub(crate) struct TagSelection {
    pub(crate) source_tags: Vec<String>,
    pub(crate) source_tags_mode: TagSelectionMode,
    pub(crate) connection_tags: Vec<String>,
    pub(crate) connection_tags_mode: TagSelectionMode,
}

/// What a scoped token is for: its workspace, and for widget tokens the origin and tag selection.
struct Scope<'a> {
    organization_id: Uuid,
    workspace_id: Uuid,
    workspace_name: &'a str,
    allowed_origin: Option<&'a str>,
    selection: TagSelection,
}

fn sign_scoped(state: &AppState, scope: Scope<'_>) -> String {
    let now = clock::unix_now();
    let claims = ScopedClaims {
        iss: state.public_url.clone(),
        aud: "airbyte-server".into(),
        sub: scope.organization_id.to_string(),
        typ: SCOPED_TYP.into(),
        act: Actor {
            sub: scope.workspace_name.to_owned(),
        },
        workspace_scope: WorkspaceScope {
            workspace_id: scope.workspace_id,
        },
        roles: vec![END_USER_ROLE.into()],
        organization_id: scope.organization_id,
        iat: now,
        exp: now + SCOPED_TOKEN_TTL_SECS,
        allowed_origin: scope.allowed_origin.map(str::to_owned),
        selected_source_template_tags: scope.selection.source_tags,
        selected_source_template_tags_mode: scope.selection.source_tags_mode,
        selected_connection_template_tags: scope.selection.connection_tags,
        selected_connection_template_tags_mode: scope.selection.connection_tags_mode,
    };
    state.keys.sign(&claims)
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

/// `allowed_origin` (sent as `field`) checked by the shared rules. Airbyte types it as a plain string
/// and mints the token for whatever it is given (its docs even call `https://yourapp.com:443`
/// correct), so a value a browser can never match is a leniency: by default a warning naming the
/// problem and the fix (the token is minted for the value as sent, and the widget page explains the
/// hang); under `--strict` the 422 with the fix in `details.suggestion`.
pub(crate) fn check_origin(warnings: &mut Warnings, field: &str, origin: &str) -> AppResult<()> {
    let Err(problem) = validate_allowed_origin(origin) else {
        return Ok(());
    };
    warnings.lenient(Leniency {
        field: field.to_owned(),
        warning: problem.warning(field, origin),
        refusal: problem.message.replacen("allowed_origin", field, 1),
        code: "invalid_origin",
        suggestion: problem.suggestion,
    })
}

/// The tag names a widget token selects (sent as `field`). The published document puts no rule on
/// them, so a name no tag can have here (blank, or over the mock's 64 characters) is a leniency: kept,
/// with a warning that it can select nothing; the 422 under `--strict`.
pub(crate) fn check_tag_selection<'a>(
    warnings: &mut Warnings,
    field: &str,
    names: impl IntoIterator<Item = &'a String>,
) -> AppResult<()> {
    for (i, name) in names.into_iter().enumerate() {
        if let Err(problem) = super::tags::validate_tag_name(name) {
            let field = format!("{field}[{i}]");
            warnings.lenient(Leniency {
                warning: format!(
                    "{field}: {problem}; Airbyte's published document sets no rule on tag names, so the mock kept it, \
                     but no template carries such a tag, so it matches nothing: remove it"
                ),
                refusal: problem.to_owned(),
                field,
                code: "invalid_tag",
                suggestion: None,
            })?;
        }
    }
    Ok(())
}

/// A widget token for the end user `workspace_name` (whose workspace is created in `region_id` if
/// new) on pages of `origin`: Base64 of `{token, widgetUrl}`, the URL on this mock's widget page.
/// The origin is remembered so CORS preflights from it are answered.
pub(crate) fn widget_token(
    state: &AppState,
    organization_id: Uuid,
    workspace_name: &str,
    origin: &str,
    region_id: Uuid,
    selection: TagSelection,
) -> String {
    let (workspace, created) = state.store.workspace_for(workspace_name, region_id);
    if created {
        tracing::info!(workspace_id = %workspace.id, "workspace created");
    }
    state.store.remember_origin(origin);
    let jwt = sign_scoped(
        state,
        Scope {
            organization_id,
            workspace_id: workspace.id,
            workspace_name,
            allowed_origin: Some(origin),
            selection,
        },
    );
    Stats::bump(&state.stats.widget_tokens);
    let widget_url = format!(
        "{}/embedded-widget?workspaceId={}&allowedOrigin={}",
        state.public_url,
        workspace.id,
        utf8_percent_encode(origin, URI_COMPONENT)
    );
    WidgetToken::new(jwt, widget_url).encode()
}

/// A scoped token (a plain JWT, no origin, every template) for the end user `workspace_name`.
pub(crate) fn scoped_token(
    state: &AppState,
    organization_id: Uuid,
    workspace_name: &str,
    region_id: Uuid,
) -> String {
    let (workspace, _) = state.store.workspace_for(workspace_name, region_id);
    Stats::bump(&state.stats.scoped_tokens);
    sign_scoped(
        state,
        Scope {
            organization_id,
            workspace_id: workspace.id,
            workspace_name,
            allowed_origin: None,
            selection: TagSelection {
                source_tags_mode: TagSelectionMode::Any,
                connection_tags_mode: TagSelectionMode::Any,
                ..TagSelection::default()
            },
        },
    )
}
