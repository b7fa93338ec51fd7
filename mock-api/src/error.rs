//! The one error type of the mock. Every failure leaves as Airbyte's `ApiErrorResponse`
//! (`{message, errors: [{field, message, error_code, details}]}`) with the matching status.

use airbyte_embedded::{ApiError, ApiErrorResponse};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An HTTP error in Airbyte's shape.
#[derive(Debug, Clone)]
pub(crate) struct AppError {
    pub status: StatusCode,
    pub body: ApiErrorResponse,
}

pub(crate) type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiErrorResponse {
                message: Some(message.into()),
                errors: Vec::new(),
            },
        }
    }

    /// Adds one error entry; `field` names the request field it is about.
    pub(crate) fn with(
        mut self,
        field: Option<&str>,
        message: impl Into<String>,
        error_code: &str,
    ) -> Self {
        self.body
            .errors
            .push(ApiError::new(field, message, error_code));
        self
    }

    /// 401: no usable credential (missing, malformed, forged, expired token, wrong client secret).
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::UNAUTHORIZED, message.clone()).with(None, message, "unauthorized")
    }

    /// 403: a valid credential that may not do this (wrong tier, another workspace or organization).
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::FORBIDDEN, message.clone()).with(None, message, "forbidden")
    }

    pub(crate) fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        let message = format!("{what} '{id}' was not found");
        Self::new(StatusCode::NOT_FOUND, message.clone()).with(None, message, "not_found")
    }

    /// 422 about one field.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::invalid_many(vec![ApiError::new(Some(field), message, "invalid")])
    }

    /// 422 for a required field that is absent.
    pub(crate) fn missing(field: &str) -> Self {
        Self::invalid_many(vec![ApiError::new(
            Some(field),
            "field required",
            "missing",
        )])
    }

    /// 422 listing every bad field.
    pub(crate) fn invalid_many(errors: Vec<ApiError>) -> Self {
        let summary = errors
            .iter()
            .map(|e| match (&e.field, &e.message) {
                (Some(f), Some(m)) if m.starts_with(f.as_str()) => m.clone(),
                (Some(f), Some(m)) => format!("{f}: {m}"),
                (None, Some(m)) => m.clone(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ApiErrorResponse {
                message: Some(format!("Invalid request: {summary}")),
                errors,
            },
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>, error_code: &str) -> Self {
        let message = message.into();
        Self::new(StatusCode::BAD_REQUEST, message.clone()).with(None, message, error_code)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::CONFLICT, message.clone()).with(None, message, "conflict")
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body)
            .unwrap_or_else(|_| b"{\"message\":null,\"errors\":[]}".to_vec());
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.body)
    }
}

impl std::error::Error for AppError {}

/// Unknown route.
pub(crate) async fn not_found_fallback(uri: axum::http::Uri) -> AppError {
    let message = format!("No route for '{}'", uri.path());
    AppError::new(StatusCode::NOT_FOUND, message.clone()).with(None, message, "not_found")
}

/// Known route, wrong method.
pub(crate) async fn method_not_allowed_fallback(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> AppError {
    let message = format!("Method {method} is not allowed on '{}'", uri.path());
    AppError::new(StatusCode::METHOD_NOT_ALLOWED, message.clone()).with(
        None,
        message,
        "method_not_allowed",
    )
}
