//! demo-server against the mock started in-process, over real HTTP on port 0.
//!
//! - `token`: the widget-token path end to end, and the application-token cache (counted by the mock)
//! - `errors`: each error mapping (400 for bad input, 502 with the upstream status)
//! - `sources`: the connected-sources list and the SPA config
//! - `secrets`: the client secret never appears in a response body or a log line
//! - `preview`: a user's source previewed through execute, and only the user's own
//! - `mock_control`: the "Mock control" panel's proxy to the mock's `/_mock` (and its absence otherwise)

#![allow(clippy::unwrap_used)]

mod helpers;

mod errors;
mod mock_control;
mod preview;
mod secrets;
mod sources;
mod sync_status;
mod token;
