//! Contract tests: real responses of every implemented operation that Airbyte's published Agent API
//! document (OpenAPI 3.1, 0.9.0, embedded in the `airbyte-openapi` crate) contains, validated against the document's
//! own response schema for that status. Error bodies are validated against `ApiErrorResponse`.
//!
//! Each validator is built from the whole document with a root `$ref` to the response schema, so the
//! document's internal `#/components/schemas/...` references resolve as published. Formats (`uuid`,
//! `date-time`) are asserted too, not just annotated.

use std::sync::LazyLock;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app};

use airbyte_openapi::{DOCUMENT, problems};

static OPENAPI: LazyLock<&'static Value> = LazyLock::new(airbyte_openapi::document);

/// A validator for `pointer` (only `#/components/schemas/<name>` is used here).
fn validator_at(pointer: &str) -> jsonschema::Validator {
    let name = pointer
        .strip_prefix("#/components/schemas/")
        .expect("a component schema pointer");
    airbyte_openapi::schema_validator(name).unwrap_or_else(|e| panic!("{e}"))
}

/// The validator of the `application/json` response schema of `method path` for `status`.
fn response_validator(method: &str, path: &str, status: u16) -> jsonschema::Validator {
    airbyte_openapi::response_validator(method, path, status).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts `reply` has `status` and a body valid under the document's schema for `method path status`.
fn assert_conforms(
    method: &str,
    path: &str,
    reply: &(StatusCode, reqwest::header::HeaderMap, Value),
    status: u16,
) {
    let (got, _, body) = reply;
    assert_eq!(got.as_u16(), status, "{method} {path}: {body}");
    let errors = problems(&response_validator(method, path, status), body);
    assert!(
        errors.is_empty(),
        "{} {path} {status} does not match the published schema:\n{}\nbody: {body}",
        method.to_uppercase(),
        errors.join("\n")
    );
}

/// Asserts an error body is a valid `ApiErrorResponse` (also where the document declares no body for
/// the status, such as 401 and 404), and, when the operation declares `status`, valid under that too.
fn assert_error_conforms(
    method: &str,
    path: &str,
    reply: &(StatusCode, reqwest::header::HeaderMap, Value),
    status: u16,
) {
    let (got, _, body) = reply;
    assert_eq!(got.as_u16(), status, "{method} {path}: {body}");
    let errors = problems(&validator_at("#/components/schemas/ApiErrorResponse"), body);
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: not an ApiErrorResponse: {errors:?}: {body}"
    );
    assert!(body["message"].is_string() && !body["errors"].as_array().is_none_or(Vec::is_empty));
    if OPENAPI["paths"][path][method]["responses"][status.to_string()].is_object() {
        assert_conforms(method, path, reply, status);
    }
}

#[test]
fn the_fixture_is_the_published_document() {
    assert_eq!(DOCUMENT.len(), 223_505, "byte for byte");
    assert_eq!(OPENAPI["openapi"], "3.1.0");
    assert_eq!(OPENAPI["info"]["version"], "0.9.0");
    assert_eq!(OPENAPI["info"]["title"], "Airbyte Agent API");
}

#[test]
fn validation_is_live_it_rejects_broken_bodies() {
    let token = response_validator("post", "/api/v1/account/applications/token", 200);
    let good = json!({"access_token": "a.b.c", "token_type": "bearer", "expires_in": 900,
                      "organization_id": Uuid::new_v4()});
    assert!(token.is_valid(&good));
    let mut missing = good.clone();
    missing
        .as_object_mut()
        .expect("object")
        .remove("access_token");
    assert!(
        !token.is_valid(&missing),
        "TokenResponse without access_token"
    );
    assert!(
        !token.is_valid(&json!({"access_token": "a", "token_type": "bearer", "expires_in": "900"}))
    );
    let mut bad_uuid = good;
    bad_uuid["organization_id"] = json!("not-a-uuid");
    assert!(!token.is_valid(&bad_uuid), "formats are asserted");

    // References into components resolve: a workspace item with a status outside the enum fails.
    let workspaces = response_validator("get", "/api/v1/workspaces", 200);
    let item = json!({"id": Uuid::new_v4(), "name": "w", "organization_id": Uuid::new_v4(),
                      "status": "active", "cache_enabled": null, "tombstone": false,
                      "visibility": "private", "color": null,
                      "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"});
    assert!(workspaces.is_valid(&json!({"data": [item.clone()], "next": null})));
    let mut deleted = item.clone();
    deleted["status"] = json!("deleted");
    assert!(!workspaces.is_valid(&json!({"data": [deleted]})));
    let mut no_color = item;
    no_color.as_object_mut().expect("object").remove("color");
    assert!(
        !workspaces.is_valid(&json!({"data": [no_color]})),
        "color is required (nullable)"
    );

    // Paths with parameters resolve too, and the connection-template oneOf discriminates.
    let template = response_validator(
        "get",
        "/api/v1/integrations/templates/connections/{id}",
        200,
    );
    assert!(!template.is_valid(&json!({"id": Uuid::new_v4(), "organization_id": Uuid::new_v4(),
                                        "destination_name": "S3", "data_hosting_type": "user_hosted"})),
            "user_hosted needs its destination fields");

    let error = validator_at("#/components/schemas/ApiErrorResponse");
    assert!(error.is_valid(&json!({"message": "m", "errors": [{"field": null, "message": "m",
                                                                "error_code": "x", "details": null}]})));
    assert!(!error.is_valid(&json!({"message": 1, "errors": []})));
    assert!(!error.is_valid(&json!({"message": "m", "errors": [{"field": 3}]})));
}

