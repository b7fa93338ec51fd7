//! `--replay CASSETTE`: answers Airbyte API requests from a cassette.
//!
//! A request matches a recorded one when method, path, query, the tier of its bearer token and its
//! body agree once both are scrubbed (`scrub.rs`) and normalised as the contract suite normalises
//! answers (`crate::normalise`: ids, times and generated `contract-…` names do not count). Of the
//! recorded interactions that match, the first not yet served is served, so a sequence (a source
//! fetched, deleted, fetched again) replays in order; once all were served, the last one repeats.
//!
//! A replayed answer must work for a client that uses it: every `{{jwt-N}}` becomes a fresh token
//! signed by this mock with the recorded claims (and its recorded lifetime from now), so a later
//! request carrying it matches by tier and even passes the stateful mock's own check; the recorded
//! upstream's URL becomes this mock's; and a value the client sent differently from the recording
//! (its own workspace name, an id) replaces the recorded one in every later answer.

use std::path::Path;
use std::sync::Mutex;

use airbyte_embedded::WidgetToken;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::scrub::{self, Scrubber, Tier, TokenEntry, Tokens};
use super::{CassetteFile, FORMAT, Interaction, RecordedBody, configured_literals};
use crate::AppState;
use crate::error::AppError;
use crate::normalise::normalise;

/// The header that tells a client which recorded interaction answered (its index, from 0).
const REPLAYED_HEADER: &str = "x-mock-replayed";

#[derive(Debug)]
pub(crate) struct Replayer {
    file: CassetteFile,
    keys: Vec<Key>,
    strict: bool,
    session: Mutex<Session>,
}

#[derive(Debug, Default)]
struct Session {
    used: Vec<bool>,
    /// Recorded value → the value this client sent instead, applied to every later answer.
    bindings: Vec<(String, String)>,
}

/// What a request is matched on.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    auth: Auth,
    body: Value,
}

/// The credential a request carried, by kind: which token is not part of the match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    None,
    Token(Tier),
    Other,
}

impl std::fmt::Display for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "no Authorization header",
            Self::Token(Tier::Application) => "an application token",
            Self::Token(Tier::Scoped) => "a scoped token",
            Self::Other => "a credential that is no JWT",
        })
    }
}

/// A request scrubbed but not normalised (for bindings), and its key.
struct Incoming {
    key: Key,
    path: String,
    query: Vec<(String, String)>,
    body: Value,
}

impl Replayer {
    pub(crate) fn load(path: &Path, strict: bool) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--replay {}: cannot read it: {e}", path.display()))?;
        let file: CassetteFile = serde_json::from_str(&text)
            .map_err(|e| format!("--replay {}: not a cassette: {e}", path.display()))?;
        if file.format != FORMAT {
            return Err(format!(
                "--replay {}: format '{}' is not '{FORMAT}'",
                path.display(),
                file.format
            ));
        }
        let keys = file
            .interactions
            .iter()
            .map(|interaction| recorded_key(&file, interaction))
            .collect();
        let session = Session {
            used: vec![false; file.interactions.len()],
            bindings: Vec::new(),
        };
        tracing::info!(
            "replaying {} interactions recorded from {} ({})",
            file.interactions.len(),
            file.upstream,
            path.display()
        );
        Ok(Self {
            file,
            keys,
            strict,
            session: Mutex::new(session),
        })
    }

    /// The recorded answer to this request, the strict 404, or `None` to let the mock answer.
    pub(crate) fn answer(&self, state: &AppState, parts: &Parts, body: &[u8]) -> Option<Response> {
        let incoming = incoming(state, parts, body);
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let matching: Vec<usize> = (0..self.keys.len())
            .filter(|&i| self.keys[i] == incoming.key)
            .collect();
        let Some(&index) = matching
            .iter()
            .find(|&&i| !session.used[i])
            .or(matching.last())
        else {
            if self.strict {
                return Some(self.not_recorded(&incoming.key));
            }
            tracing::debug!(
                method = %incoming.key.method,
                path = %incoming.path,
                "not in the cassette: the stateful mock answers"
            );
            return None;
        };
        session.used[index] = true;
        let interaction = &self.file.interactions[index];
        bind(interaction, &incoming, &mut session.bindings);
        let realise = Realise {
            file: &self.file,
            state,
            bindings: &session.bindings,
        };
        Some(realise.response(index, interaction))
    }

    /// The strict 404: the nearest recorded interaction and how this request differs from it.
    fn not_recorded(&self, key: &Key) -> Response {
        let request = format!("{} {}", key.method, key.path);
        let nearest = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, recorded)| (distance(recorded, key), i))
            .min();
        let detail = match nearest {
            None => "the cassette holds no interactions".to_owned(),
            Some((_, i)) => {
                let recorded = &self.keys[i];
                format!(
                    "the nearest recorded interaction is #{i} {} {}: {}",
                    recorded.method,
                    recorded.path,
                    differences(recorded, key).join("; ")
                )
            }
        };
        let message =
            format!("No recorded interaction matches {request} (--replay-strict): {detail}");
        AppError::new(StatusCode::NOT_FOUND, message.clone())
            .with(None, message, "not_recorded")
            .into_response()
    }
}

