//! Everything that talks to the network. Components call these functions and never build requests
//! themselves, so the API surface of the page is readable in one place.

pub mod api;
pub mod mock;

pub use api::{
    ApiError, AppConfig, SourcePreview, SyncStatus, create_widget_token, get_config, list_sources,
    list_users, preview_source, sync_status,
};