#[tokio::test]
async fn token_operations_conform() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": "mock-client-secret"}),
        )
        .await;
    assert_conforms("post", "/api/v1/account/applications/token", &reply, 200);
    let token = app.app_token().await;

    let path = "/api/v1/account/applications/widget-token";
    let reply = app
        .post(
            path,
            Some(&token),
            &json!({"workspace_name": "contract-co", "allowed_origin": ORIGIN}),
        )
        .await;
    assert_conforms("post", path, &reply, 200);
    let reply = app
        .post(
            path,
            Some(&token),
            &json!({"workspace_name": "contract-co"}),
        )
        .await;
    assert_error_conforms("post", path, &reply, 422);

    let path = "/api/v1/account/applications/scoped-token";
    let reply = app
        .post(
            path,
            Some(&token),
            &json!({"workspace_name": "contract-co"}),
        )
        .await;
    assert_conforms("post", path, &reply, 200);
    let scoped = reply.2["token"].as_str().expect("token").to_owned();
    let reply = app.post(path, Some(&token), &json!({})).await;
    assert_error_conforms("post", path, &reply, 422);
    let reply = app
        .post(
            path,
            Some(&scoped),
            &json!({"workspace_name": "contract-co"}),
        )
        .await;
    assert_error_conforms("post", path, &reply, 403);

    let path = "/api/v1/account/applications/scoped-token/info";
    let reply = app.get(path, Some(&scoped)).await;
    assert_conforms("get", path, &reply, 200);
    let reply = app.get(path, Some(&token)).await;
    assert_error_conforms("get", path, &reply, 403);
    let reply = app.get(path, None).await;
    assert_error_conforms("get", path, &reply, 401);

    let reply = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": "wrong"}),
        )
        .await;
    assert_error_conforms("post", "/api/v1/account/applications/token", &reply, 401);
}

#[tokio::test]
async fn source_template_operations_conform() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let list = "/api/v1/integrations/templates/sources";
    let one = "/api/v1/integrations/templates/sources/{id}";

    assert_conforms("get", list, &app.get(list, Some(&token)).await, 200);
    assert_conforms(
        "get",
        list,
        &app.get(&format!("{list}?tags=crm&tags_mode=any"), Some(&token))
            .await,
        200,
    );
    for name in crate::helpers::SEEDED_TEMPLATES {
        let reply = app
            .get(&format!("{list}/{}", app.template_id(name)), Some(&token))
            .await;
        assert_conforms("get", one, &reply, 200);
    }

    let created = app
        .post(
            list,
            Some(&token),
            &json!({"actor_definition_id": app.definition_id("HubSpot"), "partial_default_config": {},
                    "name": "HubSpot (sales)", "tags": ["crm"],
                    "customization": {"stream_selection_mode": "whitelist", "stream_whitelist": ["contacts"]}}),
        )
        .await;
    assert_conforms("post", list, &created, 200);
    let id = created.2["id"].as_str().expect("id").to_owned();
    let cloned = app
        .post(
            list,
            Some(&token),
            &json!({"original_source_template_id": id, "name": "HubSpot (copy)"}),
        )
        .await;
    assert_conforms("post", list, &cloned, 200);
    let reply = app
        .post(
            list,
            Some(&token),
            &json!({"actor_definition_id": Uuid::new_v4(), "partial_default_config": {}}),
        )
        .await;
    assert_error_conforms("post", list, &reply, 422);

    let reply = app
        .patch(
            &format!("{list}/{id}"),
            Some(&token),
            &json!({"name": "HubSpot (renamed)", "mode": "DIRECT"}),
        )
        .await;
    assert_conforms("patch", one, &reply, 200);
    let reply = app.delete(&format!("{list}/{id}"), Some(&token)).await;
    assert_conforms("delete", one, &reply, 200);
    let reply = app.get(&format!("{list}/{id}"), Some(&token)).await;
    assert_error_conforms("get", one, &reply, 404);
}

