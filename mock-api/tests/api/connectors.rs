//! The operator creating, checking and updating sources without the widget
//! (`/api/v1/integrations/connectors`, application token, `replication_config`), validated against
//! the published document.

use airbyte_embedded::SECRET_MASK;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, sample_config, spawn_app};
use airbyte_mock::testkit::assert_error_shape;

fn conforms(method: &str, path: &str, status: u16, body: &Value) {
    if let Err(problems) = airbyte_openapi::check_response(method, path, status, body) {
        panic!("{method} {path} {status}: {problems:?}\n{body}");
    }
}

async fn create(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, body) = app
        .post("/api/v1/integrations/connectors", Some(token), &body)
        .await;
    (status, body)
}

#[tokio::test]
async fn creates_a_source_by_connector_type_and_redacts_it() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, body) = create(
        &app,
        &token,
        json!({"workspace_name": "ops-user", "connector_type": "STRIPE", "replication_config": sample_config("Stripe")}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    conforms("post", "/api/v1/integrations/connectors", 200, &body);
    assert_eq!(body["replication_config"]["client_secret"], SECRET_MASK);
    assert!(body["name"].as_str().unwrap().starts_with("Stripe - "));
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        app.stored_config(id).unwrap()["client_secret"],
        "sk_test_sampleSecret42",
        "the secret is stored, only responses redact it"
    );
    // The workspace was created on first use, and the end user sees the source.
    let scoped = app.scoped_token("ops-user").await;
    let (_, _, mine) = app.get("/api/v1/embedded/sources", Some(&scoped)).await;
    assert_eq!(mine["data"][0]["id"], id);
}

#[tokio::test]
async fn picks_the_template_by_id_or_definition_and_explains_ambiguity() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let faker = app.template_id("Sample Data (Faker)");
    let (status, body) = create(
        &app,
        &token,
        json!({"workspace_name": "w", "source_template_id": faker, "replication_config": {"count": 5}, "name": "My fake data"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "My fake data");

    let definition = app.definition_id("Postgres");
    let (status, body) = create(
        &app,
        &token,
        json!({"workspace_name": "w", "definition_id": definition, "replication_config": sample_config("Postgres")}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source_template"]["name"], "Postgres");

    // A second Postgres template makes `definition_id` ambiguous.
    let (status, _, _) = app
        .post(
            "/api/v1/integrations/templates/sources",
            Some(&token),
            &json!({"original_source_template_id": app.template_id("Postgres"), "name": "Postgres (replica)"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = create(
        &app,
        &token,
        json!({"workspace_name": "w", "definition_id": definition, "replication_config": sample_config("Postgres")}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(body["errors"][0]["field"], "source_template_id");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2 templates match"),
        "{body}"
    );
}

#[tokio::test]
async fn create_errors_name_the_field() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let cases = [
        (
            json!({"connector_type": "stripe", "replication_config": {}}),
            "workspace_name",
        ),
        (
            json!({"workspace_name": "w", "connector_type": "stripe"}),
            "replication_config",
        ),
        (
            json!({"workspace_name": "w", "replication_config": {}}),
            "source_template_id",
        ),
        (
            json!({"workspace_name": "w", "connector_type": "nope", "replication_config": {}}),
            "connector_type",
        ),
        (
            json!({"workspace_name": "w", "connector_type": "stripe", "replication_config": {"account_id": 5}}),
            "replication_config.account_id",
        ),
    ];
    for (body, field) in cases {
        let (status, reply) = create(&app, &token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_error_shape(&reply);
        let fields: Vec<_> = reply["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].clone())
            .collect();
        assert!(fields.contains(&json!(field)), "{body}: {reply}");
    }
    // The outcome inputs work here too, on replication_config.
    let mut failing = sample_config("Stripe");
    failing["client_secret"] = json!("fail");
    let (status, reply) = create(
        &app,
        &token,
        json!({"workspace_name": "w", "connector_type": "stripe", "replication_config": failing}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    assert_eq!(
        reply["errors"][0]["field"],
        "replication_config.client_secret"
    );
    assert_eq!(reply["errors"][0]["error_code"], "check_failed");
    // A scoped token may not create for others.
    let scoped = app.scoped_token("w").await;
    let (status, _) = create(&app, &scoped, json!({"workspace_name": "w"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn checks_and_updates_keep_masked_secrets() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let body = json!({"workspace_name": "checker", "connector_type": "stripe", "replication_config": sample_config("Stripe")});
    let (status, _, check) = app
        .post("/api/v1/integrations/connectors/check", Some(&token), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{check}");
    conforms("post", "/api/v1/integrations/connectors/check", 200, &check);
    assert_eq!(check["status"], "succeeded");

    let (_, created) = create(&app, &token, body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let mut update = created["replication_config"].clone();
    update["account_id"] = json!("acct_updated");
    let path = format!("/api/v1/integrations/connectors/{id}");
    let (status, _, updated) = app
        .put(&path, Some(&token), &json!({"replication_config": update}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    conforms("put", "/api/v1/integrations/connectors/{id}", 200, &updated);
    assert_eq!(updated["replication_config"]["account_id"], "acct_updated");
    assert_eq!(
        app.stored_config(&id).unwrap()["client_secret"],
        "sk_test_sampleSecret42"
    );

    let check_path = format!("/api/v1/integrations/connectors/{id}/check");
    let (status, _, checked) = app.post(&check_path, Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    conforms(
        "post",
        "/api/v1/integrations/connectors/{id}/check",
        200,
        &checked,
    );
    assert_eq!(checked["status"], "succeeded");
    let mut failing = updated["replication_config"].clone();
    failing["client_secret"] = json!("error_EXPIRED");
    let (_, _, failed) = app
        .post(
            &check_path,
            Some(&token),
            &json!({"replication_config": failing}),
        )
        .await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error_message"]
            .as_str()
            .unwrap()
            .contains("EXPIRED")
    );

    let (status, _, renamed) = app
        .put(&path, Some(&token), &json!({"name": "Renamed"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Renamed");
    let (status, _, empty) = app.put(&path, Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    assert_eq!(empty["errors"][0]["field"], "replication_config");
}
