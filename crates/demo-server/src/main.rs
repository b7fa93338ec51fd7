//! The `demo-server` binary: flags, logging, serve until Ctrl-C.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = demo_server::Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    if let Some(origin) = &config.allowed_origin
        && let Err(problem) = airbyte_embedded::validate_allowed_origin(origin)
    {
        eprintln!("demo-server: ALLOWED_ORIGIN is not usable: {problem}");
        eprintln!("demo-server: starting anyway so you can see what the widget does with it");
    }
    let server = match demo_server::Server::bind(&config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let state = server.state().clone();
    println!("demo-server listening on http://{}", server.local_addr());
    println!(
        "  open {}  (widget tokens are minted for allowed_origin {})",
        state.allowed_origin, state.allowed_origin
    );
    println!(
        "  Airbyte API {}; widget script {}",
        state.api_url, state.widget_script_url
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match server.run(shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
