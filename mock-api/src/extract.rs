//! Extractors whose rejections come back in Airbyte's error shape and name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::AppError;

/// The largest accepted request body.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body. Unknown fields are ignored (as the real API does); a missing or mistyped field is a
/// 422 naming it; a body over [`BODY_LIMIT`] is a 413.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                let message =
                    format!("Request body is larger than the limit of {BODY_LIMIT} bytes");
                AppError::new(StatusCode::PAYLOAD_TOO_LARGE, message.clone()).with(
                    None,
                    message,
                    "payload_too_large",
                )
            } else {
                AppError::bad_request(
                    format!("Could not read the request body: {rejection}"),
                    "bad_body",
                )
            }
        })?;
        if let Some(ct) = content_type
            && !ct.starts_with("application/json")
            && !ct.contains("+json")
        {
            let message = format!("Content-Type must be application/json, not '{ct}'");
            return Err(
                AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message.clone()).with(
                    None,
                    message,
                    "unsupported_media_type",
                ),
            );
        }
        parse_json(&bytes).map(Json)
    }
}

/// Deserialises `bytes`, turning serde's error into a 422 that names the field by its path.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid(
            "body",
            "the request body is empty; send a JSON object",
        ));
    }
    let malformed = |text: String| {
        AppError::invalid_many(vec![airbyte_embedded::ApiError::new(
            Some("body"),
            format!("malformed JSON: {text}"),
            "malformed_json",
        )])
    };
    // JSON is UTF-8: reject other bytes even inside fields that are ignored (which serde only skims).
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(malformed(format!("the body is not valid UTF-8 ({e})")));
    }
    // Every body is one JSON object; serde would otherwise read an array as a struct, field by field.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Err(e) => malformed(e.to_string()),
                Ok(_) => AppError::invalid_many(vec![airbyte_embedded::ApiError::new(
                    Some("body"),
                    format!("must be a JSON object, not {}", json_kind(first)),
                    "invalid_type",
                )]),
            },
        );
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = inner.to_string();
        let message = strip_position(&text);
        if inner.is_syntax() || inner.is_eof() {
            return malformed(text);
        }
        let field = match missing_field(message) {
            Some(name) if path == "." || path.is_empty() => name.to_owned(),
            Some(name) => format!("{path}.{name}"),
            None if path == "." || path.is_empty() => "body".to_owned(),
            None => path,
        };
        let (message, code) = if missing_field(message).is_some() {
            ("field required".to_owned(), "missing")
        } else {
            (without_value(message), "invalid_type")
        };
        AppError::invalid_many(vec![airbyte_embedded::ApiError::new(
            Some(&field),
            message,
            code,
        )])
    })?;
    // Anything after the object (`{...} trailing`) makes the whole body malformed.
    de.end().map_err(|e| malformed(e.to_string()))?;
    Ok(value)
}

/// What a JSON value starting with `first` is, for "must be a JSON object, not …".
fn json_kind(first: Option<u8>) -> &'static str {
    match first {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        _ => "a number",
    }
}

/// serde quotes the offending value (`invalid type: integer `5`, expected a string`); the value may
/// be a secret sent with the wrong type, so the message keeps only its kind.
fn without_value(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((got, expected)) = rest.rsplit_once(", expected ")
        {
            let kind = got.split([' ', '`']).next().unwrap_or(got);
            return format!("expected {expected}, got {kind}");
        }
    }
    message.to_owned()
}

fn strip_position(text: &str) -> &str {
    text.find(" at line ").map_or(text, |i| &text[..i])
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// A UUID path segment; anything else is a 422 naming the parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::invalid("id", e.body_text()))?;
        Uuid::parse_str(&raw)
            .map(IdPath)
            .map_err(|_| AppError::invalid("id", format!("'{raw}' is not a valid UUID")))
    }
}

/// The query string as ordered pairs, so repeated parameters (`tags=a&tags=b`) survive.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub(crate) fn uuid(&self, name: &str) -> Result<Option<Uuid>, AppError> {
        self.get(name)
            .map(|raw| {
                Uuid::parse_str(raw)
                    .map_err(|_| AppError::invalid(name, format!("'{raw}' is not a valid UUID")))
            })
            .transpose()
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, AppError> {
        self.get(name)
            .map(|raw| match raw {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(AppError::invalid(
                    name,
                    format!("'{raw}' is not a boolean (use true or false)"),
                )),
            })
            .transpose()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}