/// The key of a recorded interaction.
fn recorded_key(file: &CassetteFile, interaction: &Interaction) -> Key {
    let request = &interaction.request;
    let auth = match &request.authorization {
        None => Auth::None,
        Some(value) => scrub::placeholders(value)
            .iter()
            .find_map(|(_, name)| match file.tokens.get(*name) {
                Some(TokenEntry::Jwt { tier, .. }) => Some(Auth::Token(*tier)),
                _ => None,
            })
            .unwrap_or(Auth::Other),
    };
    let origin = &file.upstream;
    Key {
        method: request.method.to_ascii_uppercase(),
        path: normalised_str(&request.path, origin),
        query: normalised_query(&query_pairs(request.query.as_deref()), origin),
        auth,
        body: normalise(&scrub::without_numbers(&body_value(&request.body)), origin),
    }
}

/// An incoming request scrubbed as the recorder scrubs, and its key.
fn incoming(state: &AppState, parts: &Parts, bytes: &[u8]) -> Incoming {
    let literals = configured_literals(state);
    let mut tokens = Tokens::default();
    let mut scrubber = Scrubber {
        redactor: &state.control.redactor,
        literals: &literals,
        tokens: &mut tokens,
    };
    let query = parts.uri.query().map(|q| scrubber.query(q));
    let body = body_value(&super::record::scrubbed_body(&mut scrubber, bytes));
    let auth = match parts.headers.get(header::AUTHORIZATION) {
        None => Auth::None,
        Some(value) => {
            let value = String::from_utf8_lossy(value.as_bytes());
            match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    scrub::jwt_claims(token.trim())
                        .map_or(Auth::Other, |claims| Auth::Token(Tier::of(&claims)))
                }
                _ => Auth::Other,
            }
        }
    };
    let origin = state.public_url.as_str();
    let path = parts.uri.path().to_owned();
    let query = query_pairs(query.as_deref());
    Incoming {
        key: Key {
            method: parts.method.as_str().to_ascii_uppercase(),
            path: normalised_str(&path, origin),
            query: normalised_query(&query, origin),
            auth,
            body: normalise(&scrub::without_numbers(&body), origin),
        },
        path,
        query,
        body,
    }
}

fn body_value(body: &RecordedBody) -> Value {
    match (&body.body, &body.text) {
        (Some(json), _) => json.clone(),
        (None, Some(text)) => Value::String(text.clone()),
        (None, None) => Value::Null,
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn normalised_str(s: &str, origin: &str) -> String {
    match normalise(&Value::String(s.to_owned()), origin) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn normalised_query(pairs: &[(String, String)], origin: &str) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            let v = match scrub::without_numbers(&Value::String(v.clone())) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k.clone(), normalised_str(&v, origin))
        })
        .collect()
}