#[tokio::test]
async fn connection_template_operations_conform() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let list = "/api/v1/integrations/templates/connections";
    let one = "/api/v1/integrations/templates/connections/{id}";
    let s3 = app.state.catalog.destinations[0].destination_definition_id;

    let user_hosted = app
        .post(
            list,
            Some(&token),
            &json!({"destination_name": "Lake", "destination_definition_id": s3,
                    "destination_config": {"s3_bucket_name": "lake"}, "cron_expression": "0 0 * * * ?",
                    "non_breaking_changes_preference": "disable", "tags": ["warehouse"]}),
        )
        .await;
    assert_conforms("post", list, &user_hosted, 200);
    let airbyte_hosted = app
        .post(
            list,
            Some(&token),
            &json!({"data_hosting_type": "airbyte_hosted"}),
        )
        .await;
    assert_conforms("post", list, &airbyte_hosted, 200);
    assert_conforms("get", list, &app.get(list, Some(&token)).await, 200);

    for created in [&user_hosted, &airbyte_hosted] {
        let id = created.2["id"].as_str().expect("id");
        assert_conforms(
            "get",
            one,
            &app.get(&format!("{list}/{id}"), Some(&token)).await,
            200,
        );
        let reply = app
            .patch(
                &format!("{list}/{id}"),
                Some(&token),
                &json!({"cron_expression": "0 15 * * * ?"}),
            )
            .await;
        assert_conforms("patch", one, &reply, 200);
        let reply = app
            .patch(
                &format!("{list}/{id}"),
                Some(&token),
                &json!({"cron_expression": "hourly"}),
            )
            .await;
        assert_error_conforms("patch", one, &reply, 422);
        assert_conforms(
            "delete",
            one,
            &app.delete(&format!("{list}/{id}"), Some(&token)).await,
            200,
        );
    }
    let reply = app.post(list, Some(&token), &json!({})).await;
    assert_error_conforms("post", list, &reply, 422);
}

async fn two_sources(app: &TestApp) -> Vec<String> {
    let jwt = app.scoped_token("contract-sources").await;
    let mut ids = Vec::new();
    for name in ["Stripe", "Google Sheets"] {
        let created = app.create_source(&jwt, name, &sample_config(name)).await;
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    ids
}

#[tokio::test]
async fn connector_operations_conform() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let ids = two_sources(&app).await;
    let list = "/api/v1/integrations/connectors";
    let one = "/api/v1/integrations/connectors/{id}";

    let reply = app.get(list, Some(&token)).await;
    assert_eq!(reply.2["data"].as_array().map(Vec::len), Some(2));
    assert_conforms("get", list, &reply, 200);
    let reply = app
        .get(
            &format!("{list}?workspace_name=contract-sources"),
            Some(&token),
        )
        .await;
    assert_conforms("get", list, &reply, 200);
    let reply = app
        .get(&format!("{list}?workspace_id=nope"), Some(&token))
        .await;
    assert_error_conforms("get", list, &reply, 422);

    for id in &ids {
        assert_conforms(
            "get",
            one,
            &app.get(&format!("{list}/{id}"), Some(&token)).await,
            200,
        );
    }
    let reply = app
        .delete(&format!("{list}/{}", ids[0]), Some(&token))
        .await;
    assert_conforms("delete", one, &reply, 202);
    let reply = app.get(&format!("{list}/{}", ids[0]), Some(&token)).await;
    assert_error_conforms("get", one, &reply, 404);
}

/// The end-user source responses share their shapes with the Agent API's connector responses
/// (`SourceRead` = `ConnectorSource*Response`, the list = `ConnectorSourceListResponse`).
#[tokio::test]
async fn end_user_source_responses_have_the_connector_shapes() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("contract-end-user").await;
    let created = app
        .post(
            "/api/v1/embedded/sources",
            Some(&jwt),
            &json!({"source_template_id": app.template_id("GitHub"), "source_config": sample_config("GitHub")}),
        )
        .await;
    assert_conforms("post", "/api/v1/integrations/connectors", &created, 200);
    let id = created.2["id"].as_str().expect("id");
    let got = app
        .get(&format!("/api/v1/embedded/sources/{id}"), Some(&jwt))
        .await;
    assert_conforms("get", "/api/v1/integrations/connectors/{id}", &got, 200);
    let updated = app
        .put(
            &format!("/api/v1/embedded/sources/{id}"),
            Some(&jwt),
            &json!({"name": "Repos"}),
        )
        .await;
    assert_conforms("put", "/api/v1/integrations/connectors/{id}", &updated, 200);
    let list = app.get("/api/v1/embedded/sources", Some(&jwt)).await;
    assert_conforms("get", "/api/v1/integrations/connectors", &list, 200);
    let check = app
        .post(
            "/api/v1/embedded/sources/check",
            Some(&jwt),
            &json!({"source_template_id": app.template_id("GitHub"),
                    "source_config": {"credentials": {"option_title": "PAT Credentials", "personal_access_token": "fail"},
                                      "repositories": ["a/b"]}}),
        )
        .await;
    assert_conforms("post", "/api/v1/integrations/connectors/check", &check, 200);
    let templates = app
        .get("/api/v1/embedded/source-templates", Some(&jwt))
        .await;
    assert_conforms(
        "get",
        "/api/v1/integrations/templates/sources",
        &templates,
        200,
    );
    let template = app
        .get(
            &format!(
                "/api/v1/embedded/source-templates/{}",
                app.template_id("HubSpot")
            ),
            Some(&jwt),
        )
        .await;
    assert_conforms(
        "get",
        "/api/v1/integrations/templates/sources/{id}",
        &template,
        200,
    );
}

