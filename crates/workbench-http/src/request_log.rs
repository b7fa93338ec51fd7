//! The request log: one `tower-http` `TraceLayer` whose span holds the server's name, the method and
//! the path, and one line per response with the status and latency. Headers, bodies and query strings
//! are never recorded: they carry tokens and secrets.

use std::time::Duration;

use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// The layer [`request_log`] builds.
pub type RequestLog =
    TraceLayer<SharedClassifier<ServerErrorsAsFailures>, PathSpan, (), LogResponse, (), (), ()>;

/// The request log for the server called `server` (the name appears in every line, which tells the
/// two servers apart when one process runs both).
pub fn request_log(server: &'static str) -> RequestLog {
    TraceLayer::new_for_http()
        .make_span_with(PathSpan { server })
        .on_request(())
        .on_response(LogResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// A `request` span with the server, the method and the path without its query string.
#[derive(Debug, Clone, Copy)]
pub struct PathSpan {
    server: &'static str,
}

impl<B> MakeSpan<B> for PathSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::info_span!(
            "request",
            server = %self.server,
            method = %request.method(),
            path = %request.uri().path(),
        )
    }
}

/// One line per response: the status and the latency in microseconds; server errors at `ERROR`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        let status = response.status().as_u16();
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        if status >= 500 {
            tracing::error!(status, micros, "response");
        } else {
            tracing::info!(status, micros, "response");
        }
    }
}
