//! The app's own hooks: data that components read and refresh, fetched through [`crate::services`].

mod use_mock_control;
mod use_sources;
mod use_sync_status;
mod use_users;

pub use use_mock_control::{
    FaultTarget, MockNotice, StreamState, UseMockControlHandle, use_mock_control,
};
pub use use_sources::{SourcesState, UseSourcesHandle, use_sources};
pub use use_sync_status::use_sync_status;
pub use use_users::{DEFAULT_USER, use_users};
