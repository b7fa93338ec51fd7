//! Connector definitions from the catalog and cron describe, every success validated against the
//! published document; errors in Airbyte's shape naming the field.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, SEEDED_TEMPLATES, spawn_app};
use airbyte_mock::testkit::{assert_error_shape, error_for};

/// Asserts a 200 whose body the published document accepts for `method path`.
pub(crate) fn assert_documented(method: &str, path: &str, reply: &Reply) {
    let (status, _, body) = reply;
    assert_eq!(*status, StatusCode::OK, "{method} {path}: {body}");
    if let Err(problems) = airbyte_openapi::check_response(method, path, 200, body) {
        panic!("{method} {path}: {}\n{body}", problems.join("\n"));
    }
}

const GITHUB: &str = "ef69ef6e-aa7f-4af1-a01d-ef775033524e";
const BIGQUERY: &str = "22f6c74f-5699-40ff-833c-4a879ea40133";
const S3: &str = "4816b78f-1489-44c1-9060-4b19d5fa9362";

#[tokio::test]
async fn source_definitions_list_every_catalog_connector_and_filter_by_name() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let all = app
        .get("/api/v1/integrations/definitions/sources", Some(&token))
        .await;
    assert_documented("get", "/api/v1/integrations/definitions/sources", &all);
    let names: Vec<&str> = all.2["definitions"]
        .as_array()
        .expect("definitions")
        .iter()
        .map(|d| d["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, SEEDED_TEMPLATES);
    let github = &all.2["definitions"][0];
    assert_eq!(github["sourceDefinitionId"], GITHUB);
    assert_eq!(github["dockerRepository"], "airbyte/source-github");

    let some = app
        .get(
            "/api/v1/integrations/definitions/sources?name=GOOGLE",
            Some(&token),
        )
        .await;
    assert_documented("get", "/api/v1/integrations/definitions/sources", &some);
    assert_eq!(
        some.2["definitions"],
        json!([all.2["definitions"][4].clone()])
    );
}

#[tokio::test]
async fn a_source_definition_has_its_spec_and_an_unknown_one_is_404() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let path = "/api/v1/integrations/definitions/sources/{id}";
    for def in ["36c891d9-4bd9-43ac-bad2-10e12756272c", GITHUB] {
        let one = app
            .get(
                &format!("/api/v1/integrations/definitions/sources/{def}"),
                Some(&token),
            )
            .await;
        assert_documented("get", path, &one);
        assert_eq!(one.2["id"], def);
        assert!(one.2["definition"]["spec"]["connectionSpecification"]["properties"].is_object());
    }
    let hubspot = app
        .get(
            "/api/v1/integrations/definitions/sources/36c891d9-4bd9-43ac-bad2-10e12756272c",
            Some(&token),
        )
        .await;
    assert!(hubspot.2["definition"]["spec"]["advanced_auth"].is_object());

    let missing = app
        .get(
            "/api/v1/integrations/definitions/sources/00000000-0000-4000-8000-000000000000",
            Some(&token),
        )
        .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    assert_error_shape(&missing.2);
    let bad = app
        .get(
            "/api/v1/integrations/definitions/sources/nope",
            Some(&token),
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_for(&bad.2, "id").is_some(), "{}", bad.2);
    let anonymous = app
        .get("/api/v1/integrations/definitions/sources", None)
        .await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn destination_definitions_list_filter_and_get() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let list_path = "/api/v1/integrations/definitions/destinations";
    let all = app.get(list_path, Some(&token)).await;
    assert_documented("get", list_path, &all);
    let names: Vec<&str> = all.2["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .map(|d| d["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["S3", "BigQuery", "Snowflake", "Postgres"]);

    let filtered = app
        .get(
            &format!("{list_path}?actorDefinitionIds={BIGQUERY}&actorDefinitionIds={S3}"),
            Some(&token),
        )
        .await;
    assert_documented("get", list_path, &filtered);
    assert_eq!(filtered.2["destinations"].as_array().map(Vec::len), Some(2));
    let bad = app
        .get(
            &format!("{list_path}?actorDefinitionIds=nope"),
            Some(&token),
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_for(&bad.2, "actorDefinitionIds").is_some(),
        "{}",
        bad.2
    );

    let path = "/api/v1/integrations/definitions/destinations/{id}";
    for def in all.2["destinations"].as_array().expect("destinations") {
        let id = def["id"].as_str().expect("id");
        let one = app.get(&format!("{list_path}/{id}"), Some(&token)).await;
        assert_documented("get", path, &one);
        let spec = &one.2["definition"]["spec"];
        assert!(
            !spec["connectionSpecification"]["required"]
                .as_array()
                .is_none_or(Vec::is_empty),
            "{id}: a real-looking spec"
        );
        assert_eq!(one.2["definition"]["destinationDefinitionId"], id);
    }
    let missing = app
        .get(&format!("{list_path}/{GITHUB}"), Some(&token))
        .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    assert_error_shape(&missing.2);
}

#[tokio::test]
async fn cron_describe_answers_valid_and_invalid_expressions() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let path = "/api/v1/integrations/templates/connections/cron/describe";
    let table = [
        ("0 0 2 * * ?", true, "At 02:00, every day"),
        (
            "0 30 9 ? * MON-FRI",
            true,
            "At 09:30, Monday through Friday",
        ),
        ("0 0 * * * ?", true, "Every hour, at minute 0"),
        ("0 0 2 * * *", false, "'?'"),
        ("0 2 * * *", false, "6 or 7 fields"),
        ("0 0 25 * * ?", false, "Invalid cron expression"),
    ];
    for (expression, valid, text) in table {
        let reply = app
            .post(path, Some(&token), &json!({"cron_expression": expression}))
            .await;
        assert_documented("post", path, &reply);
        assert_eq!(reply.2["is_valid"], valid, "{expression}: {}", reply.2);
        assert!(
            reply.2["description"]
                .as_str()
                .is_some_and(|d| d.contains(text)),
            "{expression}: {}",
            reply.2
        );
    }
    let missing = app.post(path, Some(&token), &json!({})).await;
    assert_eq!(missing.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_for(&missing.2, "cron_expression").is_some(),
        "{}",
        missing.2
    );
    let anonymous: Value = app
        .post(path, None, &json!({"cron_expression": "0 0 2 * * ?"}))
        .await
        .2;
    assert_error_shape(&anonymous);
}