/// Records what the client sent differently from the recording (equal once normalised): its own
/// workspace names, ids it chose.
fn bind(interaction: &Interaction, incoming: &Incoming, bindings: &mut Vec<(String, String)>) {
    let mut found = Vec::new();
    let recorded_path = interaction.request.path.split('/');
    for (recorded, sent) in recorded_path.zip(incoming.path.split('/')) {
        found.push((recorded.to_owned(), sent.to_owned()));
    }
    let recorded_query = query_pairs(interaction.request.query.as_deref());
    for ((_, recorded), (_, sent)) in recorded_query.iter().zip(&incoming.query) {
        found.push((recorded.clone(), sent.clone()));
    }
    collect_differences(
        &body_value(&interaction.request.body),
        &incoming.body,
        &mut found,
    );
    for (recorded, sent) in found {
        // Short values are left alone: replacing "a" everywhere would do harm.
        if recorded == sent || recorded.len() < 6 || recorded.contains("{{") || sent.contains("{{")
        {
            continue;
        }
        match bindings.iter_mut().find(|(r, _)| *r == recorded) {
            Some(binding) => binding.1 = sent,
            None => bindings.push((recorded, sent)),
        }
    }
}

fn collect_differences(recorded: &Value, sent: &Value, out: &mut Vec<(String, String)>) {
    match (recorded, sent) {
        (Value::String(a), Value::String(b)) => out.push((a.clone(), b.clone())),
        (Value::Array(a), Value::Array(b)) => {
            for (x, y) in a.iter().zip(b) {
                collect_differences(x, y, out);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in a {
                if let Some(y) = b.get(k) {
                    collect_differences(x, y, out);
                }
            }
        }
        _ => {}
    }
}

/// Turns a recorded answer into one this client can use.
struct Realise<'a> {
    file: &'a CassetteFile,
    state: &'a AppState,
    bindings: &'a [(String, String)],
}

impl Realise<'_> {
    fn response(&self, index: usize, interaction: &Interaction) -> Response {
        let recorded = &interaction.response;
        let (bytes, json) = match (&recorded.body.body, &recorded.body.text) {
            (Some(body), _) => (
                serde_json::to_vec(&self.value(body)).unwrap_or_default(),
                true,
            ),
            (None, Some(text)) => (self.string(text).into_bytes(), false),
            (None, None) => (Vec::new(), false),
        };
        let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
        let mut response = (status, bytes).into_response();
        let headers = response.headers_mut();
        for (name, value) in &recorded.headers {
            if let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&self.string(value)),
            ) {
                headers.append(name, value);
            }
        }
        if json && !headers.contains_key(header::CONTENT_TYPE) {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        headers.insert(REPLAYED_HEADER, HeaderValue::from(index));
        response
    }

    fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The upstream's URL made ours, the client's own values put back, tokens minted.
    fn string(&self, s: &str) -> String {
        let s = self.rewrite(s);
        if !s.contains("{{") {
            return s;
        }
        let mut out = String::with_capacity(s.len());
        let mut copied = 0;
        for (range, name) in scrub::placeholders(&s) {
            if let Some(token) = self.token(name) {
                out.push_str(&s[copied..range.start]);
                out.push_str(&token);
                copied = range.end;
            }
        }
        out.push_str(&s[copied..]);
        out
    }

    fn rewrite(&self, s: &str) -> String {
        let mut out = s.to_owned();
        let upstream = self.file.upstream.as_str();
        if !upstream.is_empty() && upstream != self.state.public_url && out.contains(upstream) {
            out = out.replace(upstream, &self.state.public_url);
        }
        // This mock's client credentials where the recording had the upstream's (a token's
        // subject; the mock's own 401, which names its demo credentials).
        for (placeholder, value) in [
            (scrub::CLIENT_ID, &self.state.client_id),
            (scrub::CLIENT_SECRET, &self.state.client_secret),
        ] {
            if out.contains(placeholder) {
                out = out.replace(placeholder, value);
            }
        }
        for (recorded, sent) in self.bindings {
            if out.contains(recorded.as_str()) {
                out = out.replace(recorded.as_str(), sent);
            }
        }
        out
    }

    /// A fresh token for a placeholder: the recorded claims (rewritten like any answer), issued now
    /// for the recorded lifetime, signed with this mock's key.
    fn token(&self, name: &str) -> Option<String> {
        match self.file.tokens.get(name)? {
            TokenEntry::Jwt { claims, .. } => {
                let mut claims = self.value(claims);
                let lifetime = match (claims.get("exp"), claims.get("iat")) {
                    (Some(exp), Some(iat)) => exp
                        .as_u64()
                        .zip(iat.as_u64())
                        .map_or(900, |(e, i)| e.saturating_sub(i)),
                    _ => 900,
                };
                let now = crate::clock::unix_now();
                if let Some(map) = claims.as_object_mut() {
                    map.insert("iat".into(), now.into());
                    map.insert("exp".into(), (now + lifetime).into());
                }
                Some(self.state.keys.sign(&claims))
            }
            TokenEntry::WidgetToken { token, widget_url } => {
                let jwt = self.token(token)?;
                Some(WidgetToken::new(jwt, self.string(widget_url)).encode())
            }
        }
    }
}

