//! The end-user source API (scoped token) and the operator's view of the same sources.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app};
use airbyte_mock::testkit::{SECRET_MASK, assert_error_shape, error_fields, error_for};

const TEMPLATES: &str = "/api/v1/embedded/source-templates";
const SOURCES: &str = "/api/v1/embedded/sources";
const CHECK: &str = "/api/v1/embedded/sources/check";
const CONNECTORS: &str = "/api/v1/integrations/connectors";

fn names(body: &Value) -> BTreeSet<String> {
    TestApp::names(body).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn end_user_templates_follow_the_token_s_tag_selection() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), set(&crate::helpers::SEEDED_TEMPLATES)),
        (
            json!({"selected_source_template_tags": ["pro-tier"]}),
            set(&["Stripe", "Postgres", "Salesforce"]),
        ),
        (
            json!({"selected_source_template_tags": ["crm", "pro-tier"], "selected_source_template_tags_mode": "all"}),
            set(&["Salesforce"]),
        ),
        (
            json!({"selected_source_template_tags": ["crm", "pro-tier"]}),
            set(&["HubSpot", "Stripe", "Postgres", "Salesforce"]),
        ),
    ];
    for (i, (selection, expected)) in cases.into_iter().enumerate() {
        let mut body = selection.clone();
        body["workspace_name"] = json!(format!("tags-{i}"));
        body["allowed_origin"] = json!(ORIGIN);
        let (_, _, jwt) = app.widget_token_with(&body).await;
        let (status, _, list) = app.get(TEMPLATES, Some(&jwt)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(names(&list), expected, "selection {selection}");
        for item in list["data"].as_array().expect("data") {
            assert!(item["actor_definition_id"].is_string(), "{item}");
        }
        // Get follows the same selection.
        let github = app.template_id("GitHub");
        let (status, _, body) = app.get(&format!("{TEMPLATES}/{github}"), Some(&jwt)).await;
        if expected.contains("GitHub") {
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["name"], "GitHub");
            assert!(body["user_config_spec"]["connectionSpecification"].is_object());
        } else {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "outside the selection: {body}"
            );
            assert_error_shape(&body);
        }
    }
}

#[tokio::test]
async fn a_template_outside_the_selection_cannot_be_used_to_create_a_source() {
    let app = spawn_app().await;
    let (_, _, jwt) = app
        .widget_token_with(&json!({"workspace_name": "pro", "allowed_origin": ORIGIN,
                                   "selected_source_template_tags": ["pro-tier"]}))
        .await;
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("GitHub"), "source_config": sample_config("GitHub")}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);
    app.create_source(&jwt, "Stripe", &sample_config("Stripe"))
        .await;
}

#[tokio::test]
async fn a_stripe_source_is_created_and_its_secret_redacted_everywhere() {
    let app = spawn_app().await;
    let (_, _, jwt) = app.widget_token("redaction-co", ORIGIN).await;
    let secret = "sk_live_doNotLeakThis123";
    let mut config = sample_config("Stripe");
    config["client_secret"] = json!(secret);

    let created = app.create_source(&jwt, "Stripe", &config).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(Uuid::parse_str(&id).is_ok());
    assert_eq!(created["name"], format!("Stripe - {id}"));
    let template = &created["source_template"];
    assert_eq!(template["id"], app.template_id("Stripe").to_string());
    assert_eq!(template["name"], "Stripe");
    assert_eq!(
        template["source_definition_id"],
        app.definition_id("Stripe").to_string()
    );
    assert!(
        template["user_config_spec"]["connectionSpecification"]["properties"]["client_secret"]
            .is_object()
    );
    assert!(template["partial_default_config"].is_object());
    let replication = &created["replication_config"];
    assert_eq!(replication["client_secret"], SECRET_MASK);
    assert_eq!(replication["account_id"], "acct_1234567890abcdef");
    assert_eq!(
        replication["lookback_window_days"], 0,
        "template defaults are merged in"
    );
    assert!(created["created_at"].is_string() && created["updated_at"].is_string());

    let (status, _, got) = app.get(&format!("{SOURCES}/{id}"), Some(&jwt)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["replication_config"]["client_secret"], SECRET_MASK);
    assert_eq!(got["name"], created["name"]);

    let (status, _, list) = app.get(SOURCES, Some(&jwt)).await;
    assert_eq!(status, StatusCode::OK);
    let items = list["data"].as_array().expect("data");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["summarized_source_template"]["name"], "Stripe");

    let operator = app.app_token().await;
    let (status, _, op_view) = app
        .get(&format!("{CONNECTORS}/{id}"), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::OK, "{op_view}");
    assert_eq!(op_view["replication_config"]["client_secret"], SECRET_MASK);
    let (_, _, op_list) = app.get(CONNECTORS, Some(&operator)).await;

    for (what, body) in [
        ("create", &created),
        ("get", &got),
        ("list", &list),
        ("operator get", &op_view),
        ("operator list", &op_list),
    ] {
        assert!(
            !body.to_string().contains(secret),
            "{what} leaks the secret: {body}"
        );
    }
    // What is stored is the real value.
    let stored = app.stored_config(&id).expect("stored");
    assert_eq!(stored["client_secret"], secret);
}

