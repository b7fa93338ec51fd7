//! The widget stand-in the mock serves: the `AirbyteEmbeddedWidget` scripts, the CDN-shaped path, the
//! authentication-module page and its modules, the diagnostics endpoint and the OAuth consent popup.

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

/// The widget's code exists once; both scripts are it plus a wrapper.
const WIDGET_SOURCE: &str = include_str!("../../assets/widget/airbyte-embedded-widget.js");

#[tokio::test]
async fn widget_js_and_widget_esm_js_are_the_same_code() {
    let app = spawn_app().await;
    let (headers, esm) = get_ok(&app, "/widget.esm.js").await;
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&headers, "access-control-allow-origin"), "*");
    let (_, classic) = get_ok(&app, "/widget.js").await;
    for (name, body) in [("widget.js", &classic), ("widget.esm.js", &esm)] {
        assert!(
            body.contains(WIDGET_SOURCE),
            "{name} carries the shared source verbatim"
        );
        assert_eq!(
            body.matches("class AirbyteEmbeddedWidget").count(),
            1,
            "{name} defines the class once"
        );
        assert!(body.contains("window.AirbyteEmbeddedWidget = AirbyteEmbeddedWidget;"));
    }
    assert!(
        !WIDGET_SOURCE.lines().any(|l| l.starts_with("export ")),
        "the shared source exports nothing, so a classic script can carry it"
    );
    assert!(
        esm.contains("export default AirbyteEmbeddedWidget"),
        "default export"
    );
    assert!(
        esm.contains("export { AirbyteEmbeddedWidget }"),
        "named export"
    );
    assert!(
        !classic.lines().any(|l| l.starts_with("export ")),
        "a classic script cannot export"
    );
    assert!(
        classic.starts_with("(function () {\n\"use strict\";") && classic.ends_with("})();\n"),
        "the classic script keeps its declarations out of the global scope"
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
    assert!(
        html.contains(r#"<script type="module" src="/embedded-widget/app.js">"#),
        "the entry is an ES module"
    );
    assert!(
        html.contains(r#""allowed_origin_problem":null"#),
        "the verdict on allowedOrigin is written into the page: {html}"
    );

    let (headers, js) = get_ok(&app, "/embedded-widget/app.js").await;
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert!(!js.is_empty());
    let (headers, css) = get_ok(&app, "/embedded-widget/app.css").await;
    assert!(header(&headers, "content-type").starts_with("text/css"));
    assert!(!css.is_empty());
}

/// Every file of the page's directory: the HTML shell, its stylesheet and its modules.
fn page_files() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/embedded-widget");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the page's asset directory")
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name")
                .to_owned();
            (name, std::fs::read_to_string(&path).expect("a text file"))
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn every_page_module_is_served_as_javascript() {
    let app = spawn_app().await;
    let files = page_files();
    let modules: Vec<&(String, String)> =
        files.iter().filter(|(n, _)| n.ends_with(".js")).collect();
    assert!(
        modules.len() >= 5,
        "the page is split into modules: {modules:?}"
    );
    for (name, source) in &modules {
        let path = format!("/embedded-widget/{name}");
        let (headers, body) = get_ok(&app, &path).await;
        assert_eq!(
            header(&headers, "content-type"),
            "text/javascript; charset=utf-8",
            "{path}"
        );
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(header(&headers, "etag").starts_with('"'), "{path}");
        assert_eq!(&body, source, "{path} is the file as it is on disk");
        // Every relative import names a file that is served next to it.
        for import in body.split("from \"./").skip(1) {
            let target = import.split('"').next().unwrap_or_default();
            assert!(
                files.iter().any(|(n, _)| n == target),
                "{name} imports ./{target}, which is not in the page's directory"
            );
        }
    }
    let (headers, css) = get_ok(&app, "/embedded-widget/app.css").await;
    assert_eq!(header(&headers, "content-type"), "text/css; charset=utf-8");
    assert!(!css.is_empty());
    let (status, _, body) = app.get("/embedded-widget/nope.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body);
}

#[tokio::test]
async fn the_page_carries_the_rust_verdict_on_its_allowed_origin() {
    let app = spawn_app().await;
    let (_, html) = get_ok(&app, "/embedded-widget?allowedOrigin=localhost%3A3000").await;
    assert!(
        html.contains("must include the scheme (http:// or https://): use 'http://localhost:3000'"),
        "{html}"
    );
    let (_, html) = get_ok(&app, "/embedded-widget").await;
    assert!(html.contains("must not be empty"), "{html}");
    // Whatever the query says, it cannot end the data block and start a script.
    let (_, html) = get_ok(
        &app,
        "/embedded-widget?allowedOrigin=%3C%2Fscript%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    assert!(!html.contains("<script>alert"), "{html}");
    assert_eq!(html.matches("</script>").count(), 2, "{html}");
}

async fn diagnose(app: &TestApp, body: &serde_json::Value) -> serde_json::Value {
    let (status, headers, verdict) = app.post("/embedded-widget/diagnostics", None, body).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert!(header(&headers, "content-type").starts_with("application/json"));
    verdict
}

#[tokio::test]
async fn diagnostics_answer_the_verdict_by_the_rust_rules() {
    let app = spawn_app().await;

    // Another port: the fix is the origin the page observed.
    let v = diagnose(
        &app,
        &json!({"problem": "no_token", "expected": "http://localhost:1", "received": "http://localhost:4000"}),
    )
    .await;
    assert_eq!(v["allowed_origin_problem"], json!(null));
    assert_eq!(
        v["differences"],
        json!(["Port: expected 1, the page uses 4000."])
    );
    assert_eq!(v["suggestion"], "http://localhost:4000");
    assert_eq!(
        v["fix"],
        "Mint the widget token with allowed_origin = 'http://localhost:4000' (exactly the host page's window.location.origin)."
    );

    // localhost vs 127.0.0.1, and http vs https (the port is then not compared).
    let v = diagnose(
        &app,
        &json!({"problem": "origin_mismatch", "expected": "http://localhost:3000", "received": "http://127.0.0.1:3000"}),
    )
    .await;
    let differences = v["differences"].to_string();
    assert!(
        differences.contains("Host: expected 'localhost', the page uses '127.0.0.1'."),
        "{v}"
    );
    assert!(differences.contains("three different origins"), "{v}");
    let v = diagnose(
        &app,
        &json!({"problem": "origin_mismatch", "expected": "https://app.example.com", "received": "http://app.example.com"}),
    )
    .await;
    assert_eq!(
        v["differences"],
        json!(["Scheme: expected https, the page uses http."])
    );

    // A malformed allowedOrigin: the crate's message and suggestion.
    let v = diagnose(
        &app,
        &json!({"problem": "bad_allowed_origin", "expected": "http://localhost:3000/"}),
    )
    .await;
    let problem = v["allowed_origin_problem"].as_str().expect("a problem");
    assert!(problem.contains("must not end with '/'"), "{v}");
    assert_eq!(
        problem,
        airbyte_embedded::validate_allowed_origin("http://localhost:3000/")
            .expect_err("a trailing slash")
            .message,
        "the very rules of the widget-token endpoint"
    );
    assert_eq!(v["suggestion"], "http://localhost:3000");
    assert_eq!(
        v["fix"],
        "Mint the widget token with allowed_origin = 'http://localhost:3000'."
    );

    // Nothing to compare with: an opaque or junk origin tells nothing; equal origins differ in nothing.
    for received in [json!(null), json!("null"), json!("not an origin")] {
        let v = diagnose(
            &app,
            &json!({"problem": "no_token", "expected": "http://localhost:3000", "received": received}),
        )
        .await;
        assert_eq!(v["differences"], json!([]), "{received}: {v}");
        assert_eq!(v["suggestion"], json!(null));
        assert!(
            v["fix"]
                .as_str()
                .expect("a fix")
                .contains("window.location.origin")
        );
    }
    let v = diagnose(
        &app,
        &json!({"problem": "no_token", "expected": "http://localhost:3000", "received": "http://localhost:3000"}),
    )
    .await;
    assert_eq!(v["differences"], json!([]));
    let v = diagnose(&app, &json!({"problem": "bad_allowed_origin"})).await;
    assert!(
        v["allowed_origin_problem"]
            .as_str()
            .expect("a problem")
            .contains("must not be empty")
    );

    let v = diagnose(
        &app,
        &json!({"problem": "x".repeat(10_000), "received": "y".repeat(10_000)}),
    )
    .await;
    assert!(
        v["fix"].is_string(),
        "long values are clipped in the log, not refused"
    );
    let (status, _, body) = app
        .post(
            "/embedded-widget/diagnostics",
            None,
            &json!({"expected": "http://localhost:3000"}),
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
        format!("/embedded-widget/oauth/consent?source_template_id={sheets}"),
        format!("/embedded-widget/oauth/consent?source_template_id={salesforce}"),
    ]
    .into_iter()
    .chain(
        page_files()
            .into_iter()
            .filter(|(name, _)| name != "index.html")
            .map(|(name, _)| format!("/embedded-widget/{name}")),
    ) {
        let (_, body) = get_ok(&app, &path).await;
        assert!(
            !body.contains(crate::helpers::CLIENT_SECRET),
            "{path} contains the client secret"
        );
        assert!(!body.contains("mock-client-secret"), "{path}");
    }
}
