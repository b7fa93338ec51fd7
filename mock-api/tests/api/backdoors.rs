//! The control plane's test-setup backdoors: `POST /_mock/workspaces/{name}/sources` creates a source
//! without the widget, and `POST /_mock/tokens/expire` expires every token issued so far.

use airbyte_mock::testkit::{assert_error_shape, error_fields};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app};

#[tokio::test]
async fn the_source_backdoor_creates_the_source_and_its_workspace() {
    let app = spawn_app().await;
    let body = json!({
        "source_template_id": app.template_id("Stripe"),
        "source_config": sample_config("Stripe"),
        "name": "Backdoor billing",
    });
    let (status, _, read) = app
        .post("/_mock/workspaces/backdoor%20co/sources", None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["name"], "Backdoor billing");
    assert_eq!(read["source_template"]["name"], "Stripe");
    assert_eq!(read["replication_config"]["client_secret"], "**********");
    assert_eq!(
        read["replication_config"]["slice_range"], 365,
        "the template's defaults"
    );
    assert!(!read.to_string().contains("sk_test_sampleSecret42"));
    assert!(
        app.workspace_id("backdoor co").is_some(),
        "the workspace was created"
    );

    // The end user of that workspace sees it; a second source reuses the workspace.
    let jwt = app.scoped_token("backdoor co").await;
    let (_, _, list) = app.get("/api/v1/embedded/sources", Some(&jwt)).await;
    assert_eq!(list["data"][0]["id"], read["id"]);
    let body = json!({"source_template_id": app.template_id("Sample Data (Faker)"), "source_config": {"count": 5}});
    let (status, _, _) = app
        .post("/_mock/workspaces/backdoor%20co/sources", None, &body)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.counts().await["workspaces"], 1);
}

#[tokio::test]
async fn the_source_backdoor_validates_like_the_real_create_and_leaves_nothing_behind() {
    let app = spawn_app().await;
    let revision = app.state.store.revision();

    let invalid = json!({
        "source_template_id": app.template_id("Stripe"),
        "source_config": {"account_id": "acct_1", "start_date": "yesterday"},
    });
    let (status, _, body) = app
        .post("/_mock/workspaces/refused-co/sources", None, &invalid)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    let fields = error_fields(&body);
    assert!(
        fields.contains(&"source_config.client_secret".to_owned()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"source_config.start_date".to_owned()),
        "{fields:?}"
    );

    let unknown = json!({"source_template_id": uuid::Uuid::new_v4(), "source_config": {}});
    let (status, _, body) = app
        .post("/_mock/workspaces/refused-co/sources", None, &unknown)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);

    let missing = json!({"source_template_id": app.template_id("Stripe")});
    let (status, _, body) = app
        .post("/_mock/workspaces/refused-co/sources", None, &missing)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["source_config".to_owned()]);

    // The outcome inputs apply as on the real path.
    let mut failing = sample_config("Stripe");
    failing["client_secret"] = json!("fail");
    let (status, _, body) = app
        .post(
            "/_mock/workspaces/refused-co/sources",
            None,
            &json!({"source_template_id": app.template_id("Stripe"), "source_config": failing}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        error_fields(&body),
        vec!["source_config.client_secret".to_owned()]
    );

    assert_eq!(
        app.workspace_id("refused-co"),
        None,
        "no workspace for a refused source"
    );
    assert_eq!(app.state.store.revision(), revision, "nothing was written");
}

/// Sends GET `path` with `token` and asserts a 401 saying the token expired.
async fn assert_expired(app: &TestApp, path: &str, token: &str) {
    let (status, _, body) = app.send(app.request(Method::GET, path, Some(token))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
    let message = assert_error_shape(&body);
    assert!(message.starts_with("Token expired"), "{path}: {message}");
}

#[tokio::test]
async fn expiring_tokens_makes_every_earlier_token_401_expired_and_new_ones_work() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let scoped = app.scoped_token("expiry-co").await;
    let (_, _, widget_jwt) = app.widget_token("expiry-co", ORIGIN).await;
    let operator_path = "/api/v1/integrations/templates/sources";
    let end_user_path = "/api/v1/embedded/sources";
    let (status, _, _) = app.get(end_user_path, Some(&scoped)).await;
    assert_eq!(status, StatusCode::OK, "works before");

    let (status, _, body) = app.post("/_mock/tokens/expire", None, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expired_before = body["expired_before"].as_str().expect("expired_before");
    assert!(
        time::OffsetDateTime::parse(
            expired_before,
            &time::format_description::well_known::Rfc3339
        )
        .is_ok(),
        "{expired_before} is RFC 3339"
    );

    assert_expired(&app, operator_path, &operator).await;
    assert_expired(&app, end_user_path, &scoped).await;
    assert_expired(&app, end_user_path, &widget_jwt).await;
    let (status, _, body) = app
        .get(
            "/api/v1/account/applications/scoped-token/info",
            Some(&scoped),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // New tokens work, and the state is untouched.
    let fresh_operator = app.app_token().await;
    let (status, _, body) = app.get(operator_path, Some(&fresh_operator)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh_scoped = app.scoped_token("expiry-co").await;
    let (status, _, body) = app.get(end_user_path, Some(&fresh_scoped)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A second expiry catches the tokens issued in between, and still the first generation's.
    app.post("/_mock/tokens/expire", None, &json!({})).await;
    assert_expired(&app, operator_path, &fresh_operator).await;
    assert_expired(&app, operator_path, &operator).await;
    let newest = app.app_token().await;
    let (status, _, _) = app.get(operator_path, Some(&newest)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_forged_token_is_still_an_invalid_signature_after_an_expiry() {
    let app = spawn_app().await;
    app.post("/_mock/tokens/expire", None, &json!({})).await;
    let forged = {
        let mut parts: Vec<String> = app
            .app_token()
            .await
            .split('.')
            .map(str::to_owned)
            .collect();
        parts[2] = "c2lnbmF0dXJl".into();
        parts.join(".")
    };
    let (status, _, body) = app
        .get("/api/v1/integrations/templates/sources", Some(&forged))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        assert_error_shape(&body).contains("Invalid token signature"),
        "{body}"
    );
}
