//! The shared plumbing: what the request log records (and never records), the JSON log format, the
//! bind error and serving until shutdown.

#![allow(clippy::unwrap_used)]

mod listener;
mod request_log;
