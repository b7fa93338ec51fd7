//! The demo single-page app: the Rust/Yew counterpart of the React sample in Airbyte's guide.
//!
//! | module | what it is for |
//! |---|---|
//! | [`app`] | the page: configuration, then the workbench that wires everything |
//! | [`components`] | presentational pieces (header, connect panel, sources, preview, event log, mock control) |
//! | [`hooks`] | data the components read: the user list, the connected sources, the mock's control plane |
//! | [`services`] | every HTTP call to the demo server (`/api/...`) |
//! | [`event_log`] | the event log's entries and reducer |
//! | [`journal`] | the mock's request journal as the "Mock control" panel shows it |
//! | [`format`] | timestamps and icons for display |
//!
//! JS interop happens only in `yew-airbyte-widget`; the page never sees the Airbyte client secret.

pub mod app;
pub mod components;
pub mod event_log;
pub mod format;
pub mod hooks;
pub mod journal;
pub mod services;

pub use app::App;
