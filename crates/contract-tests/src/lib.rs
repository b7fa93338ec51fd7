//! One contract suite, two targets: the in-process mock (the default) and a live Airbyte API
//! (`AIRBYTE_CONTRACT_URL`, `AIRBYTE_CLIENT_ID`, `AIRBYTE_CLIENT_SECRET`). This library is the harness:
//! targets, raw calls, normalisation for snapshots, and validation against the published document.
//! The checks themselves are in `tests/contract/`.
//!
//! Two more targets come from the mock's record and replay: [`Target::recording`] (the mock as a
//! recording proxy in front of another API) and [`Target::replay`] (the mock answering from a
//! cassette, with no upstream: `just contract-replay CASSETTE`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use airbyte_embedded::WidgetToken;
use airbyte_mock::{Config, TestServer};
use serde_json::{Map, Value, json};

/// What a live run needs, and why it is skipped without it.
pub const LIVE_ENV: [&str; 3] = [
    "AIRBYTE_CONTRACT_URL",
    "AIRBYTE_CLIENT_ID",
    "AIRBYTE_CLIENT_SECRET",
];

/// An API to run the contract against.
#[derive(Debug)]
pub struct Target {
    /// The API root, including `/api/v1`.
    pub api: String,
    client_id: String,
    client_secret: String,
    pub live: bool,
    http: reqwest::Client,
    /// The origin widget URLs in answers point at (see [`Target::api_origin`]).
    answer_origin: String,
    /// The in-process mocks, stopped when the target is dropped.
    _mocks: Vec<TestServer>,
}

/// Where `just contract-replay` finds its cassette: `AIRBYTE_CONTRACT_CASSETTE`, by default the
/// example recorded from the mock itself.
pub const CASSETTE_ENV: &str = "AIRBYTE_CONTRACT_CASSETTE";

