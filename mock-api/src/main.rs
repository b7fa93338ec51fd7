//! The `airbyte-mock` binary: parse flags, set up logging, serve until Ctrl-C or SIGTERM.

use clap::Parser;

/// jemalloc instead of glibc's allocator: the mock makes many small, short-lived allocations per
/// request (bodies, claims, the journal entry), where jemalloc's per-thread caches are faster (about
/// +25% on the widget token; BENCHMARKS.md). `.cargo/config.toml` sets its decay to 0, so freed
/// pages go back to the system at once and RSS stays what the state needs.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = airbyte_mock::Cli::parse();
    workbench_http::init_logging(cli.log_format);
    let config = cli.config;
    let server = match airbyte_mock::Server::bind(&config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("airbyte-mock: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let public_url = server.state().public_url.clone();
    // Printed on stdout (not only logged) so scripts and tests can read the port.
    println!(
        "airbyte-mock listening on http://{} (widget URLs use {public_url})",
        server.local_addr()
    );
    tracing::info!(seed = config.seed, client_id = %config.client_id, "ready");
    match server.run(workbench_http::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("airbyte-mock: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
