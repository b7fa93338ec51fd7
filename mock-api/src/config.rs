//! Command-line flags, each with an environment variable.

use std::net::SocketAddr;

use clap::Parser;
pub use workbench_http::LogFormat;

// The binary's flags: the server's `Config` and how the process logs (`Config` stays what the server
// needs, so code that builds one in-process is unaffected).
/// A stateful offline mock of Airbyte's Embedded API and authentication module.
#[derive(Debug, Clone, Parser)]
#[command(name = "airbyte-mock", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    /// Log lines as human-readable text or one JSON object per line (on stderr).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,
}

/// A stateful offline mock of Airbyte's Embedded API and authentication module.
#[derive(Debug, Clone, Parser)]
#[command(name = "airbyte-mock", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "AIRBYTE_MOCK_ADDR", default_value = "127.0.0.1:8001")]
    pub addr: SocketAddr,

    /// Origin written into widget URLs (default: http://<addr>).
    #[arg(long, env = "AIRBYTE_MOCK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Client id accepted by the application-token endpoint.
    #[arg(long, env = "AIRBYTE_MOCK_CLIENT_ID", default_value = "mock-client-id")]
    pub client_id: String,

    /// Client secret accepted by the application-token endpoint.
    #[arg(
        long,
        env = "AIRBYTE_MOCK_CLIENT_SECRET",
        default_value = "mock-client-secret",
        hide_env_values = true
    )]
    pub client_secret: String,

    /// Seed for ids and generated data: the same seed gives the same state.
    #[arg(long, env = "AIRBYTE_MOCK_SEED", default_value_t = 42)]
    pub seed: u64,

    /// Keep the state in this file across restarts (an append-only log, fsynced before each
    /// answer; created if missing). Without it the state lives in memory only.
    #[arg(long, env = "AIRBYTE_MOCK_STATE_FILE", value_name = "PATH")]
    pub state_file: Option<std::path::PathBuf>,
    /// A fixture file merged into the state at start (repeatable, in order; the environment
    /// variable takes a comma-separated list). A bad file stops the start.
    #[arg(
        long = "fixture",
        value_name = "PATH",
        env = "AIRBYTE_MOCK_FIXTURES",
        value_delimiter = ','
    )]
    pub fixtures: Vec<std::path::PathBuf>,

    /// How many requests the journal (`/_mock/requests`) keeps; the oldest are dropped first.
    #[arg(long, env = "AIRBYTE_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// Honour the `X-Mock-Scenario` header from any peer, not only from loopback.
    #[arg(long, env = "AIRBYTE_MOCK_ALLOW_SCENARIO_HEADER")]
    pub allow_scenario_header: bool,

    /// Token every /_mock route except /_mock/health requires (`Authorization: Bearer <token>` or
    /// `X-Mock-Admin-Token`); without one, /_mock answers only loopback clients.
    #[arg(long, env = "AIRBYTE_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Simulated seconds per real second for replication's scheduler (60 = one simulated hour
    /// per real minute; 0 stops the clock at 2026-01-01T00:00:00Z, and only `POST /_mock/clock/advance` moves it).
    #[arg(long, env = "AIRBYTE_MOCK_TIME_SCALE", default_value_t = 1.0)]
    pub time_scale: f64,

    /// Refuse (422, naming the field and the fix) what Airbyte accepts but is probably a mistake,
    /// such as an `allowed_origin` with a trailing slash. Without it the mock answers as Airbyte would
    /// and adds a `Warning` header saying what is wrong.
    #[arg(long, env = "AIRBYTE_MOCK_STRICT")]
    pub strict: bool,

    /// Check every request and answer of an operation of Airbyte's published document against its
    /// schemas; violations are reported (a `Warning` header each, the journal, the log,
    /// `GET /_mock/validation`), never refused.
    #[arg(long, env = "AIRBYTE_MOCK_VALIDATE")]
    pub validate: bool,

    /// Forward every Airbyte API request to this upstream (e.g. https://api.airbyte.ai) and return
    /// its answer; the widget, the console and /_mock stay the mock's.
    #[arg(
        long,
        env = "AIRBYTE_MOCK_PROXY",
        value_name = "URL",
        conflicts_with = "replay"
    )]
    pub proxy: Option<String>,

    /// With --proxy: write each interaction, secrets and tokens scrubbed, to this cassette file
    /// (JSON, rewritten whole after each interaction; an existing file is replaced).
    #[arg(
        long,
        env = "AIRBYTE_MOCK_RECORD",
        value_name = "PATH",
        requires = "proxy"
    )]
    pub record: Option<std::path::PathBuf>,

    /// Answer Airbyte API requests from this cassette; requests it does not hold fall through to
    /// the stateful mock (or get a 404 with --replay-strict).
    #[arg(long, env = "AIRBYTE_MOCK_REPLAY", value_name = "PATH")]
    pub replay: Option<std::path::PathBuf>,

    /// With --replay: a request the cassette does not hold gets a 404 naming the nearest recorded
    /// interaction and how it differs, instead of the stateful mock's answer.
    #[arg(long, env = "AIRBYTE_MOCK_REPLAY_STRICT", requires = "replay")]
    pub replay_strict: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8001)),
            public_url: None,
            client_id: "mock-client-id".into(),
            client_secret: "mock-client-secret".into(),
            seed: 42,
            state_file: None,
            fixtures: Vec::new(),
            journal_size: 1000,
            allow_scenario_header: false,
            admin_token: None,
            time_scale: 1.0,
            strict: false,
            validate: false,
            proxy: None,
            record: None,
            replay: None,
            replay_strict: false,
        }
    }
}
