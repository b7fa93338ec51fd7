//! The widget stand-in the mock serves: the `AirbyteEmbeddedWidget` scripts, the CDN-shaped path, the
//! authentication-module page and its assets, the diagnostics endpoint and the OAuth consent popup.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use airbyte_mock::testkit::{assert_error_shape, error_fields};

const CDN: &str = "/npm/@airbyte-embedded/airbyte-embedded-widget@0.4.5";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("ASCII header")
}

async fn get_ok(app: &TestApp, path: &str) -> (HeaderMap, String) {
    let (status, headers, body) = app.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    (headers, body)
}

#[tokio::test]
async fn widget_js_is_a_revalidated_classic_script() {
    let app = spawn_app().await;
    let (headers, body) = get_ok(&app, "/widget.js").await;
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&headers, "cache-control"), "no-cache");
    assert!(
        body.contains("window.AirbyteEmbeddedWidget"),
        "defines the global"
    );
    assert!(body.contains("class AirbyteEmbeddedWidget"));
    let etag = header(&headers, "etag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );

    let (status, headers, body) = app
        .send_raw(
            app.request(Method::GET, "/widget.js", None)
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty(), "304 has no body");
    assert_eq!(header(&headers, "etag"), etag);
    let (status, _, body) = app
        .send_raw(
            app.request(Method::GET, "/widget.js", None)
                .header("if-none-match", format!("\"stale\", {etag}")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "a list containing the tag matches"
    );
    assert!(body.is_empty());
    let (status, _, body) = app
        .send_raw(
            app.request(Method::GET, "/widget.js", None)
                .header("if-none-match", "\"stale\""),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn widget_esm_js_exports_the_same_class() {
    let app = spawn_app().await;
    let (headers, esm) = get_ok(&app, "/widget.esm.js").await;
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert!(
        esm.contains("export default AirbyteEmbeddedWidget"),
        "default export"
    );
    assert!(
        esm.contains("export { AirbyteEmbeddedWidget }"),
        "named export"
    );
    assert!(
        !esm.contains("/*__WIDGET_CLASS__*/"),
        "the template marker is replaced"
    );
    // The class body is exactly the one in widget.js.
    let (_, classic) = get_ok(&app, "/widget.js").await;
    let class: Vec<&str> = classic
        .lines()
        .skip_while(|l| !l.contains("// --- BEGIN AirbyteEmbeddedWidget ---"))
        .skip(1)
        .take_while(|l| !l.contains("// --- END AirbyteEmbeddedWidget ---"))
        .collect();
    assert!(
        class.len() > 20,
        "widget.js has the marked class ({} lines)",
        class.len()
    );
    let class = class.join("\n");
    assert!(
        esm.contains(class.trim_end()),
        "widget.esm.js embeds the class of widget.js"
    );
    assert_ne!(
        header(&headers, "etag"),
        header(&get_ok(&app, "/widget.js").await.0, "etag"),
        "different bodies, different ETags"
    );
}

#[tokio::test]
async fn the_cdn_path_serves_the_widget_and_nothing_else() {
    let app = spawn_app().await;
    let (_, classic) = get_ok(&app, "/widget.js").await;
    let (headers, cdn) = get_ok(&app, CDN).await;
    assert_eq!(cdn, classic, "the CDN path serves /widget.js");
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    let (_, esm) = get_ok(&app, "/widget.esm.js").await;
    let (_, cdn_esm) = get_ok(&app, &format!("{CDN}/+esm")).await;
    assert_eq!(cdn_esm, esm);

    for path in [
        "/npm/@airbyte-embedded/other-widget@0.4.5",
        "/npm/react@18.2.0",
        "/npm/@airbyte-embedded/airbyte-embedded-widget",
        "/npm/@airbyte-embedded/airbyte-embedded-widget@",
    ] {
        let (status, _, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error_shape(&body);
    }
}

#[tokio::test]
async fn the_module_page_and_its_assets() {
    let app = spawn_app().await;
    let (_, _, jwt) = app.widget_token("page-co", "http://localhost:3000").await;
    let workspace =
        airbyte_mock::testkit::jwt_claims(&jwt)["io.airbyte.auth.workspace_scope"]["workspaceId"]
            .as_str()
            .expect("workspace")
            .to_owned();
    let (headers, html) = get_ok(
        &app,
        &format!(
            "/embedded-widget?workspaceId={workspace}&allowedOrigin=http%3A%2F%2Flocalhost%3A3000"
        ),
    )
    .await;
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    let csp = header(&headers, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(html.contains("/embedded-widget/app.js") && html.contains("/embedded-widget/app.css"));

    let (headers, js) = get_ok(&app, "/embedded-widget/app.js").await;
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert!(!js.is_empty());
    let (headers, css) = get_ok(&app, "/embedded-widget/app.css").await;
    assert!(header(&headers, "content-type").starts_with("text/css"));
    assert!(!css.is_empty());
}

#[tokio::test]
async fn diagnostics_are_accepted_with_204() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .post(
            "/embedded-widget/diagnostics",
            None,
            &json!({"problem": "origin_mismatch", "expected": "http://localhost:3000",
                    "received": "http://localhost:3000/", "hint": "drop the trailing slash"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = app
        .post(
            "/embedded-widget/diagnostics",
            None,
            &json!({"problem": "x".repeat(10_000)}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "long values are clipped, not refused: {body}"
    );
    let (status, _, body) = app
        .post(
            "/embedded-widget/diagnostics",
            None,
            &json!({"hint": "no problem given"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["problem".to_owned()]);
}

#[tokio::test]
async fn the_oauth_consent_page_needs_an_oauth_template() {
    let app = spawn_app().await;
    let sheets = app.template_id("Google Sheets");
    let (headers, html) = get_ok(
        &app,
        &format!("/embedded-widget/oauth/consent?source_template_id={sheets}"),
    )
    .await;
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(
        html.contains("credentials.refresh_token"),
        "the payload fills the OAuth outputs"
    );
    assert!(html.contains("credentials.client_id"));
    assert!(
        !html.contains("__CONSENT_DATA__"),
        "the placeholder is replaced"
    );
    assert!(html.contains("Google Sheets"));

    let stripe = app.template_id("Stripe");
    let (status, _, body) = app
        .get(
            &format!("/embedded-widget/oauth/consent?source_template_id={stripe}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(assert_error_shape(&body).contains("OAuth"));
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);

    let (status, _, _) = app
        .get(
            &format!(
                "/embedded-widget/oauth/consent?source_template_id={}",
                Uuid::new_v4()
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = app.get("/embedded-widget/oauth/consent", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);
}

#[tokio::test]
async fn no_served_asset_contains_the_client_secret() {
    let app = spawn_app().await;
    let sheets = app.template_id("Google Sheets");
    let salesforce = app.template_id("Salesforce");
    for path in [
        "/widget.js".to_owned(),
        "/widget.esm.js".to_owned(),
        CDN.to_owned(),
        "/embedded-widget".to_owned(),
        "/embedded-widget/app.js".to_owned(),
        "/embedded-widget/app.css".to_owned(),
        format!("/embedded-widget/oauth/consent?source_template_id={sheets}"),
        format!("/embedded-widget/oauth/consent?source_template_id={salesforce}"),
    ] {
        let (_, body) = get_ok(&app, &path).await;
        assert!(
            !body.contains(crate::helpers::CLIENT_SECRET),
            "{path} contains the client secret"
        );
        assert!(!body.contains("mock-client-secret"), "{path}");
    }
}
