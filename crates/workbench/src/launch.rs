//! The launch sequence: bind both servers (a taken port stops everything before anything is
//! printed), run them, wait until both (and trunk, with --dev) answer, print the URL once, and stop
//! everything on Ctrl-C or SIGTERM, or when one of them fails.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use tokio::sync::watch;

use crate::{Cli, ready, trunk};

/// How long the in-process servers get to answer their first request.
const SERVER_PATIENCE: Duration = Duration::from_secs(30);
/// How long requests in flight get to finish after Ctrl-C.
const DRAIN: Duration = Duration::from_secs(5);

pub(crate) async fn run(cli: Cli) -> Result<(), String> {
    // The servers' own flags, from the environment, as if each ran alone; the launcher's flags win.
    let mut mock_config = airbyte_mock::Config::try_parse_from(["airbyte-mock"])
        .map_err(|e| format!("the mock's settings from the environment: {e}"))?;
    let mut demo_config = demo_server::Config::try_parse_from(["demo-server"])
        .map_err(|e| format!("the demo server's settings from the environment: {e}"))?;
    mock_config.addr = cli.mock_addr;
    if let Some(seed) = cli.seed {
        mock_config.seed = seed;
    }
    if let Some(token) = &cli.admin_token {
        mock_config.admin_token = Some(token.clone());
    }

    if cli.dev {
        // Fail early, naming the port, rather than after the servers are up.
        let addr = SocketAddr::from(([127, 0, 0, 1], cli.dev_port));
        drop(workbench_http::Listener::bind(addr).await.map_err(|e| {
            format!("trunk serve {e} (choose another with --dev-port or TRUNK_SERVE_PORT)")
        })?);
    }
    let mock = airbyte_mock::Server::bind(&mock_config)
        .await
        .map_err(|e| {
            format!("the mock {e} (choose another with --mock-addr or AIRBYTE_MOCK_ADDR)")
        })?;
    let mock_url = format!("http://{}", workbench_http::reachable(mock.local_addr()));

    demo_config.addr = cli.demo_addr;
    demo_config.airbyte_api_url = cli
        .airbyte_api_url
        .clone()
        .unwrap_or_else(|| format!("{mock_url}/api/v1"));
    if cli.airbyte_api_url.is_none() {
        // The panel talks to the mock started here, with its token.
        demo_config.mock_admin_token = mock_config.admin_token.clone();
    }
    demo_config.allowed_origin = cli.allowed_origin.clone().or_else(|| {
        cli.dev
            .then(|| format!("http://localhost:{}", cli.dev_port))
    });
    let demo = demo_server::Server::bind(&demo_config).await.map_err(|e| {
        format!("the demo server {e} (choose another with --demo-addr or DEMO_SERVER_ADDR)")
    })?;
    let demo_url = format!("http://{}", workbench_http::reachable(demo.local_addr()));
    let page = if cli.dev {
        format!("http://localhost:{}", cli.dev_port)
    } else {
        demo.url().to_owned()
    };
    if cli.dev && demo.local_addr().port() != 3000 {
        tracing::warn!(
            demo = %demo_url,
            "web/Trunk.toml forwards /api/ to 127.0.0.1:3000, not to this demo server"
        );
    }
    tracing::info!(mock = %mock_url, demo = %demo_url, "starting");

    let shutdown = workbench_http::shutdown_signal();
    tokio::pin!(shutdown);
    let (stop, stopped) = watch::channel(false);
    let mut mock_task = tokio::spawn(mock.run(until(stopped.clone())));
    let mut demo_task = tokio::spawn(demo.run(until(stopped)));
    let mut trunk_child = None;

    let outcome = async {
        let both_answer = async {
            ready::until_ok(&format!("{mock_url}/_mock/health"), Some(SERVER_PATIENCE)).await?;
            ready::until_ok(&format!("{demo_url}/healthz"), Some(SERVER_PATIENCE)).await
        };
        tokio::select! {
            answered = both_answer => answered?,
            ended = &mut mock_task => return Err(ended_early("the mock", ended)),
            ended = &mut demo_task => return Err(ended_early("the demo server", ended)),
            () = &mut shutdown => return Ok(()),
        }
        if cli.dev {
            let child = trunk_child.insert(trunk::spawn(&cli.trunk, &cli.web_dir, cli.dev_port)?);
            // The first build can take minutes: wait as long as trunk runs.
            let trunk_url = format!("http://127.0.0.1:{}/", cli.dev_port);
            tokio::select! {
                answered = ready::until_ok(&trunk_url, None) => answered?,
                status = child.wait() => {
                    return Err(format!("trunk serve stopped before it answered ({})", describe(status)));
                }
                ended = &mut mock_task => return Err(ended_early("the mock", ended)),
                ended = &mut demo_task => return Err(ended_early("the demo server", ended)),
                () = &mut shutdown => return Ok(()),
            }
        }

        println!("Open {page}  (Ctrl-C stops everything)");

        let trunk_exit = async {
            match trunk_child.as_mut() {
                Some(child) => child.wait().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut shutdown => Ok(()),
            ended = &mut mock_task => Err(ended_early("the mock", ended)),
            ended = &mut demo_task => Err(ended_early("the demo server", ended)),
            status = trunk_exit => Err(format!("trunk serve stopped ({})", describe(status))),
        }
    }
    .await;

    tracing::info!("stopping");
    let _ = stop.send(true);
    if let Some(child) = trunk_child {
        trunk::stop(child).await;
    }
    for task in [mock_task, demo_task] {
        if !task.is_finished() && tokio::time::timeout(DRAIN, task).await.is_err() {
            tracing::warn!("a server did not finish its requests within {DRAIN:?}");
        }
    }
    outcome
}

/// Completes once `stop` says so (or its sender is gone).
async fn until(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// A server's task ended before it was told to stop.
fn ended_early(server: &str, ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> String {
    match ended {
        Ok(Ok(())) => format!("{server} stopped unexpectedly"),
        Ok(Err(e)) => format!("{server} failed: {e}"),
        Err(e) => format!("{server} crashed: {e}"),
    }
}

fn describe(status: std::io::Result<std::process::ExitStatus>) -> String {
    match status {
        Ok(status) => status.to_string(),
        Err(e) => e.to_string(),
    }
}
