//! Test fixtures: the mock ([`TestServer`]) and the demo server on free ports, and a log buffer.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use airbyte_embedded::WidgetToken;
use airbyte_mock::TestServer;
use serde_json::Value;
use tokio::sync::oneshot;

/// A client secret no code path would print by accident.
pub(crate) const SECRET: &str = "demo-test-secret-7f3a9c";
pub(crate) const CLIENT_ID: &str = "demo-test-client";

/// Every log line of both servers in this test binary.
pub(crate) fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .init();
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) struct TestApp {
    pub(crate) demo: String,
    /// The mock the demo server talks to; dropping it stops it.
    pub(crate) mock: TestServer,
    pub(crate) http: reqwest::Client,
    pub(crate) allowed_origin: String,
    /// Every response body this test saw, for the secret checks.
    pub(crate) seen: Mutex<Vec<String>>,
    _demo_shutdown: oneshot::Sender<()>,
}

pub(crate) struct Options {
    pub(crate) client_secret: String,
    pub(crate) allowed_origin: Option<String>,
    /// Point the demo server at this API URL instead of the mock.
    pub(crate) api_url: Option<String>,
    pub(crate) source_template_tags: Vec<String>,
    /// The mock's `--admin-token`.
    pub(crate) mock_admin_token: Option<String>,
    /// The demo server's `--mock-admin-token`.
    pub(crate) demo_mock_admin_token: Option<String>,
    /// The mock's `--strict` (refuse leniencies with a 422 instead of warning).
    pub(crate) mock_strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            client_secret: SECRET.into(),
            allowed_origin: Some("http://localhost:4321".into()),
            api_url: None,
            source_template_tags: Vec::new(),
            mock_admin_token: None,
            demo_mock_admin_token: None,
            mock_strict: false,
        }
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

pub(crate) async fn spawn_with(options: Options) -> TestApp {
    let _ = logs();
    let mock = TestServer::with(airbyte_mock::Config {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        admin_token: options.mock_admin_token,
        strict: options.mock_strict,
        ..Default::default()
    })
    .await;

    let demo_config = demo_server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        airbyte_api_url: options.api_url.unwrap_or_else(|| mock.api_url().to_owned()),
        client_id: CLIENT_ID.into(),
        client_secret: options.client_secret,
        allowed_origin: options.allowed_origin,
        widget_script_url: None,
        source_template_tags: options.source_template_tags,
        source_template_tags_mode: "any".into(),
        dist: std::env::temp_dir().join("demo-server-tests-no-dist"),
        seed: 42,
        mock_admin_token: options.demo_mock_admin_token,
    };
    let demo = demo_server::Server::bind(&demo_config)
        .await
        .expect("bind demo");
    let demo_url = format!("http://{}", demo.local_addr());
    let allowed_origin = demo.state().allowed_origin.clone();
    let (demo_tx, demo_rx) = oneshot::channel();
    tokio::spawn(demo.run(async {
        let _ = demo_rx.await;
    }));
    TestApp {
        demo: demo_url,
        mock,
        http: reqwest::Client::new(),
        allowed_origin,
        seen: Mutex::new(Vec::new()),
        _demo_shutdown: demo_tx,
    }
}

impl TestApp {
    async fn record(&self, response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        self.seen.lock().unwrap().push(text.clone());
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `POST /api/airbyte/widget-token` with a raw body.
    pub(crate) async fn post_widget_token_raw(&self, body: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/airbyte/widget-token", self.demo))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        self.record(response).await
    }

    pub(crate) async fn widget_token(&self, user: &str) -> WidgetToken {
        let (status, body) = self
            .post_widget_token_raw(&serde_json::json!({"userId": user}).to_string())
            .await;
        assert_eq!(status, 200, "{body}");
        WidgetToken::decode(body["token"].as_str().expect("token"))
            .expect("decodes like the widget")
    }

    /// Connects a source for `user` the way the widget does (the scoped token inside the user's
    /// widget token, the seeded Faker template, `count: 10`); the created source.
    pub(crate) async fn connect_faker_source(&self, user: &str) -> airbyte_embedded::SourceRead {
        let scoped = self.widget_token(user).await.token.unwrap();
        let client = airbyte_client::AirbyteClient::new(self.mock.api_url()).unwrap();
        let faker = client
            .embedded_source_templates(&scoped)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name.contains("Faker"))
            .expect("seeded Faker template");
        let config = serde_json::json!({"count": 10})
            .as_object()
            .unwrap()
            .clone();
        client
            .create_source(
                &scoped,
                &airbyte_embedded::SourceCreateRequest::new(faker.id, config),
            )
            .await
            .unwrap()
    }

    /// `POST` a JSON body to the demo server.
    pub(crate) async fn post_demo(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.demo))
            .json(body)
            .send()
            .await
            .expect("request");
        self.record(response).await
    }

    pub(crate) async fn get_demo(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.demo))
            .send()
            .await
            .expect("request");
        self.record(response).await
    }

    pub(crate) async fn mock_health(&self) -> Value {
        self.mock
            .client()
            .get(format!("{}/_mock/health", self.mock.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}
