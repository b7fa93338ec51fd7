//! The page's pieces. Each takes plain props and callbacks; state and requests live in
//! [`crate::app`], [`crate::hooks`] and [`crate::services`].

mod connect_panel;
mod event_log_panel;
mod header;
mod mock_control_panel;
mod notices;
mod preview_panel;
mod source_data;
mod sources_list;

pub use connect_panel::ConnectPanel;
pub use event_log_panel::EventLogPanel;
pub use header::Header;
pub use mock_control_panel::MockControlPanel;
pub use notices::Notices;
pub use preview_panel::PreviewPanel;
pub use source_data::SourceData;
pub use sources_list::SourcesList;
