//! The Airbyte Embedded wire model: every request and response body the mock, the API client, the demo
//! server and the Yew bindings exchange, plus the widget-token codec and the `allowed_origin` rules.
//!
//! Field names follow Airbyte's published Agent API document (0.9.0) and the 2025 Sonar `/api/v1/embedded/*`
//! endpoints; where the two eras disagree the types accept both spellings. No HTTP dependencies, so this
//! crate builds for `wasm32-unknown-unknown` too.

pub mod error;
pub mod event;
pub mod origin;
pub mod source;
pub mod template;
pub mod token;
pub mod widget_token;
pub mod workspace;

pub use error::{ApiError, ApiErrorResponse};
pub use event::WidgetEvent;
pub use origin::{OriginProblem, origin_differences, validate_allowed_origin};
pub use source::*;
pub use template::*;
pub use token::*;
pub use widget_token::{DecodeError, WidgetToken};
pub use workspace::*;

/// The value Airbyte puts in place of every `airbyte_secret` field in a response.
pub const SECRET_MASK: &str = "**********";

/// Airbyte's US region, the default for new workspaces.
pub const REGION_US: &str = "645a183f-b12b-4c6e-8ad3-99e165603450";
/// Airbyte's EU region.
pub const REGION_EU: &str = "b9e48d61-f082-4a14-a8d0-799a907938cb";

/// `{data: [...]}`, the envelope of every list response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
}

impl<T> ListResponse<T> {
    pub fn new(data: Vec<T>) -> Self {
        Self { data }
    }
}