#[tokio::test]
async fn workspace_operations_conform() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    for i in 0..3 {
        app.widget_token(&format!("contract-ws-{i}"), ORIGIN).await;
    }
    let list = "/api/v1/workspaces";
    let reply = app.get(list, Some(&token)).await;
    assert_conforms("get", list, &reply, 200);
    let reply = app
        .get(
            &format!("{list}?limit=2&name_contains=contract"),
            Some(&token),
        )
        .await;
    assert!(reply.2["next"].is_string(), "{}", reply.2);
    assert_conforms("get", list, &reply, 200);
    let reply = app.get(&format!("{list}?limit=1000"), Some(&token)).await;
    assert_error_conforms("get", list, &reply, 422);

    let id = app.workspace_id("contract-ws-0").expect("workspace");
    let one = "/api/v1/workspaces/{workspace_id}";
    assert_conforms(
        "get",
        one,
        &app.get(&format!("{list}/{id}"), Some(&token)).await,
        200,
    );
    let reply = app
        .get(&format!("{list}/{}", Uuid::new_v4()), Some(&token))
        .await;
    assert_error_conforms("get", one, &reply, 404);
}

#[tokio::test]
async fn generic_errors_are_api_error_responses() {
    let app = spawn_app().await;
    let error = validator_at("#/components/schemas/ApiErrorResponse");
    let mut replies = vec![
        app.get("/no/such/route", None).await,
        app.send(app.request(reqwest::Method::DELETE, "/api/v1/workspaces", None))
            .await,
        app.post(
            "/api/v1/account/applications/token",
            None,
            &json!({"pad": "x".repeat(1_100_000)}),
        )
        .await,
        app.get("/api/v1/workspaces", None).await,
    ];
    let token = app.app_token().await;
    app.post(
        "/api/v1/integrations/templates/tags",
        Some(&token),
        &json!({"name": "dup"}),
    )
    .await;
    replies.push(
        app.post(
            "/api/v1/integrations/templates/tags",
            Some(&token),
            &json!({"name": "dup"}),
        )
        .await,
    );
    let statuses: Vec<u16> = replies.iter().map(|r| r.0.as_u16()).collect();
    assert_eq!(statuses, vec![404, 405, 413, 401, 409]);
    for (status, _, body) in &replies {
        let errors = problems(&error, body);
        assert!(errors.is_empty(), "{status}: {errors:?}: {body}");
    }
}

/// The published request schema (`SourceTemplateCustomization-Input`) constrains `customization`, and
/// every template response embeds it under the output schema. The mock stores it as arbitrary JSON, so
/// a bad value is accepted and then returned in a response that breaks the contract.
#[tokio::test]
async fn a_customization_outside_the_published_schema_is_422() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = app.template_id("Stripe");
    let path = format!("/api/v1/integrations/templates/sources/{id}");
    for customization in [
        json!({"stream_selection_mode": "bogus"}),
        json!({"stream_whitelist": 5}),
        json!("all"),
    ] {
        let reply = app
            .patch(
                &path,
                Some(&token),
                &json!({"customization": customization}),
            )
            .await;
        assert_error_conforms(
            "patch",
            "/api/v1/integrations/templates/sources/{id}",
            &reply,
            422,
        );
        let reply = app
            .post(
                "/api/v1/integrations/templates/sources",
                Some(&token),
                &json!({"actor_definition_id": app.definition_id("Stripe"),
                        "partial_default_config": {}, "customization": customization}),
            )
            .await;
        assert_error_conforms(
            "post",
            "/api/v1/integrations/templates/sources",
            &reply,
            422,
        );
    }
    // What is stored still conforms.
    let reply = app.get(&path, Some(&token)).await;
    assert_conforms(
        "get",
        "/api/v1/integrations/templates/sources/{id}",
        &reply,
        200,
    );
}
