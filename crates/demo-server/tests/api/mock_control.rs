//! The "Mock control" panel's backend: `GET /api/mock` says whether the upstream is the mock, and
//! `/api/mock/*` forwards the panel's routes to the mock's `/_mock/*` (with the admin token when
//! configured), streaming the response; against anything else it is 404.

use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, spawn_app, spawn_with};

const ADMIN_TOKEN: &str = "panel-admin-token-9d41";

impl TestApp {
    async fn mock_call(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.demo));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the demo server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        self.seen.lock().unwrap().push(text.clone());
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

#[tokio::test]
async fn against_the_mock_the_panel_is_on_and_health_and_reset_pass_through() {
    let app = spawn_app().await;
    let (status, body) = app.get_demo("/api/mock").await;
    assert_eq!((status, &body), (200, &json!({"mock": true})));

    let (status, body) = app.get_demo("/api/mock/health").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["public_url"], app.mock.url());

    // Some state, then a reset through the demo server empties it.
    app.widget_token("panel-user").await;
    assert_eq!(app.mock_health().await["counts"]["workspaces"], 1);
    let (status, body) = app
        .mock_call(reqwest::Method::POST, "/api/mock/reset", &[])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "reset");
    assert_eq!(app.mock_health().await["counts"]["workspaces"], 0);
}

#[tokio::test]
async fn the_mocks_status_and_error_body_come_back_unchanged() {
    let app = spawn_app().await;
    // A wrong method: the mock's own 405 in Airbyte's shape, so the method was forwarded as sent.
    let (status, body) = app
        .mock_call(reqwest::Method::DELETE, "/api/mock/health", &[])
        .await;
    assert_eq!(status, 405, "{body}");
    airbyte_mock::testkit::assert_error_shape(&body);
}

#[tokio::test]
async fn only_the_panels_routes_are_forwarded() {
    let app = spawn_app().await;
    for path in [
        "/api/mock/state",
        "/api/mock/fixtures",
        "/api/mock/tokens/expire",
    ] {
        let (status, body) = app.mock_call(reqwest::Method::POST, path, &[]).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("does not forward")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_request_from_another_site_is_refused() {
    let app = spawn_app().await;
    let before = app.mock_health().await["revision"].clone();
    for site in ["cross-site", "same-site"] {
        let (status, body) = app
            .mock_call(
                reqwest::Method::POST,
                "/api/mock/reset",
                &[("sec-fetch-site", site)],
            )
            .await;
        assert_eq!(status, 403, "{site}: {body}");
    }
    assert_eq!(app.mock_health().await["revision"], before, "nothing reset");
    let (status, _) = app
        .mock_call(
            reqwest::Method::POST,
            "/api/mock/reset",
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_admin_token_is_added_by_the_server_and_never_shown() {
    let app = spawn_with(Options {
        mock_admin_token: Some(ADMIN_TOKEN.into()),
        demo_mock_admin_token: Some(ADMIN_TOKEN.into()),
        ..Options::default()
    })
    .await;
    // The mock itself refuses a request without it...
    let direct = app
        .mock
        .client()
        .post(format!("{}/_mock/reset", app.mock.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 401);
    // ...and accepts the demo server's.
    let (status, body) = app
        .mock_call(reqwest::Method::POST, "/api/mock/reset", &[])
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, config) = app.get_demo("/api/config").await;
    let seen = app.seen.lock().unwrap().join("\n") + &config.to_string();
    assert!(
        !seen.contains(ADMIN_TOKEN),
        "the admin token leaked: {seen}"
    );
}

#[tokio::test]
async fn without_the_admin_token_the_mocks_401_is_passed_on() {
    let app = spawn_with(Options {
        mock_admin_token: Some(ADMIN_TOKEN.into()),
        ..Options::default()
    })
    .await;
    let (status, body) = app.get_demo("/api/mock").await;
    assert_eq!(body, json!({"mock": true}), "health needs no token");
    assert_eq!(status, 200);
    let (status, body) = app
        .mock_call(reqwest::Method::POST, "/api/mock/reset", &[])
        .await;
    assert_eq!(status, 401, "{body}");
    let message = airbyte_mock::testkit::assert_error_shape(&body);
    assert!(message.contains("admin token"), "{message}");
}

#[tokio::test]
async fn against_an_api_that_is_not_the_mock_there_is_no_panel() {
    // An upstream that answers, but not as the mock (the mock's router has no /elsewhere/_mock/health).
    let spawned = spawn_app().await;
    let elsewhere = format!("{}/elsewhere/api/v1", spawned.mock.url());
    // And one that does not answer at all.
    for api_url in [elsewhere, "http://127.0.0.1:9/api/v1".to_owned()] {
        let app = spawn_with(Options {
            api_url: Some(api_url.clone()),
            ..Options::default()
        })
        .await;
        let (status, body) = app.get_demo("/api/mock").await;
        assert_eq!((status, &body), (200, &json!({"mock": false})), "{api_url}");
        for (method, path) in [
            (reqwest::Method::POST, "/api/mock/reset"),
            (reqwest::Method::GET, "/api/mock/health"),
            (reqwest::Method::GET, "/api/mock/requests/stream"),
        ] {
            let (status, body) = app.mock_call(method, path, &[]).await;
            assert_eq!(status, 404, "{api_url} {path}: {body}");
            assert!(
                body["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("not the offline mock")),
                "{body}"
            );
        }
    }
}

/// A stand-in for the mock's journal stream (the real one lives in another part of the mock): the
/// demo server must pass each event on as it comes, not when the stream ends (it never does).
#[tokio::test]
async fn the_journal_stream_is_passed_through_as_it_arrives() {
    let upstream = axum::Router::new()
        .route(
            "/_mock/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route(
            "/_mock/requests/stream",
            get(|| async {
                let events = futures::stream::unfold(0u32, |n| async move {
                    if n > 0 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    let event = format!("event: request\ndata: {{\"id\":{n}}}\n\n");
                    Some((Ok::<_, std::convert::Infallible>(event), n + 1))
                });
                (
                    [
                        ("content-type", "text/event-stream"),
                        ("cache-control", "no-cache"),
                    ],
                    Body::from_stream(events),
                )
                    .into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, upstream).await });

    // The demo server started here, to stop it while the stream is open.
    let demo = demo_server::Server::bind(&demo_server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        airbyte_api_url: format!("{upstream_url}/api/v1"),
        dist: std::env::temp_dir().join("demo-server-tests-no-dist"),
        ..demo_server::Config::default()
    })
    .await
    .unwrap();
    let demo_url = format!("http://{}", demo.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(demo.run(async move {
        let _ = stopped.await;
    }));

    let mut response = reqwest::Client::new()
        .get(format!("{demo_url}/api/mock/requests/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let mut received = String::new();
    while !received.contains("\"id\":2") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk())
            .await
            .expect("events arrive while the stream is open")
            .unwrap()
            .expect("the stream stays open");
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(
        received.starts_with("event: request\ndata: {\"id\":0}\n\n"),
        "{received}"
    );

    // Shutting down ends the stream (the upstream's never does), so the server can stop.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while response.chunk().await.ok().flatten().is_some() {}
    })
    .await
    .expect("the stream ends when the server shuts down");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}