#[tokio::test]
async fn secrets_nested_in_one_of_variants_are_redacted() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("nested-co").await;
    for (template, path) in [
        ("GitHub", "/credentials/personal_access_token"),
        ("HubSpot", "/credentials/access_token"),
        ("Google Sheets", "/credentials/service_account_info"),
        ("Postgres", "/password"),
        ("Salesforce", "/refresh_token"),
    ] {
        let config = sample_config(template);
        let secret = config.pointer(path).expect("sample has the secret").clone();
        let created = app.create_source(&jwt, template, &config).await;
        assert_eq!(
            created["replication_config"].pointer(path),
            Some(&json!(SECRET_MASK)),
            "{template}: {created}"
        );
        let id = created["id"].as_str().expect("id");
        assert_eq!(
            app.stored_config(id).expect("stored").pointer(path),
            Some(&secret)
        );
        assert!(
            !created
                .to_string()
                .contains(secret.as_str().expect("string"))
        );
    }
}

#[tokio::test]
async fn validation_lists_every_bad_field_and_never_echoes_a_secret() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("validation-co").await;
    let secret = "sk_live_mustNotAppearInErrors";
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Stripe"), "source_config": {
                // account_id missing
                "client_secret": secret,
                "start_date": "yesterday",      // pattern
                "lookback_window_days": -1,     // minimum
                "num_workers": "ten",           // type
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = assert_error_shape(&body);
    for (field, code) in [
        ("source_config.account_id", "missing"),
        ("source_config.start_date", "invalid_pattern"),
        ("source_config.lookback_window_days", "too_small"),
        ("source_config.num_workers", "invalid_type"),
    ] {
        let entry =
            error_for(&body, field).unwrap_or_else(|| panic!("no error for {field}: {body}"));
        assert_eq!(entry["error_code"], code, "{entry}");
        assert!(
            message.contains(field),
            "the summary names {field}: {message}"
        );
    }
    assert!(
        !body.to_string().contains(secret),
        "a secret is echoed: {body}"
    );

    // A secret of the wrong type: named, and its value not repeated.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Stripe"),
                    "source_config": {"account_id": "acct_1", "client_secret": 987_654_321_012_u64}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        vec!["source_config.client_secret".to_owned()]
    );
    assert!(!body.to_string().contains("987654321012"), "{body}");

    // Enums inside array items, and a maximum, on another connector.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Salesforce"), "source_config": {
                "client_id": "id", "client_secret": "s", "refresh_token": "r",
                "streams_criteria": [{"criteria": "sounds like", "value": "Account"}],
                "stream_slice_step": "thirty days",
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let enum_error = error_for(&body, "source_config.streams_criteria.0.criteria")
        .unwrap_or_else(|| panic!("the enum error names its path: {body}"));
    assert_eq!(enum_error["error_code"], "invalid_enum");
    assert!(
        error_for(&body, "source_config.stream_slice_step").is_some(),
        "{body}"
    );
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Postgres"),
                    "source_config": {"host": "h", "database": "d", "username": "u", "port": 70000}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_for(&body, "source_config.port").expect("port")["error_code"],
        "too_large"
    );

    assert_eq!(
        app.counts().await["sources"],
        0,
        "nothing invalid is stored"
    );
}

#[tokio::test]
async fn one_of_errors_name_the_chosen_variant_s_fields() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("oneof-co").await;
    let github = app.template_id("GitHub");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": github, "source_config": {
                "credentials": {"option_title": "PAT Credentials"},
                "repositories": ["airbytehq/airbyte"],
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(
        error_fields(&body),
        vec!["source_config.credentials.personal_access_token".to_owned()],
        "{body}"
    );
    assert_eq!(body["errors"][0]["error_code"], "missing");

    // No variant chosen at all: the object itself is named.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": github, "source_config": {
                "credentials": {"option_title": "Carrier Pigeon"},
                "repositories": ["airbytehq/airbyte"],
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        vec!["source_config.credentials".to_owned()]
    );
}

