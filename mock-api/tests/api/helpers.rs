//! The harness every module uses: `spawn_app()` starts the mock with [`TestServer`] and returns a
//! [`TestApp`] that talks HTTP to it with reqwest, plus the fixtures (a valid sample configuration per
//! seeded connector, template lookup by name). JWT decoding, the error-shape assertion and unique
//! names are in `airbyte_mock::testkit`, shared with the other suites.

use airbyte_embedded::WidgetToken;
use airbyte_mock::{AppState, Config, TestServer};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) const CLIENT_ID: &str = "mock-client-id";
pub(crate) const CLIENT_SECRET: &str = "mock-client-secret";
/// The origin most tests embed the widget from.
pub(crate) const ORIGIN: &str = "http://localhost:3000";

/// The names of the seeded source templates.
pub(crate) const SEEDED_TEMPLATES: [&str; 7] = [
    "GitHub",
    "Stripe",
    "Postgres",
    "HubSpot",
    "Google Sheets",
    "Salesforce",
    "Sample Data (Faker)",
];

/// `(status, headers, body)`; the body is JSON when it parses, `Value::String` of the text otherwise,
/// `Value::Null` when empty.
pub(crate) type Reply = (StatusCode, HeaderMap, Value);

/// A running mock and request helpers for it. Dropping it shuts the server down.
#[derive(Debug)]
pub(crate) struct TestApp {
    /// `http://127.0.0.1:<port>`, also the mock's public URL (the origin in widget URLs).
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    /// The server's own state, for peeking at what is stored and for minting special tokens.
    pub(crate) state: AppState,
    server: TestServer,
}

/// The mock on a free loopback port (default configuration), with a client for it.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(Config::default()).await
}

/// [`spawn_app`] with a configuration (its address is replaced by a free loopback port).
pub(crate) async fn spawn_app_with(config: Config) -> TestApp {
    let server = TestServer::with(config).await;
    TestApp {
        base: server.url().to_owned(),
        client: server.client().clone(),
        state: server.state().clone(),
        server,
    }
}

