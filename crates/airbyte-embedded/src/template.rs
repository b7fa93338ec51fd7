//! Source templates, connection templates and tags.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// `SourceConfigTemplateMode`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SourceTemplateMode {
    Direct,
    #[default]
    Replication,
    Multi,
}

/// How streams are picked when a source made from the template gets its connections.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamSelectionMode {
    All,
    #[default]
    Suggested,
    Whitelist,
}

/// `SourceTemplateCustomization`: stream selection and per-stream settings an operator fixes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceTemplateCustomization {
    #[serde(default)]
    pub stream_selection_mode: StreamSelectionMode,
    #[serde(default)]
    pub stream_whitelist: Option<Vec<String>>,
    #[serde(default)]
    pub stream_customizations: Option<std::collections::BTreeMap<String, StreamCustomization>>,
    #[serde(default)]
    pub stream_mappers: Option<Map<String, Value>>,
}

/// `StreamCustomization`: one stream's primary key and cursor.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamCustomization {
    #[serde(default)]
    pub primary_key_fields: Option<Vec<Vec<String>>>,
    #[serde(default)]
    pub cursor_field: Option<Vec<String>>,
}

/// A connector's `user_config_spec`: the JSON Schema of its configuration and, for OAuth
/// connectors, the `advanced_auth` block.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorSpecification {
    #[serde(
        rename = "documentationUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub documentation_url: Option<String>,
    #[serde(rename = "connectionSpecification")]
    pub connection_specification: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_auth: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_destination_sync_modes: Option<Vec<String>>,
}

/// `SourceTemplateListItem` / `SummarizedSourceTemplate`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTemplateListItem {
    pub id: Uuid,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))] // always sent, `null` when unset
    pub icon: Option<String>,
    #[serde(default)]
    pub connector_name: Option<String>,
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    pub actor_definition_id: Uuid,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub customization: Option<SourceTemplateCustomization>,
    #[serde(default)]
    pub mode: SourceTemplateMode,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `DetailedSourceTemplate`, and with `connector_name` / `auth_tooltip` the `SourceTemplateGetResponse`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailedSourceTemplate {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub icon: Option<String>,
    pub source_definition_id: Uuid,
    pub user_config_spec: ConnectorSpecification,
    pub partial_default_config: Map<String, Value>,
    #[serde(default)]
    pub customization: Option<SourceTemplateCustomization>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub mode: SourceTemplateMode,
    #[serde(default)]
    pub is_experimental: bool,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_tooltip: Option<Value>,
}

/// `SourceTemplateCreateRequest` (docs also send `tags`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTemplateCreateRequest {
    pub actor_definition_id: Uuid,
    pub partial_default_config: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization: Option<SourceTemplateCustomization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SourceTemplateMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// `SourceTemplateCloneRequest`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTemplateCloneRequest {
    pub original_source_template_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SourceTemplateMode>,
}

/// `SourceTemplateUpdateRequest` (PATCH).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceTemplateUpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_default_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization: Option<SourceTemplateCustomization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SourceTemplateMode>,
}

/// `{id, deleted_at}` for template deletes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedResponse {
    pub id: Uuid,
    pub deleted_at: String,
}

/// `user_hosted` or `airbyte_hosted`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataHostingType {
    #[default]
    UserHosted,
    AirbyteHosted,
}

/// `UserHostedConnectionTemplate` | `AirbyteHostedConnectionTemplate`, told apart by `data_hosting_type`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTemplate {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub destination_name: String,
    #[serde(default)]
    pub icon: Option<String>,
    #[serde(default)]
    pub cron_expression: Option<String>,
    pub data_hosting_type: DataHostingType,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_definition_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_breaking_changes_preference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_on_create: Option<bool>,
}

/// Both connection-template create bodies in one: `data_hosting_type` defaults to `user_hosted`,
/// which then needs the destination fields.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectionTemplateCreateRequest {
    #[serde(default)]
    pub data_hosting_type: DataHostingType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_definition_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_breaking_changes_preference: Option<NonBreakingChangesPreference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_on_create: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// `ConnectionTemplatePatchRequest`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectionTemplatePatchRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_breaking_changes_preference: Option<NonBreakingChangesPreference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_on_create: Option<bool>,
}

/// `NonBreakingChangesPreference`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonBreakingChangesPreference {
    #[default]
    Ignore,
    Disable,
    PropagateColumns,
    PropagateFully,
}

impl NonBreakingChangesPreference {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::Disable => "disable",
            Self::PropagateColumns => "propagate_columns",
            Self::PropagateFully => "propagate_fully",
        }
    }
}

/// A template tag.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub created_at: String,
    pub updated_at: String,
}

/// `{name}` for tag create and rename.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRequest {
    pub name: String,
}

/// `{tag}` to attach a tag to a template.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagAttachRequest {
    pub tag: String,
}
