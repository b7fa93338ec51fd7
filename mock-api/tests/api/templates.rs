//! The operator's catalog: source templates, connection templates and tags.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, SEEDED_TEMPLATES, TestApp, sample_config, spawn_app};
use airbyte_mock::testkit::{assert_error_shape, error_fields};

const SOURCES: &str = "/api/v1/integrations/templates/sources";
const CONNECTIONS: &str = "/api/v1/integrations/templates/connections";
const TAGS: &str = "/api/v1/integrations/templates/tags";

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn listed(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    let (status, _, body) = app.get(&format!("{SOURCES}{query}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    TestApp::names(&body).into_iter().collect()
}

#[tokio::test]
async fn the_seeded_list_has_the_enabled_connectors() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app.get(SOURCES, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = body["data"].as_array().expect("data");
    assert!(data.len() >= 6, "at least six connectors: {}", data.len());
    let names: BTreeSet<String> = TestApp::names(&body).into_iter().collect();
    assert_eq!(names, set(&SEEDED_TEMPLATES));
    let org = app.organization_id().to_string();
    for t in data {
        assert_eq!(t["organization_id"], org.as_str(), "{t}");
        assert!(Uuid::parse_str(t["actor_definition_id"].as_str().expect("definition")).is_ok());
        assert!(
            t["connector_name"]
                .as_str()
                .expect("slug")
                .starts_with("source-"),
            "{t}"
        );
        assert_eq!(t["mode"], "REPLICATION");
        assert!(t.get("icon").is_some(), "icon is always present: {t}");
    }
    // Airbyte's global templates are a separate list; the mock seeds none.
    let (status, _, global) = app
        .get(&format!("{SOURCES}?use_global=true"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        global["data"]
            .as_array()
            .expect("data")
            .iter()
            .all(|t| t["organization_id"].is_null()),
        "{global}"
    );
    let (status, _, body) = app
        .get(&format!("{SOURCES}?use_global=maybe"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["use_global".to_owned()]);
}

#[tokio::test]
async fn tag_filters_default_to_all_and_accept_any_and_repeats() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    assert_eq!(
        listed(&app, &token, "?tags=pro-tier").await,
        set(&["Stripe", "Postgres", "Salesforce"])
    );
    assert_eq!(
        listed(&app, &token, "?tags=crm&tags=pro-tier").await,
        set(&["Salesforce"]),
        "tags_mode defaults to all on the operator side"
    );
    assert_eq!(
        listed(&app, &token, "?tags=crm&tags=pro-tier&tags_mode=all").await,
        set(&["Salesforce"])
    );
    assert_eq!(
        listed(&app, &token, "?tags=crm&tags=pro-tier&tags_mode=any").await,
        set(&["HubSpot", "Stripe", "Postgres", "Salesforce"])
    );
    assert_eq!(listed(&app, &token, "?tags=no-such-tag").await, set(&[]));
    let (status, _, body) = app
        .get(&format!("{SOURCES}?tags=crm&tags_mode=some"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["tags_mode".to_owned()]);
}

#[tokio::test]
async fn get_returns_the_detailed_template() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = app.template_id("Google Sheets");
    let (status, _, body) = app.get(&format!("{SOURCES}/{id}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.to_string());
    assert_eq!(body["name"], "Google Sheets");
    assert_eq!(body["connector_name"], "source-google-sheets");
    assert_eq!(
        body["source_definition_id"],
        app.definition_id("Google Sheets").to_string()
    );
    let spec = &body["user_config_spec"]["connectionSpecification"];
    assert_eq!(spec["type"], "object");
    assert!(
        spec["required"]
            .as_array()
            .expect("required")
            .contains(&json!("credentials"))
    );
    assert_eq!(
        body["user_config_spec"]["advanced_auth"]["auth_flow_type"], "oauth2.0",
        "Google Sheets has an OAuth advanced_auth block"
    );
    assert!(body["partial_default_config"].is_object());

    let (status, _, body) = app
        .get(&format!("{SOURCES}/{}", Uuid::new_v4()), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body);
    let (status, _, body) = app
        .get(&format!("{SOURCES}/not-a-uuid"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["id".to_owned()]);
}

#[tokio::test]
async fn create_from_an_actor_definition() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let definition = app.definition_id("Sample Data (Faker)");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({
                "actor_definition_id": definition,
                "partial_default_config": {"count": 5},
                "name": "Small Faker",
                "tags": ["demo", "brand-new"],
                "mode": "DIRECT",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "creates answer 200: {body}");
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(body["name"], "Small Faker");
    assert_eq!(body["source_definition_id"], definition.to_string());
    assert_eq!(body["partial_default_config"], json!({"count": 5}));
    assert_eq!(body["mode"], "DIRECT");
    assert_eq!(body["tags"], json!(["demo", "brand-new"]));
    assert!(body["user_config_spec"]["connectionSpecification"]["properties"]["count"].is_object());

    assert!(listed(&app, &token, "").await.contains("Small Faker"));
    let (_, _, fetched) = app.get(&format!("{SOURCES}/{id}"), Some(&token)).await;
    assert_eq!(fetched["name"], "Small Faker");
    // A new tag named on create exists afterwards.
    let (_, _, tags) = app.get(TAGS, Some(&token)).await;
    assert!(
        TestApp::names(&tags).contains(&"brand-new".to_owned()),
        "{tags}"
    );
    // Without a name it takes the connector's.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({"actor_definition_id": app.definition_id("Stripe"), "partial_default_config": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Stripe");
}

#[tokio::test]
async fn create_with_an_unknown_definition_or_missing_fields_is_422() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let before = app.counts().await["source_templates"].clone();
    for (body, field) in [
        (
            json!({"actor_definition_id": Uuid::new_v4(), "partial_default_config": {}}),
            "actor_definition_id",
        ),
        (
            json!({"actor_definition_id": "stripe", "partial_default_config": {}}),
            "actor_definition_id",
        ),
        (json!({"partial_default_config": {}}), "actor_definition_id"),
        (
            json!({"actor_definition_id": app.definition_id("Stripe")}),
            "partial_default_config",
        ),
    ] {
        let (status, _, reply) = app.post(SOURCES, Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_error_shape(&reply);
        assert_eq!(error_fields(&reply), vec![field.to_owned()], "{reply}");
    }
    assert_eq!(app.counts().await["source_templates"], before);
}

#[tokio::test]
async fn clone_with_original_source_template_id() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let original = app.template_id("Postgres");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({"original_source_template_id": original}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["id"], original.to_string());
    assert_eq!(body["name"], "Postgres (copy)");
    assert_eq!(
        body["source_definition_id"],
        app.definition_id("Postgres").to_string()
    );
    let (_, _, orig) = app
        .get(&format!("{SOURCES}/{original}"), Some(&token))
        .await;
    assert_eq!(body["user_config_spec"], orig["user_config_spec"]);
    assert_eq!(
        body["partial_default_config"],
        orig["partial_default_config"]
    );

    let (status, _, named) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({"original_source_template_id": original, "name": "Postgres (EU)", "mode": "DIRECT"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(named["name"], "Postgres (EU)");
    assert_eq!(named["mode"], "DIRECT");

    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({"original_source_template_id": Uuid::new_v4()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        vec!["original_source_template_id".to_owned()]
    );
}

#[tokio::test]
async fn patch_updates_the_template() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = app.template_id("Stripe");
    let path = format!("{SOURCES}/{id}");
    let (status, _, body) = app
        .patch(
            &path,
            Some(&token),
            &json!({"name": "Stripe (live)", "partial_default_config": {"slice_range": 30},
                    "customization": {"stream_selection_mode": "all"}, "propagate": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Stripe (live)");
    assert_eq!(body["partial_default_config"], json!({"slice_range": 30}));
    assert_eq!(body["customization"]["stream_selection_mode"], "all");
    assert_ne!(body["updated_at"], body["created_at"]);
    let (_, _, fetched) = app.get(&path, Some(&token)).await;
    assert_eq!(fetched["name"], "Stripe (live)");
    assert_eq!(fetched["tags"], json!(["pro-tier"]), "tags are untouched");

    let (status, _, body) = app.patch(&path, Some(&token), &json!({"name": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["name".to_owned()]);
    let (status, _, _) = app
        .patch(
            &format!("{SOURCES}/{}", Uuid::new_v4()),
            Some(&token),
            &json!({"name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_removes_the_template_and_its_sources() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let scoped = app.scoped_token("deleting-co").await;
    let source = app
        .create_source(&scoped, "GitHub", &sample_config("GitHub"))
        .await;
    let source_id = source["id"].as_str().expect("id");
    let id = app.template_id("GitHub");

    let (status, _, body) = app.delete(&format!("{SOURCES}/{id}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.to_string());
    assert!(body["deleted_at"].is_string());

    let (status, _, _) = app.get(&format!("{SOURCES}/{id}"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!listed(&app, &token, "").await.contains("GitHub"));
    // Its sources are gone for the end user and for the operator.
    let (status, _, _) = app
        .get(
            &format!("/api/v1/embedded/sources/{source_id}"),
            Some(&scoped),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, list) = app.get("/api/v1/embedded/sources", Some(&scoped)).await;
    assert_eq!(list["data"], json!([]));
    let (_, _, list) = app
        .get("/api/v1/integrations/connectors", Some(&token))
        .await;
    assert_eq!(list["data"], json!([]));
    // And the end user can no longer pick it.
    let (_, _, templates) = app
        .get("/api/v1/embedded/source-templates", Some(&scoped))
        .await;
    assert!(!TestApp::names(&templates).contains(&"GitHub".to_owned()));

    let (status, _, _) = app.delete(&format!("{SOURCES}/{id}"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tags_attach_to_and_detach_from_source_templates() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = app.template_id("Sample Data (Faker)");
    let (status, _, body) = app
        .post(
            &format!("{SOURCES}/{id}/tags"),
            Some(&token),
            &json!({"tag": "beta"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!(["demo", "beta"]));
    // Attaching twice does not duplicate.
    let (_, _, body) = app
        .post(
            &format!("{SOURCES}/{id}/tags"),
            Some(&token),
            &json!({"tag": "beta"}),
        )
        .await;
    assert_eq!(body["tags"], json!(["demo", "beta"]));
    assert_eq!(
        listed(&app, &token, "?tags=beta").await,
        set(&["Sample Data (Faker)"])
    );
    let (_, _, tags) = app.get(TAGS, Some(&token)).await;
    assert!(
        TestApp::names(&tags).contains(&"beta".to_owned()),
        "attaching creates the tag"
    );
    // End users selecting the tag now see the template.
    let (_, _, jwt) = app
        .widget_token_with(
            &json!({"workspace_name": "beta-co", "allowed_origin": ORIGIN,
                                   "selected_source_template_tags": ["beta"]}),
        )
        .await;
    let (_, _, visible) = app
        .get("/api/v1/embedded/source-templates", Some(&jwt))
        .await;
    assert_eq!(
        TestApp::names(&visible),
        vec!["Sample Data (Faker)".to_owned()]
    );

    let (status, _, body) = app
        .delete(&format!("{SOURCES}/{id}/tags/beta"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!(["demo"]));
    assert_eq!(listed(&app, &token, "?tags=beta").await, set(&[]));
    let (status, _, body) = app
        .delete(&format!("{SOURCES}/{id}/tags/beta"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body);
    // (A blank tag name is a warning by default, the 422 under --strict: see `strictness.rs`.)
}

fn s3_definition(app: &TestApp) -> Uuid {
    app.state.catalog.destinations[0].destination_definition_id
}

#[tokio::test]
async fn connection_templates_list_and_create() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app.get(CONNECTIONS, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seeded = body["data"].as_array().expect("data");
    assert_eq!(seeded.len(), 1, "one seeded connection template: {body}");
    assert_eq!(seeded[0]["data_hosting_type"], "user_hosted");
    assert_eq!(
        seeded[0]["destination_definition_id"],
        s3_definition(&app).to_string()
    );

    let (status, _, created) = app
        .post(
            CONNECTIONS,
            Some(&token),
            &json!({"destination_name": "Warehouse bucket",
                    "destination_definition_id": s3_definition(&app),
                    "destination_config": {"s3_bucket_name": "bucket", "s3_bucket_region": "us-east-1"},
                    "cron_expression": "0 0 12 * * ?",
                    "tags": ["warehouse"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created["data_hosting_type"], "user_hosted",
        "user_hosted is the default"
    );
    assert_eq!(created["destination_name"], "Warehouse bucket");
    assert_eq!(created["non_breaking_changes_preference"], "ignore");
    assert_eq!(created["sync_on_create"], true);
    assert_eq!(
        created["organization_id"],
        app.organization_id().to_string()
    );
    assert_eq!(created["tags"], json!(["warehouse"]));

    let (status, _, hosted) = app
        .post(
            CONNECTIONS,
            Some(&token),
            &json!({"data_hosting_type": "airbyte_hosted", "cron_expression": "0 0 * * * ?"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hosted}");
    assert_eq!(hosted["data_hosting_type"], "airbyte_hosted");
    assert!(hosted.get("destination_config").is_none(), "{hosted}");
    assert!(hosted["destination_name"].is_string());

    let (_, _, body) = app.get(CONNECTIONS, Some(&token)).await;
    assert_eq!(body["data"].as_array().expect("data").len(), 3);
    let (_, _, body) = app
        .get(&format!("{CONNECTIONS}?tags=warehouse"), Some(&token))
        .await;
    assert_eq!(body["data"].as_array().expect("data").len(), 1);
    let (status, _, got) = app
        .get(
            &format!("{CONNECTIONS}/{}", created["id"].as_str().expect("id")),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, created);
}

#[tokio::test]
async fn user_hosted_connection_templates_need_every_destination_field() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app
        .post(
            CONNECTIONS,
            Some(&token),
            &json!({"data_hosting_type": "user_hosted"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = assert_error_shape(&body);
    let fields = error_fields(&body);
    for field in [
        "destination_name",
        "destination_definition_id",
        "destination_config",
    ] {
        assert!(
            fields.contains(&field.to_owned()),
            "{field} missing from {body}"
        );
        assert!(message.contains(field), "{message}");
    }
    let (status, _, body) = app
        .post(
            CONNECTIONS,
            Some(&token),
            &json!({"destination_name": "x", "destination_config": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        vec!["destination_definition_id".to_owned()]
    );
    let (status, _, body) = app
        .post(
            CONNECTIONS,
            Some(&token),
            &json!({"data_hosting_type": "self_hosted"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["data_hosting_type".to_owned()]);
    assert_eq!(app.state.store.counts().connection_templates, 1);
}

#[tokio::test]
async fn connection_templates_patch_delete_and_reject_bad_cron() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (_, _, list) = app.get(CONNECTIONS, Some(&token)).await;
    let id = list["data"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("{CONNECTIONS}/{id}");

    let (status, _, body) = app
        .patch(
            &path,
            Some(&token),
            &json!({"cron_expression": "0 30 6 * * ?", "sync_on_create": false,
                    "non_breaking_changes_preference": "propagate_columns"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cron_expression"], "0 30 6 * * ?");
    assert_eq!(body["sync_on_create"], false);
    assert_eq!(body["non_breaking_changes_preference"], "propagate_columns");

    for cron in ["every day", "0 0 * * *", "1 2 3 4 5 6 7 8"] {
        let (status, _, body) = app
            .patch(&path, Some(&token), &json!({"cron_expression": cron}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cron}: {body}");
        assert_eq!(error_fields(&body), vec!["cron_expression".to_owned()]);
        let (status, _, body) = app
            .post(
                CONNECTIONS,
                Some(&token),
                &json!({"data_hosting_type": "airbyte_hosted", "cron_expression": cron}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cron}: {body}");
        assert!(assert_error_shape(&body).contains("Quartz"));
    }
    let (_, _, unchanged) = app.get(&path, Some(&token)).await;
    assert_eq!(unchanged["cron_expression"], "0 30 6 * * ?");

    let (status, _, body) = app.delete(&path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    assert!(body["deleted_at"].is_string());
    let (status, _, _) = app.get(&path, Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.delete(&path, Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn connection_template_tags_attach_and_detach() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (_, _, list) = app.get(CONNECTIONS, Some(&token)).await;
    let id = list["data"][0]["id"].as_str().expect("id").to_owned();
    let (status, _, body) = app
        .post(
            &format!("{CONNECTIONS}/{id}/tags"),
            Some(&token),
            &json!({"tag": "eu"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!(["eu"]));
    let (status, _, body) = app
        .delete(&format!("{CONNECTIONS}/{id}/tags/eu"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!([]));
}

#[tokio::test]
async fn tags_list_create_rename_delete() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app.get(TAGS, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seeded: BTreeSet<String> = TestApp::names(&body).into_iter().collect();
    assert!(
        seeded.is_superset(&set(&["pro-tier", "crm", "database"])),
        "{seeded:?}"
    );
    for tag in body["data"].as_array().expect("data") {
        assert_eq!(tag["organization_id"], app.organization_id().to_string());
        assert!(
            tag["id"].is_string() && tag["created_at"].is_string() && tag["updated_at"].is_string()
        );
    }

    let (status, _, created) = app.post(TAGS, Some(&token), &json!({"name": "vip"})).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["name"], "vip");
    let (status, _, body) = app.post(TAGS, Some(&token), &json!({"name": "vip"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(assert_error_shape(&body).contains("vip"));
    // (A blank name is a warning by default, the 422 under --strict: see `strictness.rs`.)

    // Rename follows the tag onto the templates that carry it.
    let stripe = app.template_id("Stripe");
    app.post(
        &format!("{SOURCES}/{stripe}/tags"),
        Some(&token),
        &json!({"tag": "vip"}),
    )
    .await;
    let (status, _, renamed) = app
        .put(
            &format!("{TAGS}/vip"),
            Some(&token),
            &json!({"name": "premium"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "premium");
    assert_eq!(renamed["id"], created["id"], "a rename keeps the id");
    let (_, _, stripe_now) = app.get(&format!("{SOURCES}/{stripe}"), Some(&token)).await;
    assert_eq!(stripe_now["tags"], json!(["pro-tier", "premium"]));
    let (status, _, _) = app
        .put(
            &format!("{TAGS}/premium"),
            Some(&token),
            &json!({"name": "crm"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "renaming onto an existing tag"
    );
    let (status, _, _) = app
        .put(
            &format!("{TAGS}/nope"),
            Some(&token),
            &json!({"name": "other"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, deleted) = app.delete(&format!("{TAGS}/premium"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["id"], created["id"]);
    let (_, _, stripe_now) = app.get(&format!("{SOURCES}/{stripe}"), Some(&token)).await;
    assert_eq!(
        stripe_now["tags"],
        json!(["pro-tier"]),
        "deleting a tag detaches it"
    );
    let (_, _, body) = app.get(TAGS, Some(&token)).await;
    assert!(!TestApp::names(&body).contains(&"premium".to_owned()));
    let (status, _, _) = app.delete(&format!("{TAGS}/premium"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn operator_catalog_writes_need_an_application_token() {
    let app = spawn_app().await;
    let scoped = app.scoped_token("sneaky").await;
    let id = app.template_id("Stripe");
    let attempts: Vec<(reqwest::Method, String, Value)> = vec![
        (
            reqwest::Method::POST,
            SOURCES.into(),
            json!({"original_source_template_id": id}),
        ),
        (
            reqwest::Method::PATCH,
            format!("{SOURCES}/{id}"),
            json!({"name": "pwned"}),
        ),
        (
            reqwest::Method::DELETE,
            format!("{SOURCES}/{id}"),
            Value::Null,
        ),
        (reqwest::Method::POST, TAGS.into(), json!({"name": "x"})),
        (
            reqwest::Method::POST,
            CONNECTIONS.into(),
            json!({"data_hosting_type": "airbyte_hosted"}),
        ),
    ];
    for (method, path, body) in attempts {
        let mut request = app.request(method.clone(), &path, Some(&scoped));
        if !body.is_null() {
            request = request.json(&body);
        }
        let (status, _, reply) = app.send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {reply}");
    }
    let (_, _, stripe) = app
        .get(&format!("{SOURCES}/{id}"), Some(&app.app_token().await))
        .await;
    assert_eq!(stripe["name"], "Stripe");
}

/// Found by schemathesis (`just schemathesis`): `stream_mappers` must be what the document says
/// (per stream, a list of `{type, mapper_configuration}`), or the stored value breaks every template
/// answer's schema. A bad one is a 422 naming the place, the template untouched; a good one is kept.
#[tokio::test]
async fn stream_mappers_are_checked_against_the_document() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = app.template_id("Stripe");
    let path = format!("{SOURCES}/{id}");
    for bad in [
        json!({"users": {}}),
        json!({"users": [1]}),
        json!({"users": [{"type": "no-such-mapper", "mapper_configuration": {}}]}),
        json!({"users": [{"type": "hashing", "mapper_configuration": {"method": "SHA256"}}]}),
    ] {
        let body = json!({"customization": {"stream_mappers": bad}});
        let (status, _, reply) = app.patch(&path, Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {reply}");
        assert_error_shape(&reply);
        assert!(
            error_fields(&reply)
                .iter()
                .all(|f| f.starts_with("customization.stream_mappers")),
            "{reply}"
        );
        let (_, _, template) = app.get(&path, Some(&token)).await;
        assert_ne!(template["customization"]["stream_mappers"], bad);
    }
    let good = json!({"users": [{"type": "hashing",
                                 "mapper_configuration": {"target_field": "email", "method": "SHA256"}}]});
    let body = json!({"customization": {"stream_mappers": good}});
    let (status, _, reply) = app.patch(&path, Some(&token), &body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["customization"]["stream_mappers"], good);
    airbyte_openapi::check_response(
        "patch",
        "/api/v1/integrations/templates/sources/{id}",
        200,
        &reply,
    )
    .unwrap_or_else(|problems| panic!("{problems:?}"));
    // The create path checks it too.
    let (status, _, reply) = app
        .post(
            SOURCES,
            Some(&token),
            &json!({"actor_definition_id": app.definition_id("Stripe"), "partial_default_config": {},
                    "customization": {"stream_mappers": {"users": {}}}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
}
