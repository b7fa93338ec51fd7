//! Record and replay against the live API (`--proxy URL`, `--record CASSETTE`, `--replay CASSETTE`).
//!
//! [`layer`] sits inside the admin guard, so the control layer (journal, faults, the token check)
//! still sees every proxied or replayed request. It takes the Airbyte API paths only (`/api/v1/*`
//! and the SDK's `/v1/*`); the widget, the console and `/_mock/*` stay the mock's.
//!
//! - `proxy.rs` forwards a request to the upstream and returns its answer untouched (widget tokens
//!   included: their `widgetUrl` points at the upstream's widget page);
//! - `record.rs` appends each interaction, scrubbed (`scrub.rs`), to the cassette file;
//! - `replay.rs` answers from a cassette, matching requests the way the contract suite compares
//!   answers (`crate::normalise`), minting fresh tokens for the recorded ones.
//!
//! The cassette is one JSON document ([`CassetteFile`]), pretty-printed so that it reads and diffs
//! well, and rewritten whole (a temporary file renamed over it) after each interaction, so a crash
//! mid-run leaves the last complete version.

mod proxy;
mod record;
mod replay;
pub(crate) mod scrub;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::scrub::TokenEntry;
use crate::AppState;
use crate::config::Config;
use crate::error::AppError;
use crate::extract::BODY_LIMIT;

/// The `format` of the cassettes this version writes and reads.
pub(crate) const FORMAT: &str = "airbyte-mock-cassette/1";

/// A cassette: where it was recorded, the scrubbed tokens' table, the interactions in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CassetteFile {
    pub format: String,
    /// The `--proxy` URL it was recorded from; replay rewrites it to the replaying mock's own URL.
    pub upstream: String,
    /// `{{jwt-N}}` and `{{widget-token-N}}` placeholders and what they stood for (claims, no
    /// signature).
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenEntry>,
    #[serde(default)]
    pub interactions: Vec<Interaction>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Interaction {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

/// A request, scrubbed; the body as sent (replay normalises it to match).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordedRequest {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The `Authorization` header with its credential replaced by a placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    #[serde(flatten)]
    pub body: RecordedBody,
}

/// An answer, scrubbed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordedResponse {
    pub status: u16,
    /// The headers [`kept_header`] keeps, when the upstream sent them (repeated ones joined by
    /// `, `).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(flatten)]
    pub body: RecordedBody,
}

/// A body: JSON as JSON (`body`), anything else as text (`text`), or nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordedBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Whether a cassette keeps a response header: what a client reads (the type, a redirect, a
/// retry delay, warnings) and CORS (so a browser app works against a replayed end-user API).
pub(crate) fn kept_header(name: &str) -> bool {
    matches!(
        name,
        "content-type" | "location" | "retry-after" | "warning" | "vary"
    ) || name.starts_with("access-control-")
}

/// What the layer does: nothing, forward (and maybe record), or replay.
#[derive(Debug)]
pub(crate) enum Cassette {
    Off,
    Proxy(proxy::Proxy),
    Replay(replay::Replayer),
}

impl Cassette {
    /// The mode the flags ask for, or a start-up error naming the bad combination or file.
    pub(crate) fn from_config(config: &Config) -> Result<Self, String> {
        if config.record.is_some() && config.proxy.is_none() {
            return Err("--record needs --proxy URL: it records what the upstream answers".into());
        }
        if config.replay_strict && config.replay.is_none() {
            return Err("--replay-strict needs --replay CASSETTE".into());
        }
        match (&config.proxy, &config.replay) {
            (Some(_), Some(_)) => Err(
                "--proxy and --replay exclude each other: record with --proxy URL --record CASSETTE, \
                 then replay with --replay CASSETTE"
                    .into(),
            ),
            (Some(url), None) => {
                let recorder = match &config.record {
                    Some(path) => Some(record::Recorder::create(path, url)?),
                    None => None,
                };
                Ok(Self::Proxy(proxy::Proxy::new(url, recorder)?))
            }
            (None, Some(path)) => Ok(Self::Replay(replay::Replayer::load(
                path,
                config.replay_strict,
            )?)),
            (None, None) => Ok(Self::Off),
        }
    }
}

/// Whether a path is Airbyte's API (what the proxy forwards and a cassette holds).
pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/v1/") || path.starts_with("/v1/")
}

/// The middleware: proxy or replay the Airbyte API paths, everything else to the mock.
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(state.cassette, Cassette::Off) || !is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let message = format!("The request body is over the {BODY_LIMIT}-byte limit");
        return AppError::new(StatusCode::PAYLOAD_TOO_LARGE, message.clone())
            .with(None, message, "payload_too_large")
            .into_response();
    };
    match &state.cassette {
        Cassette::Off => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Cassette::Proxy(proxy) => proxy.forward(&state, &parts, bytes).await,
        Cassette::Replay(replayer) => match replayer.answer(&state, &parts, &bytes) {
            Some(response) => response,
            None => {
                next.run(Request::from_parts(parts, Body::from(bytes)))
                    .await
            }
        },
    }
}

/// The credentials every scrub knows: the configured client id and secret.
pub(crate) fn configured_literals(state: &AppState) -> Vec<(String, &'static str)> {
    let mut literals = Vec::new();
    if !state.client_id.is_empty() {
        literals.push((state.client_id.clone(), scrub::CLIENT_ID));
    }
    if !state.client_secret.is_empty() {
        literals.push((state.client_secret.clone(), scrub::CLIENT_SECRET));
    }
    literals
}
