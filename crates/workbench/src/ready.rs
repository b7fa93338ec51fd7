//! Waiting until a server answers an HTTP request.

use std::time::Duration;

/// Polls `url` with GET until it answers 2xx; gives up after `patience` (`None`: never) and says
/// what it last saw.
pub(crate) async fn until_ok(url: &str, patience: Option<Duration>) -> Result<(), String> {
    // Straight to the server: an HTTP proxy from the environment must not answer for it.
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| e.to_string())?;
    let started = tokio::time::Instant::now();
    loop {
        let last = match client.get(url).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => format!("it answered {}", response.status()),
            Err(e) => format!("{e}"),
        };
        if patience.is_some_and(|p| started.elapsed() > p) {
            return Err(format!("{url} did not answer: {last}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