impl TestApp {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request builder with an optional bearer token.
    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
    ) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match bearer {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends and reads the reply as JSON (see [`Reply`]).
    pub(crate) async fn send(&self, builder: RequestBuilder) -> Reply {
        let (status, headers, bytes) = self.send_raw(builder).await;
        (status, headers, body_value(&bytes))
    }

    /// Sends and returns the raw body bytes.
    pub(crate) async fn send_raw(
        &self,
        builder: RequestBuilder,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = builder.send().await.expect("the request reaches the mock");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("read the body").to_vec();
        (status, headers, bytes)
    }

    pub(crate) async fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        self.send(self.request(Method::GET, path, bearer)).await
    }

    pub(crate) async fn delete(&self, path: &str, bearer: Option<&str>) -> Reply {
        self.send(self.request(Method::DELETE, path, bearer)).await
    }

    pub(crate) async fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path, bearer).json(body))
            .await
    }

    pub(crate) async fn put(&self, path: &str, bearer: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::PUT, path, bearer).json(body))
            .await
    }

    pub(crate) async fn patch(&self, path: &str, bearer: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::PATCH, path, bearer).json(body))
            .await
    }

    /// A GET whose body is text (the widget assets).
    pub(crate) async fn get_text(&self, path: &str) -> (StatusCode, HeaderMap, String) {
        let (status, headers, bytes) = self.send_raw(self.request(Method::GET, path, None)).await;
        (
            status,
            headers,
            String::from_utf8(bytes).expect("a UTF-8 body"),
        )
    }

    /// The seeded organization's id.
    pub(crate) fn organization_id(&self) -> Uuid {
        self.server.organization_id()
    }

    /// A JWT signed with the mock's own key, whatever `claims` say.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        self.server.sign(claims)
    }

    /// A fresh application (operator) token for the demo credentials.
    pub(crate) async fn app_token(&self) -> String {
        self.server.application_token().await
    }

    /// Mints a widget token for `name` from `origin`: the raw token, its decoded halves and the
    /// scoped JWT inside it.
    pub(crate) async fn widget_token(
        &self,
        name: &str,
        origin: &str,
    ) -> (String, WidgetToken, String) {
        self.widget_token_with(&json!({"workspace_name": name, "allowed_origin": origin}))
            .await
    }

    /// [`Self::widget_token`] with a whole request body (tag selections, aliases, region).
    pub(crate) async fn widget_token_with(&self, body: &Value) -> (String, WidgetToken, String) {
        let app = self.app_token().await;
        let (status, _, reply) = self
            .post(
                "/api/v1/account/applications/widget-token",
                Some(&app),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "widget token for {body}: {reply}");
        let raw = reply["token"]
            .as_str()
            .expect("token is a string")
            .to_owned();
        let decoded = WidgetToken::decode(&raw).expect("the widget token decodes");
        let jwt = decoded
            .token
            .clone()
            .expect("the widget token carries a JWT");
        (raw, decoded, jwt)
    }

    /// A scoped (end-user) JWT for workspace `name`, from the scoped-token endpoint.
    pub(crate) async fn scoped_token(&self, name: &str) -> String {
        let app = self.app_token().await;
        let (status, _, body) = self
            .post(
                "/api/v1/account/applications/scoped-token",
                Some(&app),
                &json!({"workspace_name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "scoped token: {body}");
        body["token"]
            .as_str()
            .expect("token is a string")
            .to_owned()
    }

    /// What `/_mock/health` counts: `workspaces`, `sources` and `source_templates`.
    pub(crate) async fn counts(&self) -> Value {
        let (status, _, body) = self.get("/_mock/health", None).await;
        assert_eq!(status, StatusCode::OK, "health: {body}");
        body["counts"].clone()
    }

    /// The id of the source template called `name`, read from the server's state.
    pub(crate) fn template_id(&self, name: &str) -> Uuid {
        self.state
            .store
            .source_template_id(name)
            .unwrap_or_else(|| panic!("no source template called {name}"))
    }

    /// The source definition id of the seeded connector called `name`.
    pub(crate) fn definition_id(&self, name: &str) -> Uuid {
        self.state
            .catalog
            .sources
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.source_definition_id)
            .unwrap_or_else(|| panic!("no connector called {name} in the catalog"))
    }

    /// The id of workspace `name`, if it exists.
    pub(crate) fn workspace_id(&self, name: &str) -> Option<Uuid> {
        self.state.store.workspace_id(name)
    }

    /// The stored (unredacted) configuration of a source.
    pub(crate) fn stored_config(&self, source_id: &str) -> Option<Value> {
        let id = Uuid::parse_str(source_id).expect("a source id is a UUID");
        self.state.store.stored_config(id).map(Value::Object)
    }

    /// Creates a source from the template `template` with `config`; asserts success.
    pub(crate) async fn create_source(
        &self,
        scoped: &str,
        template: &str,
        config: &Value,
    ) -> Value {
        let (status, _, body) = self
            .post(
                "/api/v1/embedded/sources",
                Some(scoped),
                &json!({"source_template_id": self.template_id(template), "source_config": config}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "create a {template} source: {body}");
        body
    }

    /// The names in a `{data: [...]}` list reply.
    pub(crate) fn names(body: &Value) -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("not a list reply: {body}"))
            .iter()
            .map(|t| t["name"].as_str().expect("name is a string").to_owned())
            .collect()
    }
}

fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// A valid configuration for each seeded connector (`source_config`), with real-looking secrets.
pub(crate) fn sample_config(template: &str) -> Value {
    match template {
        "GitHub" => json!({
            "credentials": {"option_title": "PAT Credentials", "personal_access_token": "ghp_sampleToken123"},
            "repositories": ["airbytehq/airbyte"],
        }),
        "Stripe" => json!({
            "account_id": "acct_1234567890abcdef",
            "client_secret": "sk_test_sampleSecret42",
            "start_date": "2024-01-01T00:00:00Z",
        }),
        "Postgres" => json!({
            "host": "db.example.com",
            "port": 5432,
            "database": "app",
            "username": "reader",
            "password": "pg-sample-password",
        }),
        "HubSpot" => json!({
            "credentials": {"credentials_title": "Private App Credentials", "access_token": "pat-na1-sample"},
        }),
        "Google Sheets" => json!({
            "spreadsheet_id": "1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb",
            "credentials": {"auth_type": "Service", "service_account_info": "{\"type\": \"service_account\"}"},
        }),
        "Salesforce" => json!({
            "client_id": "3MVG9sample",
            "client_secret": "sf-sample-client-secret",
            "refresh_token": "sf-sample-refresh-token",
        }),
        "Sample Data (Faker)" => json!({"count": 100}),
        other => panic!("no sample configuration for {other}"),
    }
}

/// JavaScript's `encodeURIComponent`, to compute the expected `allowedOrigin` parameter.
pub(crate) fn encode_uri_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}
