//! The request log through the real subscriber set-up, captured in a buffer.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use tower::ServiceExt;
use tracing_subscriber::EnvFilter;
use workbench_http::{LogFormat, request_log, subscriber};

const QUERY_SECRET: &str = "s3cr3t-in-query";
const HEADER_TOKEN: &str = "tok-in-header-81d2";
const BODY_SECRET: &str = "secret-in-body-5c0e";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn app() -> Router {
    Router::new()
        .route(
            "/x",
            post(|body: String| async move { body.len().to_string() }),
        )
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .layer(request_log("test-server"))
}

/// Sends `requests` through the app with a `format` subscriber installed; returns the log.
fn log_of(format: LogFormat, requests: Vec<Request<Body>>) -> String {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = subscriber(
        format,
        EnvFilter::new("info"),
        move || writer.clone(),
        false,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            for request in requests {
                let response = app().oneshot(request).await.unwrap();
                assert_ne!(response.status(), StatusCode::NOT_FOUND);
            }
        })
    });
    String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
}

fn secret_request() -> Request<Body> {
    Request::post(format!("/x?client_secret={QUERY_SECRET}&userId=u1"))
        .header("authorization", format!("Bearer {HEADER_TOKEN}"))
        .header("cookie", format!("session={HEADER_TOKEN}"))
        .body(Body::from(format!(
            "{{\"client_secret\":\"{BODY_SECRET}\"}}"
        )))
        .unwrap()
}

fn assert_no_secrets(log: &str) {
    for secret in [
        QUERY_SECRET,
        HEADER_TOKEN,
        BODY_SECRET,
        "client_secret",
        "userId",
    ] {
        assert!(
            !log.contains(secret),
            "{secret:?} leaked into the log:\n{log}"
        );
    }
}

#[test]
fn a_text_line_has_server_method_path_and_status_and_no_query_header_or_body() {
    let log = log_of(LogFormat::Text, vec![secret_request()]);
    let line = log
        .lines()
        .find(|l| l.contains("status=200"))
        .unwrap_or_else(|| panic!("no response line in:\n{log}"));
    assert!(line.contains("server=test-server"), "{line}");
    assert!(line.contains("method=POST"), "{line}");
    assert!(line.contains("path=/x"), "{line}");
    assert!(!line.contains("path=/x?"), "{line}");
    assert_no_secrets(&log);
}

#[test]
fn json_lines_are_json_objects_with_the_path_in_the_span_and_server_errors_at_error() {
    let boom = Request::get("/boom?token=s3cr3t-in-query")
        .body(Body::empty())
        .unwrap();
    let log = log_of(LogFormat::Json, vec![secret_request(), boom]);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().all(serde_json::Value::is_object), "{log}");
    let ok = lines
        .iter()
        .find(|l| l["status"] == 200)
        .unwrap_or_else(|| panic!("no 200 line in:\n{log}"));
    assert_eq!(ok["span"]["path"], "/x", "{ok}");
    assert_eq!(ok["span"]["method"], "POST", "{ok}");
    assert_eq!(ok["span"]["server"], "test-server", "{ok}");
    assert_eq!(ok["level"], "INFO", "{ok}");
    let failed = lines
        .iter()
        .find(|l| l["status"] == 500)
        .unwrap_or_else(|| panic!("no 500 line in:\n{log}"));
    assert_eq!(failed["span"]["path"], "/boom", "{failed}");
    assert_eq!(failed["level"], "ERROR", "{failed}");
    assert_eq!(
        lines.iter().filter(|l| l.get("status").is_some()).count(),
        2,
        "one line per request:\n{log}"
    );
    assert_no_secrets(&log);
}
