//! The operator console at `/`: the page with its CSP, every module and stylesheet with its content
//! type, and `/_mock/console/credentials` (the configured credentials, behind the admin guard).

use airbyte_mock::testkit::assert_error_shape;
use airbyte_mock::{Config, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("ASCII header")
}

#[tokio::test]
async fn the_root_is_the_console_page_with_a_strict_csp() {
    let app = spawn_app().await;
    let (status, headers, body) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    let csp = header(&headers, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(body.contains("/console/console.js"));
    assert!(!body.contains("https://"), "no CDN asset");
    for section in [
        "installation",
        "connectors",
        "customers",
        "destinations",
        "preview",
    ] {
        assert!(body.contains(&format!("id=\"{section}\"")), "{section}");
    }
}

#[tokio::test]
async fn every_console_asset_is_served_with_its_content_type() {
    let app = spawn_app().await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/console");
    let mut served = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "index.html" {
            continue;
        }
        let (status, headers, body) = app.get_text(&format!("/console/{name}")).await;
        assert_eq!(status, StatusCode::OK, "{name} is served");
        let expected = if name.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            header(&headers, "content-type").starts_with(expected),
            "{name}: {}",
            header(&headers, "content-type")
        );
        assert!(!body.is_empty(), "{name}");
        assert!(!body.contains("https://"), "{name}: no CDN asset");
        served += 1;
    }
    assert!(served >= 3, "the modules and the stylesheet");
    let (status, _, _) = app.get_text("/console/no-such.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_credentials_route_answers_the_configured_credentials() {
    let server = TestServer::with(Config {
        client_id: "console-client".into(),
        client_secret: "console-secret-123".into(),
        ..Config::default()
    })
    .await;
    let response = server
        .client()
        .get(format!("{}/_mock/console/credentials", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "no-store",
        "the secret is never cached"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["client_id"], "console-client");
    assert_eq!(body["client_secret"], "console-secret-123");
    assert_eq!(body["api_url"], server.url().trim_end_matches('/'));
}

#[tokio::test]
async fn the_credentials_route_needs_the_admin_token_when_one_is_configured() {
    const TOKEN: &str = "console-admin-token-7f3e";
    let server = TestServer::with(Config {
        admin_token: Some(TOKEN.into()),
        ..Config::default()
    })
    .await;
    let url = format!("{}/_mock/console/credentials", server.url());
    for bad in [None, Some("Bearer not-the-token")] {
        let mut request = server.client().get(&url);
        if let Some(value) = bad {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bad:?}");
        let body: Value = response.json().await.unwrap();
        assert_error_shape(&body);
        assert!(!body.to_string().contains("mock-client-secret"));
    }
    let response = server
        .client()
        .get(&url)
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["client_id"], "mock-client-id");
}
