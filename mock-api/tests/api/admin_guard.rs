//! Who may use `/_mock/*`: the admin token (either header, any peer), loopback only without one, an
//! open `/_mock/health`, and no CORS allow headers on the control plane.

use airbyte_mock::testkit::assert_error_shape;
use airbyte_mock::{Config, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{ORIGIN, spawn_app};

const TOKEN: &str = "admin-token-for-tests-51c2";

async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = server
        .client()
        .request(method, format!("{}{path}", server.url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the mock answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

async fn with_token() -> TestServer {
    TestServer::with(Config {
        admin_token: Some(TOKEN.into()),
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn without_a_token_loopback_clients_use_the_control_plane() {
    let app = spawn_app().await;
    let (status, _, body) = app.post("/_mock/reset", None, &serde_json::json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app.get("/_mock/health", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn with_a_token_every_route_but_health_needs_it() {
    let server = with_token().await;
    let (status, _, body) = send(&server, Method::GET, "/_mock/health", &[]).await;
    assert_eq!(status, StatusCode::OK, "health stays open: {body}");
    assert_eq!(body["status"], "ok");

    // Known and unknown routes alike: no token, a wrong one, the wrong scheme.
    let basic = format!("Basic {TOKEN}");
    for path in [
        "/_mock/reset",
        "/_mock/state",
        "/_mock/requests",
        "/_mock/no-such-route",
    ] {
        for headers in [
            vec![],
            vec![("authorization", "Bearer not-the-token")],
            vec![("authorization", basic.as_str())],
            vec![("x-mock-admin-token", "admin-token-for-tests-51c")],
        ] {
            let (status, _, body) = send(&server, Method::POST, path, &headers).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{path} {headers:?}: {body}"
            );
            let message = assert_error_shape(&body);
            assert!(message.contains("admin token"), "{message}");
            assert!(
                !body.to_string().contains(TOKEN),
                "the token is never echoed: {body}"
            );
        }
    }

    let bearer = format!("Bearer {TOKEN}");
    let (status, _, body) = send(
        &server,
        Method::POST,
        "/_mock/reset",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "reset");
    let (status, _, body) = send(
        &server,
        Method::POST,
        "/_mock/reset",
        &[("x-mock-admin-token", TOKEN)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The Airbyte API itself is unaffected by the admin token.
    let token = server.application_token().await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn an_empty_admin_token_is_no_token() {
    let server = TestServer::with(Config {
        admin_token: Some(String::new()),
        ..Config::default()
    })
    .await;
    let (status, _, body) = send(&server, Method::POST, "/_mock/reset", &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "loopback, no token configured: {body}"
    );
}

#[tokio::test]
async fn the_control_plane_sends_no_cors_allow_headers() {
    let app = spawn_app().await;
    // Even for an origin the mock has minted a widget token for (its end-user API allows that one).
    app.widget_token("cors-admin-co", ORIGIN).await;
    // The same preflight on the end-user API is allowed, so the checks below mean something.
    let (status, headers, _) = app
        .send(
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/embedded/sources"))
                .header("origin", ORIGIN)
                .header("access-control-request-method", "POST"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    for (method, path) in [
        (Method::OPTIONS, "/_mock/reset"),
        (Method::OPTIONS, "/_mock/health"),
        (Method::GET, "/_mock/health"),
        (Method::POST, "/_mock/reset"),
    ] {
        let (_, headers, _) = app
            .send(
                app.client
                    .request(method.clone(), app.url(path))
                    .header("origin", ORIGIN)
                    .header("access-control-request-method", "POST"),
            )
            .await;
        let cors: Vec<_> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{method} {path} sent {cors:?}");
    }
}
