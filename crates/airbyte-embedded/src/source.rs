//! Sources (connectors) as the end-user and operator endpoints read and write them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{DetailedSourceTemplate, SourceTemplateListItem, TagSelectionMode};

/// `SourceRead`: what create, get and update return and what `source_created` carries.
/// Every `airbyte_secret` value in `replication_config` is `**********`. `source_config` repeats
/// `replication_config` under the name the 2025 Sonar iframe read.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRead {
    pub id: Uuid,
    pub name: String,
    pub source_template: DetailedSourceTemplate,
    pub replication_config: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<Map<String, Value>>,
    #[serde(default)]
    pub entities: Option<Vec<Value>>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `ConnectorSourceListItem`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceListItem {
    pub id: Uuid,
    pub name: String,
    pub summarized_source_template: SourceTemplateListItem,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `POST /api/v1/embedded/sources`. The 2025 Sonar iframe sends each of the two fields twice, under its
/// current and its legacy name, so both are accepted and must agree.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceCreateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_template_id: Option<Uuid>,
    /// Legacy name of `source_template_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config_template_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<Map<String, Value>>,
    /// Legacy name of `source_config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_configuration: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags_mode: Option<TagSelectionMode>,
}

impl SourceCreateRequest {
    pub fn new(source_template_id: Uuid, source_config: Map<String, Value>) -> Self {
        Self {
            source_template_id: Some(source_template_id),
            source_config: Some(source_config),
            ..Self::default()
        }
    }
}

/// `PUT /api/v1/embedded/sources/{id}`. A secret sent back as `**********` keeps the stored value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceUpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<Map<String, Value>>,
    /// Legacy name of `source_config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_configuration: Option<Map<String, Value>>,
    /// The Agent API's name for the same object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /api/v1/embedded/sources/check`: a template and a config for a new source, or a source id and
/// the config it would be updated to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceCheckRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_template_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<Map<String, Value>>,
}

/// `CheckStatus`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pending,
    Running,
    Cancelled,
    Failed,
    Succeeded,
    Inconclusive,
    Skipped,
}

/// `ConnectorSourceCheckConfigResponse`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCheckResponse {
    pub id: Uuid,
    pub status: Option<CheckStatus>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<Value>,
}

/// `ConnectorSourceDeleteAcceptedResponse` (202).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteAccepted {
    pub job_id: Uuid,
}

/// `ConnectorSourceCreateRequest` (and `ConnectorSourceCheckConfigRequest`, the same body): the
/// operator creates a source for an end user without the widget. The template is `source_template_id`,
/// or the only one for `definition_id` / `connector_type`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectorSourceCreateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Deprecated alias of `workspace_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_template_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_oauth_secret_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_connection_template_tags_mode: Option<TagSelectionMode>,
}

/// `ConnectorSourceUpdateRequest` (and `ConnectorSourceCheckConfigUpdateRequest`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectorSourceUpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Value>>,
}

/// `ConnectorExecuteRequest`: an agent's `list`, `get` or `search` on one entity of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorExecuteRequest {
    pub entity: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_fields: Option<Vec<String>>,
}
