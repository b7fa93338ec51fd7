//! Workspaces: one per end user (`workspace_name`) inside the operator's organization.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `WorkspaceListItem` / `WorkspaceGetResponse`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(required = true))] // always sent, `null` when unset
    pub cache_enabled: Option<bool>,
    pub tombstone: bool,
    pub visibility: String,
    #[cfg_attr(feature = "openapi", schema(required = true))] // always sent, `null` when unset
    pub color: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `WorkspaceListResponse`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceListResponse {
    pub next: Option<String>,
    pub data: Vec<Workspace>,
}
