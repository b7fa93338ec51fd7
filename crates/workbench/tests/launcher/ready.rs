//! The URL appears once, only after both servers answer; a signal stops both.

use crate::helpers::{mock_root, start};

#[tokio::test]
async fn prints_the_url_once_after_both_servers_answer_and_stops_on_ctrl_c() {
    let mut launcher = start(&[]);
    let url = launcher.url().await.expect("a URL on stdout");
    assert!(url.starts_with("http://localhost:"), "{url}");

    // Right away, without retrying: both already answer.
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .expect("demo server answers");
    assert_eq!(health.status(), 200);
    let mock = mock_root(&http, &url).await;
    let mock_health = http
        .get(format!("{mock}/_mock/health"))
        .send()
        .await
        .expect("mock answers");
    assert_eq!(mock_health.status(), 200);

    // The demo server reaches the mock: a widget token goes through both.
    let token = http
        .post(format!("{url}/api/airbyte/widget-token"))
        .json(&serde_json::json!({"userId": "user_123"}))
        .send()
        .await
        .expect("widget token");
    assert_eq!(token.status(), 200);

    launcher.signal("INT");
    let (status, printed, stderr) = launcher.finish().await;
    assert!(status.success(), "{status}\n{stderr}");
    let urls = printed.iter().filter(|l| l.contains("http://")).count();
    assert_eq!(urls, 1, "the URL is printed exactly once: {printed:?}");
    assert!(printed.iter().all(|l| !l.contains(&mock)), "{printed:?}");
}

#[tokio::test]
async fn sigterm_stops_both_servers() {
    let mut launcher = start(&[]);
    let url = launcher.url().await.expect("a URL on stdout");
    let http = reqwest::Client::new();
    let mock = mock_root(&http, &url).await;

    launcher.signal("TERM");
    let (status, _, stderr) = launcher.finish().await;
    assert!(status.success(), "{status}\n{stderr}");
    let fresh = reqwest::Client::new();
    for gone in [format!("{url}/healthz"), format!("{mock}/_mock/health")] {
        assert!(
            fresh.get(&gone).send().await.is_err(),
            "{gone} still answers"
        );
    }
}

#[tokio::test]
async fn dev_without_trunk_fails_and_prints_no_url() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let launcher_args = [
        "--dev",
        "--dev-port",
        &port,
        "--trunk",
        "/nonexistent/trunk",
    ];
    let mut launcher = start(&launcher_args);
    assert_eq!(launcher.url().await, None);
    let (status, printed, stderr) = launcher.finish().await;
    assert!(!status.success());
    assert!(printed.is_empty(), "{printed:?}");
    assert!(stderr.contains("/nonexistent/trunk"), "{stderr}");
}
