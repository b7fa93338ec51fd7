//! The `airbyte-mock` binary: parse flags, set up logging, serve until Ctrl-C.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = airbyte_mock::Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
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
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match server.run(shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("airbyte-mock: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
