//! `--record CASSETTE`: each proxied interaction, scrubbed, appended to the cassette. The file is
//! rewritten whole through a temporary file renamed over it, so it is always one complete JSON
//! document, whatever moment the process dies at.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::scrub::{self, Scrubber, Tokens};
use super::{CassetteFile, FORMAT, Interaction, RecordedBody, RecordedRequest, RecordedResponse};
use crate::AppState;

#[derive(Debug)]
pub(crate) struct Recorder {
    path: PathBuf,
    inner: Mutex<Recording>,
}

struct Recording {
    file: CassetteFile,
    tokens: Tokens,
    /// Client credentials the upstream accepted on a token request (in memory only).
    learned: Vec<(String, &'static str)>,
}

/// Never the learned credentials, whatever prints the state.
impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Recording({} interactions)",
            self.file.interactions.len()
        )
    }
}

/// One request and its answer, as they went through the proxy.
pub(crate) struct Exchange<'a> {
    pub parts: &'a Parts,
    pub request_body: &'a Bytes,
    pub status: u16,
    pub response_headers: &'a HeaderMap,
    pub response_body: &'a Bytes,
}

impl Recorder {
    /// Starts an empty cassette at `path` (replacing any file there): a path that cannot be written
    /// is a start-up error, not a surprise at the first request.
    pub(crate) fn create(path: &Path, upstream: &str) -> Result<Self, String> {
        let file = CassetteFile {
            format: FORMAT.to_owned(),
            upstream: upstream.trim_end_matches('/').to_owned(),
            tokens: Default::default(),
            interactions: Vec::new(),
        };
        write(path, &file)?;
        Ok(Self {
            path: path.to_owned(),
            inner: Mutex::new(Recording {
                file,
                tokens: Tokens::default(),
                learned: Vec::new(),
            }),
        })
    }

    pub(crate) fn record(&self, state: &AppState, exchange: Exchange<'_>) {
        let mut recording = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Recording {
            file,
            tokens,
            learned,
        } = &mut *recording;
        learn_credentials(&exchange, learned);
        let mut literals = super::configured_literals(state);
        literals.extend(learned.iter().cloned());
        let mut scrubber = Scrubber {
            redactor: &state.control.redactor,
            literals: &literals,
            tokens,
        };
        let parts = exchange.parts;
        let request = RecordedRequest {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(|q| scrubber.query(q)),
            authorization: parts
                .headers
                .get(header::AUTHORIZATION)
                .map(|v| scrubber.authorization(&String::from_utf8_lossy(v.as_bytes()))),
            body: scrubbed_body(&mut scrubber, exchange.request_body),
        };
        let mut headers = std::collections::BTreeMap::<String, String>::new();
        for (name, value) in exchange.response_headers {
            if !super::kept_header(name.as_str()) {
                continue;
            }
            let text = scrubber.text(&String::from_utf8_lossy(value.as_bytes()));
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(&text);
                })
                .or_insert(text);
        }
        let response = RecordedResponse {
            status: exchange.status,
            headers,
            body: scrubbed_body(&mut scrubber, exchange.response_body),
        };
        file.interactions.push(Interaction { request, response });
        file.tokens = tokens.entries.clone();
        if let Err(error) = write(&self.path, file) {
            tracing::error!("--record: {error}");
        }
    }
}

/// A body scrubbed: JSON as JSON, text as text, nothing as nothing.
pub(crate) fn scrubbed_body(scrubber: &mut Scrubber<'_>, bytes: &[u8]) -> RecordedBody {
    if bytes.is_empty() {
        return RecordedBody::default();
    }
    if let Ok(mut json) = serde_json::from_slice::<Value>(bytes) {
        scrubber.json(&mut json);
        return RecordedBody {
            body: Some(json),
            text: None,
        };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => scrubber.text(text),
        Err(_) => format!("[{} bytes of binary content]", bytes.len()),
    };
    RecordedBody {
        body: None,
        text: Some(text),
    }
}

/// A token request the upstream accepted names the real client credentials: scrub them as such
/// from then on, even when the mock was not told them (`--client-id`, `--client-secret`).
fn learn_credentials(exchange: &Exchange<'_>, learned: &mut Vec<(String, &'static str)>) {
    if !(200..300).contains(&exchange.status)
        || !exchange.parts.uri.path().ends_with("/applications/token")
    {
        return;
    }
    let Ok(body) = serde_json::from_slice::<Value>(exchange.request_body) else {
        return;
    };
    let pairs = [
        ("client_id", scrub::CLIENT_ID),
        ("clientId", scrub::CLIENT_ID),
        ("client_secret", scrub::CLIENT_SECRET),
        ("clientSecret", scrub::CLIENT_SECRET),
    ];
    for (key, placeholder) in pairs {
        if let Some(value) = body.get(key).and_then(Value::as_str)
            && !value.is_empty()
            && !learned.iter().any(|(known, _)| known == value)
        {
            learned.push((value.to_owned(), placeholder));
        }
    }
}

/// The whole cassette, pretty-printed, through `<path>.tmp` renamed over `path`.
fn write(path: &Path, file: &CassetteFile) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(file)
        .map_err(|e| format!("cannot serialise the cassette: {e}"))?;
    text.push('\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write the cassette {}: {e}", path.display()))
}
