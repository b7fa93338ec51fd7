//! [`TestServer`]: the mock on a free loopback port for a test, in the style of wiremock's
//! `MockServer::start()`. It is the only way tests start a mock: the mock's own suite, demo-server's
//! and the contract suite all use it.
//!
//! ```no_run
//! # async fn example() {
//! let mock = airbyte_mock::TestServer::start().await;
//! let token = mock.application_token().await;
//! let reply = mock
//!     .client()
//!     .get(format!("{}/embedded/scoped-token/info", mock.api_url()))
//!     .bearer_auth(&token)
//!     .send()
//!     .await
//!     .expect("the mock answers");
//! # drop(reply);
//! # }
//! ```

use std::net::SocketAddr;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::{AppState, Config, Server};

/// A mock running on `127.0.0.1:<free port>` on the current tokio runtime. Dropping it shuts the
/// server down (gracefully: the listener closes, so the port stops answering).
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    url: String,
    api_url: String,
    config: Config,
    state: AppState,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// The mock with the default configuration (documented demo credentials, seed 42).
    ///
    /// # Panics
    /// Outside a tokio runtime, or if the mock cannot bind a loopback port or load its seed data.
    pub async fn start() -> Self {
        Self::with(Config::default()).await
    }

    /// The mock with `config`; its `addr` is replaced by `127.0.0.1:0` so parallel tests never
    /// collide. `public_url`, when set, is kept (widget URLs then point there).
    ///
    /// # Panics
    /// Outside a tokio runtime, or if the mock cannot bind a loopback port or load its seed data.
    pub async fn with(config: Config) -> Self {
        let config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..config
        };
        let server = Server::bind(&config)
            .await
            .unwrap_or_else(|e| panic!("cannot start the mock: {e}"));
        let addr = server.local_addr();
        let state = server.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stopped = server
                .run(async move {
                    // A dropped sender is a shutdown too.
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = stopped {
                tracing::error!("the test mock on {addr} failed: {e}");
            }
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build the test client");
        let url = format!("http://{addr}");
        Self {
            addr,
            api_url: format!("{url}/api/v1"),
            url,
            config,
            state,
            client,
            shutdown: Some(tx),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash; also the mock's public URL (the origin
    /// of widget URLs) unless the config set one.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The API root, `http://127.0.0.1:<port>/api/v1`, what Airbyte clients are configured with.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The configuration it runs with (the client credentials, the seed).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The server's own state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A client for it: no proxy, no redirects followed (tests see the 3xx themselves).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The seeded organization's id (what tokens carry and `X-Organization-Id` must match); it
    /// survives `/_mock/reset`.
    pub fn organization_id(&self) -> uuid::Uuid {
        self.state.store.organization_id()
    }

    /// A JWT signed with this mock's key: genuine to the mock whatever `claims` say, for tests of
    /// expired, retyped or role-less tokens.
    pub fn sign(&self, claims: &impl serde::Serialize) -> String {
        self.state.keys.sign(claims)
    }

    /// The body of `POST /api/v1/account/applications/token` with the config's client credentials.
    pub fn credentials(&self) -> Value {
        json!({"client_id": self.config.client_id, "client_secret": self.config.client_secret})
    }

    /// A fresh application (operator) token, logging in with the config's client credentials.
    ///
    /// # Panics
    /// If the mock does not answer 200 with an `access_token`.
    pub async fn application_token(&self) -> String {
        let response = self
            .client
            .post(format!("{}/account/applications/token", self.api_url))
            .json(&self.credentials())
            .send()
            .await
            .unwrap_or_else(|e| panic!("application token: no response from {}: {e}", self.url));
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("application token: the body is not JSON: {e}"));
        assert_eq!(status, reqwest::StatusCode::OK, "application token: {body}");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("application token without an access_token: {body}"))
            .to_owned()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server may be gone already (its runtime ended); nothing to stop then.
            let _ = tx.send(());
        }
    }
}
