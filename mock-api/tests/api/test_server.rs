//! `TestServer` itself: free ports, shutdown on drop, and a configuration that takes effect.

use std::time::Duration;

use airbyte_mock::{Config, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn two_servers_get_different_ports_and_both_answer() {
    let a = TestServer::start().await;
    let b = TestServer::start().await;
    assert_ne!(a.addr().port(), b.addr().port());
    assert_ne!(a.url(), b.url());
    for server in [&a, &b] {
        assert_eq!(server.url(), format!("http://{}", server.addr()));
        assert_eq!(server.api_url(), format!("{}/api/v1", server.url()));
        let health: serde_json::Value = server
            .client()
            .get(format!("{}/_mock/health", server.url()))
            .send()
            .await
            .expect("the mock answers")
            .json()
            .await
            .expect("health is JSON");
        assert_eq!(health["status"], "ok");
        assert_eq!(health["public_url"], server.url());
    }
}

#[tokio::test]
async fn after_drop_the_port_stops_answering() {
    let server = TestServer::start().await;
    let addr = server.addr();
    // A request first, so a kept-alive connection exists when it shuts down.
    server.application_token().await;
    drop(server);
    // Shutdown is asynchronous: retry, bounded, until connecting is refused.
    let mut last = None;
    for _ in 0..100 {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return,
            other => last = Some(other.map(|_| "connected")),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{addr} still accepts connections after the TestServer was dropped: {last:?}");
}

#[tokio::test]
async fn with_config_applies_the_client_credentials() {
    let server = TestServer::with(Config {
        client_id: "custom-id".into(),
        client_secret: "custom-secret".into(),
        // Ignored: TestServer always binds a free loopback port.
        addr: ([127, 0, 0, 1], 8001).into(),
        ..Default::default()
    })
    .await;
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 8001);
    assert_eq!(server.config().client_id, "custom-id");

    // Its own credentials log in...
    let token = server.application_token().await;
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    // ...and the defaults no longer do.
    let defaults = Config::default();
    let reply = server
        .client()
        .post(format!("{}/account/applications/token", server.api_url()))
        .json(&json!({"client_id": defaults.client_id, "client_secret": defaults.client_secret}))
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
}