/// A response: status and JSON body (`Value::Null` for an empty body, a string for non-JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Target {
    /// The mock, in-process on a free loopback port, with its documented demo credentials.
    pub async fn mock() -> Self {
        let mock = TestServer::start().await;
        Self {
            api: mock.api_url().to_owned(),
            client_id: mock.config().client_id.clone(),
            client_secret: mock.config().client_secret.clone(),
            live: false,
            http: mock.client().clone(),
            answer_origin: mock.url().to_owned(),
            _mocks: vec![mock],
        }
    }

    /// A mock in front of `upstream` (a mock standing in for the live API) as a recording proxy
    /// (`--proxy`, `--record cassette`): calls go through it with the upstream's credentials, and
    /// answers come back untouched (widget URLs name the upstream).
    pub async fn recording(upstream: TestServer, cassette: &Path) -> Self {
        let proxy = TestServer::with(Config {
            proxy: Some(upstream.url().to_owned()),
            record: Some(cassette.to_owned()),
            ..Config::default()
        })
        .await;
        Self {
            api: proxy.api_url().to_owned(),
            client_id: upstream.config().client_id.clone(),
            client_secret: upstream.config().client_secret.clone(),
            live: false,
            http: proxy.client().clone(),
            answer_origin: upstream.url().to_owned(),
            _mocks: vec![proxy, upstream],
        }
    }

    /// A mock answering from `cassette` (`--replay --replay-strict`) with no upstream, logging in with its own
    /// credentials (replay matches them to the recorded ones). A cassette recorded from a mock on
    /// loopback is checked like the mock (full snapshots), any other like the live API.
    pub async fn replay(cassette: &Path) -> Self {
        let text = std::fs::read_to_string(cassette)
            .unwrap_or_else(|e| panic!("cannot read the cassette {}: {e}", cassette.display()));
        let recorded: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", cassette.display()));
        let upstream = recorded["upstream"].as_str().unwrap_or_default();
        let from_a_mock = reqwest::Url::parse(upstream)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .is_some_and(|host| matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]"));
        let mock = TestServer::with(Config {
            replay: Some(cassette.to_owned()),
            // An offline regression test: a call the cassette lacks fails, naming the nearest one,
            // rather than getting the stateful mock's answer.
            replay_strict: true,
            ..Config::default()
        })
        .await;
        Self {
            api: mock.api_url().to_owned(),
            client_id: mock.config().client_id.clone(),
            client_secret: mock.config().client_secret.clone(),
            live: !from_a_mock,
            http: mock.client().clone(),
            answer_origin: mock.url().to_owned(),
            _mocks: vec![mock],
        }
    }

    /// The cassette named by [`CASSETTE_ENV`], or the example in the repository.
    pub fn cassette() -> PathBuf {
        match std::env::var(CASSETTE_ENV) {
            Ok(path) if !path.is_empty() => PathBuf::from(path),
            _ => example_cassette(),
        }
    }

    /// The live API from the environment, or why it cannot be used.
    pub fn live() -> Result<Self, String> {
        let missing: Vec<_> = LIVE_ENV
            .iter()
            .filter(|k| std::env::var(k).map_or(true, |v| v.is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "live contract run skipped: set {} (missing: {})",
                LIVE_ENV.join(", "),
                missing
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        Ok(Self {
            api: var("AIRBYTE_CONTRACT_URL").trim_end_matches('/').to_owned(),
            client_id: var("AIRBYTE_CLIENT_ID"),
            client_secret: var("AIRBYTE_CLIENT_SECRET"),
            live: true,
            http: reqwest::Client::new(),
            answer_origin: String::new(),
            _mocks: Vec::new(),
        })
    }

    /// The origin widget URLs point at: the mock's (`http://127.0.0.1:<port>`), a recording
    /// proxy's upstream, a replaying mock's own; the API root's origin on a live API.
    pub fn api_origin(&self) -> String {
        if self.answer_origin.is_empty() {
            self.api.trim_end_matches("/api/v1").to_owned()
        } else {
            self.answer_origin.clone()
        }
    }

    /// A workspace name no earlier run used, so live runs never touch real users' workspaces.
    pub fn unique(&self, label: &str) -> String {
        airbyte_mock::testkit::unique(&format!("contract-{label}"))
    }

    /// `method path` (relative to the API root) with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.api));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: no response: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    pub fn credentials(&self) -> Value {
        json!({"client_id": self.client_id, "client_secret": self.client_secret})
    }

    /// A fresh application token.
    pub async fn app_token(&self) -> String {
        let reply = self
            .call(
                "POST",
                "/account/applications/token",
                None,
                Some(&self.credentials()),
            )
            .await;
        assert_eq!(reply.status, 200, "application token: {}", reply.body);
        reply.body["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A widget token for `workspace_name` and `origin`: the raw string and its decoded halves.
    pub async fn widget_token(&self, app_token: &str, body: Value) -> (String, WidgetToken) {
        let reply = self
            .call(
                "POST",
                "/account/applications/widget-token",
                Some(app_token),
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, 200, "widget token: {}", reply.body);
        let raw = reply.body["token"].as_str().unwrap_or_default().to_owned();
        let decoded = WidgetToken::decode(&raw)
            .unwrap_or_else(|e| panic!("the widget cannot decode it: {e}"));
        (raw, decoded)
    }
}

/// `mock-api/cassettes/example.json`: the contract suite recorded through the mock's proxy from
/// another mock (`just contract-record-example` writes it again).
pub fn example_cassette() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../mock-api/cassettes/example.json")
}

/// Asserts the body conforms to the published document's schema for `method path status`.
pub fn assert_conforms(method: &str, path: &str, reply: &Reply) {
    if let Err(problems) =
        airbyte_openapi::check_response(&method.to_lowercase(), path, reply.status, &reply.body)
    {
        panic!(
            "{method} {path} -> {} does not match the published document:\n  {}\nbody: {}",
            reply.status,
            problems.join("\n  "),
            reply.body
        );
    }
}

/// Asserts an error body is Airbyte's `ApiErrorResponse`: valid against the published schema, and
/// in the shape the API really sends ([`airbyte_mock::testkit::assert_error_shape`]: a message and
/// at least one complete error entry).
pub fn assert_error_shape(reply: &Reply) {
    let validator =
        airbyte_openapi::schema_validator("ApiErrorResponse").unwrap_or_else(|e| panic!("{e}"));
    let problems = airbyte_openapi::problems(&validator, &reply.body);
    assert!(
        problems.is_empty(),
        "error body is not an ApiErrorResponse: {problems:?}: {}",
        reply.body
    );
    airbyte_mock::testkit::assert_error_shape(&reply.body);
}

/// Ids, times, tokens, the API's own origin and generated workspace names replaced by
/// placeholders: shared with the mock's replay (`--replay`), which matches requests the same way.
pub use airbyte_mock::normalise::normalise;

/// The value's shape: keys kept, every leaf replaced by its JSON type, arrays by their first item's
/// shape. What a live API and the mock must agree on even where their data differ.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => match items.first() {
            Some(first) => Value::Array(vec![shape(first)]),
            None => json!([]),
        },
        Value::Object(map) => {
            let sorted: BTreeMap<_, _> = map.iter().map(|(k, v)| (k.clone(), shape(v))).collect();
            Value::Object(sorted.into_iter().collect::<Map<_, _>>())
        }
    }
}
