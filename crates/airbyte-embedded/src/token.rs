//! Token endpoints: application token, widget token, scoped token and its info.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /api/v1/account/applications/token` (and the legacy `/v1/applications/token`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub client_id: String,
    pub client_secret: String,
}

/// The application (operator) token: an HS256 JWT valid for 15 minutes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    #[serde(default)]
    pub organization_id: Option<Uuid>,
}

/// `any`: a template matches with one of the tags; `all`: with every tag.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagSelectionMode {
    #[default]
    Any,
    All,
}

impl TagSelectionMode {
    /// Whether a template carrying `template_tags` passes a selection of `selected` tags.
    /// An empty selection selects everything.
    pub fn matches(self, selected: &[String], template_tags: &[String]) -> bool {
        if selected.is_empty() {
            return true;
        }
        match self {
            Self::Any => selected.iter().any(|t| template_tags.contains(t)),
            Self::All => selected.iter().all(|t| template_tags.contains(t)),
        }
    }
}

/// The end-user workspace name, which Airbyte has spelled three ways: `workspace_name` and the
/// deprecated `customer_name` / `external_user_id`. Exactly one is needed.
pub trait WorkspaceNamed {
    /// `(field, value)` for each spelling that is present, `workspace_name` first.
    fn workspace_name_fields(&self) -> Vec<(&'static str, &str)>;
}

macro_rules! workspace_named {
    ($ty:ty) => {
        impl WorkspaceNamed for $ty {
            fn workspace_name_fields(&self) -> Vec<(&'static str, &str)> {
                [
                    ("workspace_name", self.workspace_name.as_deref()),
                    ("customer_name", self.customer_name.as_deref()),
                    ("external_user_id", self.external_user_id.as_deref()),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect()
            }
        }
    };
}

/// `POST /api/v1/account/applications/widget-token` and `POST /api/v1/embedded/widget-token`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WidgetTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    pub allowed_origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_source_template_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_source_template_tags_mode: Option<TagSelectionMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags_mode: Option<TagSelectionMode>,
}

impl WidgetTokenRequest {
    pub fn new(workspace_name: impl Into<String>, allowed_origin: impl Into<String>) -> Self {
        Self {
            workspace_name: Some(workspace_name.into()),
            allowed_origin: allowed_origin.into(),
            ..Self::default()
        }
    }
}

/// The OLD platform body of `POST /v1/embedded/widget_token`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyWidgetTokenRequest {
    pub organization_id: Uuid,
    pub external_user_id: String,
    pub allowed_origin: String,
}

/// `POST …/scoped-token`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScopedTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<Uuid>,
}

workspace_named!(WidgetTokenRequest);
workspace_named!(ScopedTokenRequest);
workspace_named!(crate::ConnectorSourceCreateRequest);

impl ScopedTokenRequest {
    pub fn new(workspace_name: impl Into<String>) -> Self {
        Self {
            workspace_name: Some(workspace_name.into()),
            ..Self::default()
        }
    }
}

/// `{token}`: `WidgetTokenCreateResponse` (a widget token) and `ScopedTokenCreateResponse` (a JWT).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBody {
    pub token: String,
}

/// `GET …/scoped-token/info`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedTokenInfo {
    pub organization_id: Uuid,
    pub workspace_id: Uuid,
    pub workspace_name: String,
}