#[tokio::test]
async fn update_keeps_a_masked_secret_and_replaces_a_new_one() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("update-co").await;
    let created = app
        .create_source(&jwt, "Stripe", &sample_config("Stripe"))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("{SOURCES}/{id}");
    let original = sample_config("Stripe")["client_secret"].clone();

    // Send back what was read (secret masked), with one field changed.
    let mut config = created["replication_config"].clone();
    config["account_id"] = json!("acct_changed");
    let (status, _, updated) = app
        .put(&path, Some(&jwt), &json!({"source_config": config}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["replication_config"]["account_id"], "acct_changed");
    assert_eq!(updated["replication_config"]["client_secret"], SECRET_MASK);
    let stored = app.stored_config(&id).expect("stored");
    assert_eq!(
        stored["client_secret"], original,
        "the mask keeps the stored secret"
    );
    assert_eq!(stored["account_id"], "acct_changed");

    // A new value replaces it.
    config["client_secret"] = json!("sk_test_rotated");
    let (status, _, updated) = app
        .put(&path, Some(&jwt), &json!({"source_config": config}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["replication_config"]["client_secret"], SECRET_MASK);
    assert_eq!(
        app.stored_config(&id).expect("stored")["client_secret"],
        "sk_test_rotated"
    );

    // The legacy and Agent API names for the config work too, and a rename alone is fine.
    let (status, _, _) = app
        .put(
            &path,
            Some(&jwt),
            &json!({"connection_configuration": config}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, renamed) = app
        .put(&path, Some(&jwt), &json!({"name": "Billing"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Billing");
    assert_eq!(
        app.stored_config(&id).expect("stored")["client_secret"],
        "sk_test_rotated"
    );

    // An invalid update is refused and changes nothing.
    config["lookback_window_days"] = json!(-5);
    let (status, _, body) = app
        .put(&path, Some(&jwt), &json!({"replication_config": config}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        vec!["source_config.lookback_window_days".to_owned()]
    );
    assert_eq!(
        app.stored_config(&id).expect("stored")["lookback_window_days"],
        0
    );
    let (status, _, body) = app.put(&path, Some(&jwt), &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["source_config".to_owned()]);
}

#[tokio::test]
async fn a_mask_where_no_secret_is_stored_is_422() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("mask-co").await;
    let mut config = sample_config("Postgres");
    config.as_object_mut().expect("object").remove("password");
    let created = app.create_source(&jwt, "Postgres", &config).await;
    let id = created["id"].as_str().expect("id");
    config["password"] = json!(SECRET_MASK);
    let (status, _, body) = app
        .put(
            &format!("{SOURCES}/{id}"),
            Some(&jwt),
            &json!({"source_config": config}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(
        error_fields(&body),
        vec!["source_config.password".to_owned()]
    );
    assert!(
        app.stored_config(id)
            .expect("stored")
            .get("password")
            .is_none(),
        "the mask is not stored as a password"
    );
}

#[tokio::test]
async fn delete_is_204_then_404() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("delete-co").await;
    let created = app
        .create_source(
            &jwt,
            "Sample Data (Faker)",
            &sample_config("Sample Data (Faker)"),
        )
        .await;
    let path = format!("{SOURCES}/{}", created["id"].as_str().expect("id"));
    let (status, _, body) = app.delete(&path, Some(&jwt)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null, "204 has no body");
    let (status, _, body) = app.get(&path, Some(&jwt)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body);
    let (status, _, _) = app.delete(&path, Some(&jwt)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, list) = app.get(SOURCES, Some(&jwt)).await;
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn check_succeeds_and_fails_on_the_outcome_input() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("check-co").await;
    let stripe = app.template_id("Stripe");
    let (status, _, body) = app
        .post(
            CHECK,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "succeeded");
    assert!(Uuid::parse_str(body["id"].as_str().expect("id")).is_ok());

    let mut failing = sample_config("Stripe");
    failing["client_secret"] = json!("fail");
    let (status, _, body) = app
        .post(
            CHECK,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config": failing}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "failed");
    assert!(
        body["error_message"]
            .as_str()
            .expect("error_message")
            .contains("client_secret")
    );
    assert!(body["failure_reason"]["timestamp"].is_number(), "{body}");
    assert_eq!(body["failure_reason"]["failure_type"], "config_error");

    // Checking an existing source with its masked config uses the stored secret.
    let created = app
        .create_source(&jwt, "Stripe", &sample_config("Stripe"))
        .await;
    let (status, _, body) = app
        .post(
            CHECK,
            Some(&jwt),
            &json!({"source_id": created["id"], "source_config": created["replication_config"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "succeeded");

    // An invalid config is a 422 before any check; no template at all is named.
    let (status, _, body) = app
        .post(
            CHECK,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_fields(&body).contains(&"source_config.account_id".to_owned()));
    let (status, _, body) = app
        .post(CHECK, Some(&jwt), &json!({"source_config": {}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);
}

#[tokio::test]
async fn outcome_inputs_on_create_fail_with_the_documented_errors() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("outcome-co").await;
    let stripe = app.template_id("Stripe");
    let mut config = sample_config("Stripe");

    config["client_secret"] = json!("fail");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config": config}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error_shape(&body);
    assert_eq!(body["errors"][0]["error_code"], "check_failed");
    assert_eq!(body["errors"][0]["field"], "source_config.client_secret");

    config["client_secret"] = json!("error_INVALID_CREDENTIALS");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config": config}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = assert_error_shape(&body);
    assert_eq!(body["errors"][0]["error_code"], "INVALID_CREDENTIALS");
    assert!(message.contains("INVALID_CREDENTIALS"), "{message}");
    assert_eq!(
        app.counts().await["sources"],
        0,
        "failed checks store nothing"
    );

    // Secrets nested in a oneOf variant count too.
    let mut github = sample_config("GitHub");
    github["credentials"]["personal_access_token"] = json!("error_403");
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("GitHub"), "source_config": github}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["error_code"], "403");
}

#[tokio::test]
async fn the_slow_outcome_input_takes_at_least_three_seconds() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("slow-co").await;
    let mut config = sample_config("Stripe");
    config["client_secret"] = json!("slow");
    let started = Instant::now();
    let created = app.create_source(&jwt, "Stripe", &config).await;
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(3), "took only {elapsed:?}");
    assert_eq!(created["replication_config"]["client_secret"], SECRET_MASK);
}

#[tokio::test]
async fn legacy_create_body_names_work() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("legacy-co").await;
    let stripe = app.template_id("Stripe");
    let workspace = app.workspace_id("legacy-co").expect("workspace");
    // What the 2025 Sonar iframe sends: every field under both names, plus workspace_id.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"workspace_id": workspace, "source_template_id": stripe, "source_config_template_id": stripe,
                    "source_config": sample_config("Stripe"), "connection_configuration": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Only the legacy names.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_config_template_id": stripe, "connection_configuration": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source_template"]["name"], "Stripe");
    assert_eq!(body["replication_config"]["client_secret"], SECRET_MASK);
    // The two names disagreeing is an error naming the legacy one.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": stripe, "source_config_template_id": app.template_id("GitHub"),
                    "source_config": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        vec!["source_config_template_id".to_owned()]
    );
    // Neither name: the current one is named.
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_config": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["source_template_id".to_owned()]);
}

#[tokio::test]
async fn unknown_json_fields_are_ignored_and_a_name_can_be_given() {
    let app = spawn_app().await;
    let jwt = app.scoped_token("tolerant-co").await;
    let (status, _, body) = app
        .post(
            SOURCES,
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Sample Data (Faker)"),
                    "source_config": {"count": 10, "not_in_the_spec": true},
                    "name": "My fake data",
                    "selected_connection_template_tags": ["warehouse"],
                    "future_field": {"nested": [1, 2, 3]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "My fake data");
    assert_eq!(
        body["replication_config"]["not_in_the_spec"], true,
        "additionalProperties allowed"
    );
}

#[tokio::test]
async fn the_operator_sees_sources_by_workspace_and_deletes_them_with_202() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let acme = app.scoped_token("acme").await;
    let globex = app.scoped_token("globex").await;
    let a1 = app
        .create_source(&acme, "Stripe", &sample_config("Stripe"))
        .await;
    let a2 = app
        .create_source(&acme, "Postgres", &sample_config("Postgres"))
        .await;
    let g1 = app
        .create_source(&globex, "GitHub", &sample_config("GitHub"))
        .await;
    let globex_id = app.workspace_id("globex").expect("globex");

    let ids = |body: &Value| -> BTreeSet<String> {
        body["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let id = |v: &Value| v["id"].as_str().expect("id").to_owned();
    let by_id = format!("?workspace_id={globex_id}");
    let by_definition = format!("?definition_id={}", app.definition_id("GitHub"));
    for (query, expected) in [
        ("?workspace_name=acme", vec![id(&a1), id(&a2)]),
        ("?customer_name=acme", vec![id(&a1), id(&a2)]),
        ("?external_user_id=acme", vec![id(&a1), id(&a2)]),
        (by_id.as_str(), vec![id(&g1)]),
        ("?workspace_name=nobody", vec![]),
        ("", vec![id(&a1), id(&a2), id(&g1)]),
        (by_definition.as_str(), vec![id(&g1)]),
    ] {
        let (status, _, body) = app
            .get(&format!("{CONNECTORS}{query}"), Some(&operator))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(ids(&body), expected.into_iter().collect(), "{query}");
        for item in body["data"].as_array().expect("data") {
            assert!(
                item["summarized_source_template"]["actor_definition_id"].is_string(),
                "{item}"
            );
        }
    }
    let (status, _, body) = app
        .get(&format!("{CONNECTORS}?workspace_id=acme"), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["workspace_id".to_owned()]);

    let (status, _, got) = app
        .get(&format!("{CONNECTORS}/{}", id(&g1)), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        got["replication_config"]["credentials"]["personal_access_token"],
        SECRET_MASK
    );

    let (status, _, body) = app
        .delete(&format!("{CONNECTORS}/{}", id(&a1)), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(
        Uuid::parse_str(body["job_id"].as_str().expect("job_id")).is_ok(),
        "{body}"
    );
    let (status, _, _) = app
        .get(&format!("{SOURCES}/{}", id(&a1)), Some(&acme))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone for the end user");
    let (status, _, _) = app
        .get(&format!("{CONNECTORS}/{}", id(&a1)), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .delete(&format!("{CONNECTORS}/{}", id(&a1)), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Follows `next`: a URL (as the published description says) or an opaque cursor.
fn next_path(next: &str, prefix: &str, base: &str) -> String {
    if let Some(rest) = next.strip_prefix(base) {
        rest.to_owned()
    } else if next.starts_with('/') {
        next.to_owned()
    } else {
        format!("{prefix}&cursor={next}")
    }
}

#[tokio::test]
async fn workspaces_list_paginates_and_get_returns_one() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let mut created = BTreeSet::new();
    for i in 0..5 {
        let (_, decoded, _) = app.widget_token(&format!("page-{i}"), ORIGIN).await;
        let id = url::Url::parse(&decoded.widget_url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "workspaceId")
            .map(|(_, v)| v.into_owned())
            .expect("workspaceId");
        created.insert(id);
    }
    app.scoped_token("unrelated").await;

    let first = "/api/v1/workspaces?name_contains=PAGE-&limit=2";
    let mut path = first.to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, _, body) = app.get(&path, Some(&operator)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let data = body["data"].as_array().expect("data");
        assert!(data.len() <= 2, "limit is honoured: {body}");
        for w in data {
            assert!(
                w["name"].as_str().expect("name").starts_with("page-"),
                "{w}"
            );
            assert_eq!(w["organization_id"], app.organization_id().to_string());
            assert_eq!(w["status"], "active");
            seen.push(w["id"].as_str().expect("id").to_owned());
        }
        pages += 1;
        assert!(pages <= 5, "pagination terminates");
        match body["next"].as_str() {
            Some(next) => path = next_path(next, first, &app.base),
            None => break,
        }
    }
    assert_eq!(pages, 3, "5 workspaces in pages of 2");
    assert_eq!(seen.len(), 5, "no duplicates across pages: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), created);

    let (_, _, all) = app.get("/api/v1/workspaces", Some(&operator)).await;
    assert_eq!(all["data"].as_array().expect("data").len(), 6);
    assert!(all["next"].is_null(), "{all}");

    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "status=deleted",
        "cursor=zzz",
    ] {
        let (status, _, body) = app
            .get(&format!("/api/v1/workspaces?{bad}"), Some(&operator))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_error_shape(&body);
    }

    let id = created.first().expect("one").clone();
    let (status, _, body) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    assert!(body["name"].as_str().expect("name").starts_with("page-"));
    assert_eq!(body["tombstone"], false);
    assert!(body.get("color").is_some() && body.get("cache_enabled").is_some());
    let (status, _, body) = app
        .get(
            &format!("/api/v1/workspaces/{}", Uuid::new_v4()),
            Some(&operator),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body);
}