/// How far a recorded request is from a sent one: method, then path, then credential, query, body.
fn distance(recorded: &Key, sent: &Key) -> usize {
    let mut d = 0;
    if recorded.method != sent.method {
        d += 1000;
    }
    if recorded.path != sent.path {
        d += 100;
    }
    if recorded.auth != sent.auth {
        d += 10;
    }
    if recorded.query != sent.query {
        d += 5;
    }
    let mut body = Vec::new();
    json_differences("", &recorded.body, &sent.body, &mut body);
    d + body.len()
}

/// How a sent request differs from a recorded one, in words.
fn differences(recorded: &Key, sent: &Key) -> Vec<String> {
    let mut out = Vec::new();
    if recorded.method != sent.method {
        out.push(format!(
            "method {} (recorded {})",
            sent.method, recorded.method
        ));
    }
    if recorded.path != sent.path {
        out.push(format!("path {} (recorded {})", sent.path, recorded.path));
    }
    if recorded.auth != sent.auth {
        out.push(format!("sent {} (recorded {})", sent.auth, recorded.auth));
    }
    if recorded.query != sent.query {
        let show = |q: &[(String, String)]| {
            q.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        out.push(format!(
            "query '{}' (recorded '{}')",
            show(&sent.query),
            show(&recorded.query)
        ));
    }
    let mut body = Vec::new();
    json_differences("", &recorded.body, &sent.body, &mut body);
    let shown = body.len().min(3);
    if !body.is_empty() {
        let more = if body.len() > shown {
            format!(" and {} more", body.len() - shown)
        } else {
            String::new()
        };
        out.push(format!(
            "body differs at {}{more}",
            body[..shown].join(", ")
        ));
    }
    if out.is_empty() {
        out.push("it matches, but no interaction was left to serve".into());
    }
    out
}

/// Differences between two normalised bodies: `field: sent X (recorded Y)`, `field: missing`, ….
fn json_differences(at: &str, recorded: &Value, sent: &Value, out: &mut Vec<String>) {
    let here = |at: &str| {
        if at.is_empty() {
            "(the body)".to_owned()
        } else {
            at.to_owned()
        }
    };
    match (recorded, sent) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in a {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match b.get(k) {
                    Some(y) => json_differences(&path, x, y, out),
                    None => out.push(format!("{path}: not sent (recorded {x})")),
                }
            }
            for (k, y) in b {
                if !a.contains_key(k) {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    out.push(format!("{path}: sent {y}, not recorded"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_differences(&format!("{at}[{i}]"), x, y, out);
            }
        }
        (a, b) if a != b => out.push(format!("{}: sent {b} (recorded {a})", here(at))),
        _ => {}
    }
}
