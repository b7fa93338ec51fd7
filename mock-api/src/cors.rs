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
use crate::error::AppError;

const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "authorization, content-type, x-organization-id";

pub async fn end_user_cors(
    State(state): State<AppState>,
    request: Request,
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
    let token_origin = origin.as_ref().and_then(|_| {
        request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|auth| crate::auth::scoped_origin(&state, auth))
    });
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
    if !state.store.read(|d| d.allowed_origins.contains(origin)) {
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
