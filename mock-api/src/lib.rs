//! `airbyte-mock`: a stateful offline mock of Airbyte's Embedded API and its authentication module.
//!
//! The public surface is small: [`Config`] (and [`Cli`], its command line), [`Server`] to bind and
//! run the mock, [`app`] to get it as a router from an [`AppState`], [`TestServer`] and [`testkit`]
//! for tests, and the read side of the state ([`Store`], [`Counts`], [`Data`], [`Catalog`]).
//! Everything else (the domain rules, the routes, tokens, validation) is private to the crate.

mod admin_guard;
mod auth;
mod cassette;
mod catalog;
mod clock;
mod config;
mod control;
mod cors;
mod domain;
mod error;
mod extract;
mod ids;
pub mod normalise;
mod routes;
mod spec;
mod test_server;
pub mod testkit;
mod validation;
mod warning;

use std::sync::Arc;

use axum::Router;

pub use catalog::{Catalog, DestinationDefinition, SourceDefinition};
pub use config::{Cli, Config, LogFormat};
pub use domain::{Counts, Data, Store};
pub use test_server::TestServer;

/// Shared state: configuration, signing keys, the catalog and the store.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub public_url: String,
    client_id: String,
    client_secret: String,
    keys: auth::Keys,
    pub catalog: catalog::Catalog,
    pub store: Store,
    /// Replication's compressible clock (`--time-scale`, `POST /_mock/clock/advance`).
    pub(crate) sim: domain::replication::SimClock,
    stats: Stats,
    /// The `--fixture` files as merged at start, for `POST /_mock/reset?to=fixtures`.
    fixtures: Vec<domain::fixtures::Fixture>,
    /// The request journal, the fault rules and the scenario policy.
    control: control::Control,
    /// `--admin-token`: what `/_mock/*` requires when set (see `admin_guard`).
    admin_token: Option<admin_guard::AdminToken>,
    /// `--strict`: refuse leniencies (422) instead of warning about them (see `warning.rs`).
    pub(crate) strict: bool,
    /// `--validate`: whether traffic is checked against the published document, and what was found.
    validation: validation::Validation,
    /// `--proxy` (with `--record`) or `--replay`: what the cassette layer does.
    cassette: cassette::Cassette,
}

/// Counters of what the mock has issued, reported by `/_mock/health` so harnesses can assert, for
/// example, that a backend caches its application token.
#[derive(Debug, Default)]
pub struct Stats {
    pub application_tokens: std::sync::atomic::AtomicU64,
    pub widget_tokens: std::sync::atomic::AtomicU64,
    pub scoped_tokens: std::sync::atomic::AtomicU64,
}

impl Stats {
    pub fn bump(counter: &std::sync::atomic::AtomicU64) {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn get(counter: &std::sync::atomic::AtomicU64) -> u64 {
        counter.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Builds the seeded state, or the one `config.state_file` holds (a file that cannot be read or
    /// is corrupt is an error naming it). `public_url` is the origin the widget URLs point at.
    pub fn new(config: &Config, public_url: &str) -> Result<Self, String> {
        let catalog = catalog::Catalog::load()?;
        let store = Store::open(&catalog, config.seed, config.state_file.as_deref())?;
        // Fixtures go into a fresh state only: a restored one already has them.
        let fresh = store.revision() == 0;
        let sim = domain::replication::SimClock::new(config.time_scale);
        let fixtures =
            domain::fixtures::load_files(&store, &catalog, &config.fixtures, fresh, sim.now())?;
        let control = control::Control::new(config, &catalog);
        let cassette = cassette::Cassette::from_config(config)?;
        let key = format!("airbyte-mock:{}:{}", config.client_secret, config.seed);
        Ok(Self(Arc::new(Shared {
            public_url: public_url.trim_end_matches('/').to_owned(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            keys: auth::Keys::new(key.as_bytes()),
            catalog,
            store,
            sim,
            stats: Stats::default(),
            fixtures,
            control,
            admin_token: admin_guard::AdminToken::new(config.admin_token.as_deref()),
            strict: config.strict,
            validation: validation::Validation::new(config.validate),
            cassette,
        })))
    }

    /// A fresh collector of warnings for one answer, strict as `--strict` says.
    pub(crate) fn warnings(&self) -> warning::Warnings {
        warning::Warnings::new(self.strict)
    }

    /// Constant-time comparison of the client credentials.
    pub fn credentials_match(&self, client_id: &str, client_secret: &str) -> bool {
        let eq = |a: &str, b: &str| {
            a.len() == b.len()
                && a.bytes()
                    .zip(b.bytes())
                    .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                    == 0
        };
        eq(client_id, &self.client_id) & eq(client_secret, &self.client_secret)
    }
}

/// The whole mock as a router, with the request log.
pub fn app(state: AppState) -> Router {
    routes::router(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state,
            refuse_if_not_durable,
        ))
        .layer(workbench_http::request_log("airbyte-mock"))
}

/// Once the state file failed a write, the state in memory is ahead of it: no answer may claim a
/// change was kept, so every request (including the one whose write failed) gets a 500 naming the
/// file until the mock is restarted from what the file holds.
async fn refuse_if_not_durable(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let refusal = |failure: &str| {
        let message = format!("{failure}; restart the mock to continue from the state file");
        error::AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            message.clone(),
        )
        .with(None, message, "state_file_failed")
        .into_response()
    };
    if let Some(failure) = state.store.persist_failure() {
        return refusal(failure);
    }
    let response = next.run(request).await;
    match state.store.persist_failure() {
        Some(failure) => refusal(failure),
        None => response,
    }
}

/// A bound, not yet running server; `local_addr` tells the port when bound to port 0.
#[derive(Debug)]
pub struct Server {
    listener: workbench_http::Listener,
    state: AppState,
}

impl Server {
    /// Binds `config.addr` and prepares the state; the public URL defaults to the bound address (on
    /// loopback when bound to every interface, so a browser can reach it). A taken port is an error
    /// that names it.
    pub async fn bind(config: &Config) -> Result<Self, String> {
        let listener = workbench_http::Listener::bind(config.addr)
            .await
            .map_err(|e| e.to_string())?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", listener.reachable_addr()));
        let state = AppState::new(config, &public_url)?;
        if let Some(warning) =
            admin_guard::exposure_warning(listener.local_addr(), state.admin_token.as_ref())
        {
            tracing::warn!("{warning}");
        }
        domain::replication::spawn_ticker(state.clone());
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        // Open journal streams never end by themselves; graceful shutdown would wait on them.
        let shutdown = async move {
            shutdown.await;
            state.control.journal.close_streams();
        };
        self.listener.serve(app(self.state), shutdown).await
    }
}
