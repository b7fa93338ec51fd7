//! The `demo-server` binary: flags, logging, serve until Ctrl-C or SIGTERM.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = demo_server::config::Cli::parse();
    workbench_http::init_logging(cli.log_format);
    let config = cli.config;
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
        server.url(),
        state.allowed_origin
    );
    println!(
        "  Airbyte API {}; widget script {}",
        state.api_url, state.widget_script_url
    );
    match server.run(workbench_http::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
