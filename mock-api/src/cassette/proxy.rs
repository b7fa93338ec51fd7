//! `--proxy URL`: forwards an Airbyte API request to the upstream and returns its answer as it came
//! (status, headers but the hop-by-hop ones, body), recording it when `--record` is on. An upstream
//! that cannot be reached is a 502 in Airbyte's error shape naming it.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::record::{Exchange, Recorder};
use crate::AppState;
use crate::error::AppError;

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus the ones the
/// client library sets itself.
const HOP_BY_HOP: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

#[derive(Debug)]
pub(crate) struct Proxy {
    /// The upstream's origin, without a trailing slash.
    upstream: String,
    client: reqwest::Client,
    recorder: Option<Recorder>,
}

impl Proxy {
    pub(crate) fn new(url: &str, recorder: Option<Recorder>) -> Result<Self, String> {
        let upstream = upstream_origin(url)?;
        let client = reqwest::Client::builder()
            // The upstream's redirects are the client's to follow, as they would be without us.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| format!("--proxy: cannot build the HTTP client: {e}"))?;
        Ok(Self {
            upstream,
            client,
            recorder,
        })
    }

    pub(crate) async fn forward(&self, state: &AppState, parts: &Parts, body: Bytes) -> Response {
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
        let url = format!("{}{path_and_query}", self.upstream);
        let sent = self
            .client
            .request(parts.method.clone(), &url)
            .headers(forwarded_request_headers(&parts.headers))
            .body(body.clone())
            .send()
            .await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(error) => return unreachable_upstream(&self.upstream, &error),
        };
        let status = answer.status();
        let headers = answer_headers(answer.headers());
        let bytes = match answer.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => return unreachable_upstream(&self.upstream, &error),
        };
        if let Some(recorder) = &self.recorder {
            recorder.record(
                state,
                Exchange {
                    parts,
                    request_body: &body,
                    status: status.as_u16(),
                    response_headers: &headers,
                    response_body: &bytes,
                },
            );
        }
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }
}

/// The origin requests go to: `scheme://host[:port]` of an http(s) URL with no path to speak of.
fn upstream_origin(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url)
        .map_err(|e| format!("--proxy {url}: not a URL ({e}); use e.g. https://api.airbyte.ai"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "--proxy {url}: an http or https URL is needed, e.g. https://api.airbyte.ai"
        ));
    }
    if !matches!(parsed.path(), "" | "/") || parsed.query().is_some() {
        return Err(format!(
            "--proxy {url}: give the API's origin only (e.g. https://api.airbyte.ai): the \
             request's own path (/api/v1/…) is appended to it"
        ));
    }
    Ok(parsed.origin().ascii_serialization())
}

/// What goes upstream: the client's headers but the connection's own, the mock's control headers
/// and `Accept-Encoding` (so the upstream answers uncompressed and the cassette stays readable).
fn forwarded_request_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        let lower = name.as_str();
        if HOP_BY_HOP.contains(&lower)
            || *name == header::HOST
            || *name == header::ACCEPT_ENCODING
            || lower.starts_with("x-mock-")
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The upstream's headers but the hop-by-hop ones.
fn answer_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        out.append(HeaderName::clone(name), value.clone());
    }
    out
}

fn unreachable_upstream(upstream: &str, error: &reqwest::Error) -> Response {
    let what = if error.is_timeout() {
        "did not answer in time"
    } else if error.is_connect() {
        "could not be reached"
    } else {
        "failed"
    };
    // reqwest's error names the URL and the cause; the cause chain says why the connect failed.
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    let message = format!(
        "Bad gateway: the upstream {upstream} (--proxy) {what}{}",
        if cause.is_empty() {
            String::new()
        } else {
            format!(": {cause}")
        }
    );
    tracing::warn!("{message}");
    AppError::new(StatusCode::BAD_GATEWAY, message.clone())
        .with(None, message, "bad_gateway")
        .into_response()
}
