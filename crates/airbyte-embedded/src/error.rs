//! Airbyte's published error body, `ApiErrorResponse`.

use serde::{Deserialize, Serialize};

/// `{message, errors: [{field, message, error_code, details}]}` as every Agent API operation declares it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiErrorResponse {
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

/// One problem inside an [`ApiErrorResponse`], usually about one request field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiError {
    pub field: Option<String>,
    pub message: Option<String>,
    pub error_code: Option<String>,
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ApiError {
    pub fn new(field: Option<&str>, message: impl Into<String>, error_code: &str) -> Self {
        Self {
            field: field.map(str::to_owned),
            message: Some(message.into()),
            error_code: Some(error_code.to_owned()),
            details: None,
        }
    }
}

impl std::fmt::Display for ApiErrorResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or("error"))?;
        for e in &self.errors {
            match (&e.field, &e.message) {
                (Some(field), Some(msg)) => write!(f, "; {field}: {msg}")?,
                (None, Some(msg)) => write!(f, "; {msg}")?,
                _ => {}
            }
        }
        Ok(())
    }
}
