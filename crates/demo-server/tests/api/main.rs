//! demo-server against the mock started in-process, over real HTTP on port 0.
//!
//! - `token`: the widget-token path end to end, and the application-token cache (counted by the mock)
//! - `errors`: each error mapping (400 for bad input, 502 with the upstream status)
//! - `sources`: the connected-sources list and the SPA config
//! - `secrets`: the client secret never appears in a response body or a log line

#![allow(clippy::unwrap_used)]

mod helpers;

mod errors;
mod secrets;
mod sources;
mod token;
