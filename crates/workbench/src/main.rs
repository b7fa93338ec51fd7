//! `workbench`: the mock and the demo server in one process, the URL to open printed once both
//! answer, both stopped on Ctrl-C. `--dev` also runs `trunk serve` and waits for it too.

mod launch;
mod ready;
mod trunk;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use workbench_http::LogFormat;

/// Runs the offline mock of Airbyte and the demo server together and prints the URL to open.
///
/// Every other variable the two servers read on their own (AIRBYTE_MOCK_CLIENT_ID,
/// AIRBYTE_CLIENT_ID, AIRBYTE_CLIENT_SECRET, AIRBYTE_SOURCE_TEMPLATE_TAGS, DEMO_WEB_DIST, …) applies
/// here too.
#[derive(Debug, Parser)]
#[command(name = "workbench", version, args_override_self = true)]
pub(crate) struct Cli {
    /// Where the mock listens.
    #[arg(long, env = "AIRBYTE_MOCK_ADDR", default_value = "127.0.0.1:8001")]
    pub(crate) mock_addr: SocketAddr,

    /// Where the demo server listens (and serves the built SPA, web/dist).
    #[arg(long, env = "DEMO_SERVER_ADDR", default_value = "127.0.0.1:3000")]
    pub(crate) demo_addr: SocketAddr,

    /// The Airbyte API the demo server talks to (default: this mock's /api/v1).
    #[arg(long, env = "AIRBYTE_API_URL")]
    pub(crate) airbyte_api_url: Option<String>,

    /// Origin of the page that embeds the widget (default: the demo server's own, or trunk serve's
    /// with --dev).
    #[arg(long, env = "ALLOWED_ORIGIN")]
    pub(crate) allowed_origin: Option<String>,

    /// The mock's admin token for its control plane (/_mock); the demo server's "Mock control"
    /// panel sends it. Without one, /_mock answers only loopback clients.
    #[arg(long, env = "AIRBYTE_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: Option<String>,

    /// Seed of the mock's ids and generated data.
    #[arg(long, env = "AIRBYTE_MOCK_SEED")]
    pub(crate) seed: Option<u64>,

    /// Log lines as human-readable text or one JSON object per line (on stderr).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t)]
    pub(crate) log_format: LogFormat,

    /// Also run `trunk serve` (live reload); the page is then trunk's, http://localhost:<dev-port>,
    /// which forwards /api/ to the demo server (web/Trunk.toml).
    #[arg(long)]
    pub(crate) dev: bool,

    /// The port `trunk serve` listens on with --dev.
    #[arg(long, env = "TRUNK_SERVE_PORT", default_value_t = 8080,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) dev_port: u16,

    /// The SPA's directory, where `trunk serve` runs with --dev.
    #[arg(long, default_value = "web")]
    pub(crate) web_dir: PathBuf,

    /// The `trunk` program run with --dev.
    #[arg(long, env = "WORKBENCH_TRUNK", default_value = "trunk")]
    pub(crate) trunk: PathBuf,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    workbench_http::init_logging(cli.log_format);
    match launch::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("workbench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
