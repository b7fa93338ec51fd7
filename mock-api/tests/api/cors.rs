//! CORS: the end-user API answers browsers on the origin bound in the scoped token, never `*`; the
//! operator API sends no CORS headers at all.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, spawn_app};

const SOURCES: &str = "/api/v1/embedded/sources";

fn allow_origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().expect("ASCII header"))
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

async fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
) -> (StatusCode, HeaderMap) {
    let (status, headers, _) = app
        .send(
            app.request(Method::OPTIONS, path, None)
                .header("origin", origin)
                .header("access-control-request-method", method)
                .header(
                    "access-control-request-headers",
                    "authorization, content-type",
                ),
        )
        .await;
    (status, headers)
}

#[tokio::test]
async fn a_preflight_from_a_minted_origin_is_allowed() {
    let app = spawn_app().await;
    app.widget_token("cors-co", ORIGIN).await;
    for (path, method) in [
        (SOURCES.to_owned(), "POST"),
        (format!("{SOURCES}/{}", Uuid::new_v4()), "PUT"),
        (format!("{SOURCES}/{}", Uuid::new_v4()), "DELETE"),
        ("/api/v1/embedded/source-templates".to_owned(), "GET"),
        ("/api/v1/embedded/scoped-token/info".to_owned(), "GET"),
    ] {
        let (status, headers) = preflight(&app, &path, ORIGIN, method).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(allow_origin(&headers), Some(ORIGIN), "{path}");
        let methods = headers
            .get("access-control-allow-methods")
            .and_then(|v| v.to_str().ok())
            .expect("allow-methods");
        for m in ["GET", "POST", "PUT", "DELETE"] {
            assert!(methods.contains(m), "{methods}");
        }
        let allowed = headers
            .get("access-control-allow-headers")
            .and_then(|v| v.to_str().ok())
            .expect("allow-headers")
            .to_lowercase();
        for h in ["authorization", "content-type"] {
            assert!(allowed.contains(h), "{allowed}");
        }
        assert!(
            headers.get_all("vary").iter().any(|v| v
                .to_str()
                .is_ok_and(|v| v.to_lowercase().contains("origin"))),
            "Vary: Origin"
        );
    }
}

#[tokio::test]
async fn a_preflight_from_an_unknown_or_malformed_origin_gets_no_allow_origin() {
    let app = spawn_app().await;
    app.widget_token("cors-co", ORIGIN).await;
    for origin in [
        "https://evil.example.com",
        "http://localhost:3001",
        "http://localhost:3000/",
        "null",
        "*",
    ] {
        let (status, headers) = preflight(&app, SOURCES, origin, "GET").await;
        assert!(status.is_client_error(), "{origin}: {status}");
        assert_eq!(allow_origin(&headers), None, "{origin}");
        assert!(
            headers.get("access-control-allow-methods").is_none(),
            "{origin}"
        );
    }
    // Before any widget token is minted, not even the usual dev origin is allowed.
    let fresh = spawn_app().await;
    let (_, headers) = preflight(&fresh, SOURCES, ORIGIN, "GET").await;
    assert_eq!(allow_origin(&headers), None);
}

#[tokio::test]
async fn actual_responses_carry_allow_origin_only_for_the_token_s_origin() {
    let app = spawn_app().await;
    let (_, _, jwt) = app.widget_token("cors-co", ORIGIN).await;
    // Another origin that is also minted (for another workspace) is still not this token's origin.
    app.widget_token("other-co", "https://other.example.com")
        .await;

    let get = |origin: Option<&'static str>, path: String| {
        let mut request = app.request(Method::GET, &path, Some(&jwt));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        app.send(request)
    };
    let (status, headers, _) = get(Some(ORIGIN), SOURCES.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(allow_origin(&headers), Some(ORIGIN));

    let (status, headers, _) = get(Some("https://other.example.com"), SOURCES.to_owned()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "CORS is the browser's business; the API still answers"
    );
    assert_eq!(allow_origin(&headers), None);
    let (_, headers, _) = get(Some("http://localhost:3000/"), SOURCES.to_owned()).await;
    assert_eq!(allow_origin(&headers), None, "exact string match only");
    let (_, headers, _) = get(None, SOURCES.to_owned()).await;
    assert_eq!(allow_origin(&headers), None);

    // Errors from the end-user API are readable by the right page too.
    let (status, headers, _) = get(Some(ORIGIN), format!("{SOURCES}/{}", Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(allow_origin(&headers), Some(ORIGIN));

    // A scoped token from the scoped-token endpoint binds no origin: never an allow-origin.
    let plain = app.scoped_token("cors-co").await;
    let (status, headers, _) = app
        .send(
            app.request(Method::GET, SOURCES, Some(&plain))
                .header("origin", ORIGIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(allow_origin(&headers), None);
}

#[tokio::test]
async fn never_a_wildcard_on_the_api() {
    let app = spawn_app().await;
    let (_, _, jwt) = app.widget_token("cors-co", ORIGIN).await;
    for origin in [ORIGIN, "https://evil.example.com"] {
        let (_, headers, _) = app
            .send(
                app.request(Method::GET, "/api/v1/embedded/source-templates", Some(&jwt))
                    .header("origin", origin),
            )
            .await;
        assert_ne!(allow_origin(&headers), Some("*"));
        let (_, headers) = preflight(&app, SOURCES, origin, "GET").await;
        assert_ne!(allow_origin(&headers), Some("*"));
    }
}

#[tokio::test]
async fn operator_endpoints_send_no_cors_headers() {
    let app = spawn_app().await;
    app.widget_token("cors-co", ORIGIN).await;
    let token = app.app_token().await;
    for path in [
        "/api/v1/integrations/templates/sources",
        "/api/v1/integrations/connectors",
        "/api/v1/workspaces",
    ] {
        let (status, headers, _) = app
            .send(
                app.request(Method::GET, path, Some(&token))
                    .header("origin", ORIGIN),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(cors_headers(&headers).is_empty(), "{path}: {headers:?}");
        let (_, headers) = preflight(&app, path, ORIGIN, "GET").await;
        assert!(
            cors_headers(&headers).is_empty(),
            "{path} preflight: {headers:?}"
        );
    }
    // The credential exchange itself must not be callable from a browser.
    let (_, headers) = preflight(&app, "/api/v1/account/applications/token", ORIGIN, "POST").await;
    assert!(cors_headers(&headers).is_empty(), "{headers:?}");
    let (_, headers) = preflight(
        &app,
        "/api/v1/account/applications/widget-token",
        ORIGIN,
        "POST",
    )
    .await;
    assert!(cors_headers(&headers).is_empty(), "{headers:?}");
}
