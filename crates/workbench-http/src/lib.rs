//! The plumbing the workbench's servers (`airbyte-mock`, `demo-server`, and `workbench`, which runs
//! both) share: bind with an error that names the port, one request log, logging set-up with
//! `--log-format text|json`, and serving until a shutdown signal.

mod listener;
mod logging;
mod request_log;

pub use listener::{BindError, Listener, reachable, shutdown_signal};
pub use logging::{LogFormat, init_logging, subscriber};
pub use request_log::{LogResponse, PathSpan, RequestLog, request_log};
