//! CORS for the end-user endpoints, so a custom UI can call them from the browser with a scoped token.
//!
//! A preflight carries no token, so it is answered for any well-formed origin some widget token was
//! minted for. An actual response carries `Access-Control-Allow-Origin` only when the request's
//! `Origin` is exactly the origin bound into its scoped token; never `*`. Operator endpoints are not
//! behind this layer and send no CORS headers at all.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{Authenticated, Claims};
use crate::error::AppError;

const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "authorization, content-type, x-organization-id";

/// Reads the bearer token's check ([`Authenticated`]) that the control layer left in the request's
/// extensions, or makes it when that layer did not run, and leaves it there for the extractors.
pub(crate) async fn end_user_cors(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        return preflight(&state, origin.as_deref());
    }
    // The journal's layer checked the token already; check here only when it did not run.
    let authenticated = match request.extensions().get::<Authenticated>() {
        Some(authenticated) => authenticated.clone(),
        None => Authenticated::check(request.headers(), &state.keys),
    };
    let token_origin = match &authenticated.0 {
        Ok(Claims::Scoped(claims)) => claims.allowed_origin.clone(),
        _ => None,
    };
    request.extensions_mut().insert(authenticated);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let (Some(origin), Some(bound)) = (origin, token_origin)
        && origin == bound
        && let Ok(value) = HeaderValue::from_str(&origin)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
}

fn preflight(state: &AppState, origin: Option<&str>) -> Response {
    let Some(origin) = origin else {
        return AppError::bad_request("CORS preflight without an Origin header", "cors_rejected")
            .into_response();
    };
    if let Err(problem) = airbyte_embedded::validate_allowed_origin(origin) {
        let message = format!(
            "CORS preflight from a malformed origin: {}",
            problem.message.replacen("allowed_origin", "Origin", 1)
        );
        return AppError::new(StatusCode::FORBIDDEN, message.clone())
            .with(None, message, "cors_rejected")
            .into_response();
    }
    if !state.store.knows_origin(origin) {
        let message = format!(
            "CORS preflight from '{origin}' rejected: no widget token was minted with allowed_origin '{origin}'"
        );
        return AppError::new(StatusCode::FORBIDDEN, message.clone())
            .with(None, message, "cors_rejected")
            .into_response();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use crate::auth::{Actor, END_USER_ROLE, SCOPED_TYP, ScopedClaims, WorkspaceScope};
    use crate::{AppState, Config};

    const ORIGIN: &str = "http://localhost:3000";

    /// A scoped token for a new workspace, signed by `state`'s keys.
    fn scoped_token(state: &AppState) -> String {
        let (workspace, _) = state.store.workspace_for("decode-once", uuid::Uuid::nil());
        let now = crate::clock::unix_now();
        state.keys.sign(&ScopedClaims {
            iss: state.public_url.clone(),
            aud: "airbyte-server".into(),
            sub: state.store.organization_id().to_string(),
            typ: SCOPED_TYP.into(),
            act: Actor {
                sub: workspace.name.clone(),
            },
            workspace_scope: WorkspaceScope {
                workspace_id: workspace.id,
            },
            roles: vec![END_USER_ROLE.into()],
            organization_id: state.store.organization_id(),
            iat: now,
            exp: now + 60,
            allowed_origin: Some(ORIGIN.into()),
            selected_source_template_tags: Vec::new(),
            selected_source_template_tags_mode: Default::default(),
            selected_connection_template_tags: Vec::new(),
            selected_connection_template_tags_mode: Default::default(),
        })
    }

    /// A browser request passes the CORS layer and the `EndUser` extractor; the token's signature is
    /// checked once between them.
    #[tokio::test]
    async fn a_browser_request_verifies_its_scoped_token_once() {
        let state = AppState::new(&Config::default(), "http://127.0.0.1:1").expect("state");
        let token = scoped_token(&state);
        let app = crate::app(state.clone());
        let before = state.keys.verifications();
        let response = app
            .oneshot(
                Request::get("/api/v1/embedded/source-templates")
                    .header("origin", ORIGIN)
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            ORIGIN,
            "the CORS layer saw the verified origin"
        );
        assert_eq!(state.keys.verifications() - before, 1);
    }
}
