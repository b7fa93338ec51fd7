//! Flags, each with its environment variable, as the seed's `.env` names them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
pub use workbench_http::LogFormat;

// The binary's flags: the server's `Config` and how the process logs (`Config` stays what the server
// needs, so code that builds one in-process, such as the tests, is unaffected).
/// The demo backend: mints Airbyte widget tokens for the Yew SPA and serves it.
#[derive(Debug, Clone, Parser)]
#[command(name = "demo-server", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    /// Log lines as human-readable text or one JSON object per line (on stderr).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,
}

/// The demo backend: mints Airbyte widget tokens for the Yew SPA and serves it.
#[derive(Debug, Clone, Parser)]
#[command(name = "demo-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "DEMO_SERVER_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Airbyte API root, including /api/v1 (the mock by default; https://api.airbyte.ai/api/v1 for real).
    #[arg(
        long,
        env = "AIRBYTE_API_URL",
        default_value = "http://127.0.0.1:8001/api/v1"
    )]
    pub airbyte_api_url: String,

    /// Client id from Airbyte's "Authentication Module > Installation" page.
    #[arg(long, env = "AIRBYTE_CLIENT_ID", default_value = "mock-client-id")]
    pub client_id: String,

    /// Client secret; never sent to the browser or written to the log.
    #[arg(
        long,
        env = "AIRBYTE_CLIENT_SECRET",
        default_value = "mock-client-secret",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub client_secret: String,

    /// Origin of the page that embeds the widget (default: this server's own, http://localhost:<port>).
    #[arg(long, env = "ALLOWED_ORIGIN")]
    pub allowed_origin: Option<String>,

    /// Widget script URL handed to the SPA (default: the mock's /widget.js; for production
    /// https://cdn.jsdelivr.net/npm/@airbyte-embedded/airbyte-embedded-widget@0.4.5).
    #[arg(long, env = "AIRBYTE_WIDGET_SCRIPT_URL")]
    pub widget_script_url: Option<String>,

    /// Only offer source templates with these tags in the widget (comma-separated), e.g. `pro-tier`.
    #[arg(long, env = "AIRBYTE_SOURCE_TEMPLATE_TAGS", value_delimiter = ',')]
    pub source_template_tags: Vec<String>,

    /// How the tags select templates: `any` (one of them) or `all`.
    #[arg(long, env = "AIRBYTE_SOURCE_TEMPLATE_TAGS_MODE", default_value = "any", value_parser = ["any", "all"])]
    pub source_template_tags_mode: String,

    /// The built SPA to serve.
    #[arg(long, env = "DEMO_WEB_DIST", default_value = "web/dist")]
    pub dist: PathBuf,

    /// Seed for the generated demo users.
    #[arg(long, env = "DEMO_SEED", default_value_t = 42)]
    pub seed: u64,

    /// The mock's admin token, sent with the "Mock control" panel's requests to its control plane
    /// (`/_mock`); never sent to the browser. Only needed when the mock runs with `--admin-token`.
    #[arg(long, env = "AIRBYTE_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    pub mock_admin_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            airbyte_api_url: "http://127.0.0.1:8001/api/v1".into(),
            client_id: "mock-client-id".into(),
            client_secret: "mock-client-secret".into(),
            allowed_origin: None,
            widget_script_url: None,
            source_template_tags: Vec::new(),
            source_template_tags_mode: "any".into(),
            dist: PathBuf::from("web/dist"),
            seed: 42,
            mock_admin_token: None,
        }
    }
}
