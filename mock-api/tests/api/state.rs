//! `GET /_mock/state` and `PUT /_mock/state`: the whole state as one JSON document, secrets
//! redacted, and loading it back (one write, checked whole, bad entries named).

use airbyte_mock::testkit::{assert_error_shape, error_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, SEEDED_TEMPLATES, TestApp, sample_config, spawn_app};

const SECRET: &str = "sk_test_dumpSecret4711";

/// A state with a workspace, a Stripe source holding [`SECRET`], a new tag and a minted origin.
async fn populated() -> (TestApp, Value) {
    let app = spawn_app().await;
    let (_, _, jwt) = app.widget_token("dump-co", ORIGIN).await;
    let mut config = sample_config("Stripe");
    config["client_secret"] = json!(SECRET);
    let source = app.create_source(&jwt, "Stripe", &config).await;
    let operator = app.app_token().await;
    let (status, _, body) = app
        .post(
            "/api/v1/integrations/templates/tags",
            Some(&operator),
            &json!({"name": "dumped"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (app, source)
}

async fn dump(app: &TestApp) -> Value {
    let (status, _, body) = app.get("/_mock/state", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A dump without its revision, to compare two states.
fn content(mut dump: Value) -> Value {
    dump.as_object_mut()
        .expect("a dump is an object")
        .remove("revision");
    dump
}

#[tokio::test]
async fn the_dump_holds_the_whole_state_with_every_secret_redacted() {
    let (app, source) = populated().await;
    let dump = dump(&app).await;
    assert_eq!(dump["revision"], app.state.store.revision());
    assert_eq!(
        dump["organization"]["id"],
        app.organization_id().to_string()
    );
    assert!(dump["organization"]["name"].is_string());
    assert_eq!(dump["workspaces"][0]["name"], "dump-co");
    assert_eq!(
        dump["workspaces"][0]["region_id"],
        airbyte_embedded::REGION_US
    );
    assert_eq!(
        dump["source_templates"].as_array().map(Vec::len),
        Some(SEEDED_TEMPLATES.len())
    );
    assert!(dump["source_templates"][0]["user_config_spec"].is_object());
    assert_eq!(
        dump["source_templates"][0]["organization_id"],
        app.organization_id().to_string()
    );
    assert_eq!(
        dump["connection_templates"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(
        dump["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t["name"] == "dumped")
    );
    assert_eq!(dump["allowed_origins"], json!([ORIGIN]));
    let stored = &dump["sources"][0];
    assert_eq!(stored["id"], source["id"]);
    assert_eq!(stored["template_id"], app.template_id("Stripe").to_string());
    assert_eq!(stored["workspace_id"], dump["workspaces"][0]["id"]);
    assert_eq!(stored["config"]["client_secret"], "**********");
    assert_eq!(stored["config"]["account_id"], "acct_1234567890abcdef");

    let text = dump.to_string();
    assert!(
        !text.contains(SECRET),
        "the dump carries the source's secret"
    );
    assert!(
        !text.contains("mock-client-secret"),
        "the dump carries the client secret"
    );
}

#[tokio::test]
async fn a_dump_loads_back_as_one_write_and_keeps_the_stored_secrets() {
    let (app, source) = populated().await;
    let before = dump(&app).await;
    let source_id = source["id"].as_str().expect("source id");

    // Change the state: another workspace and source, a renamed tag, the first source renamed.
    let jwt = app.scoped_token("later-co").await;
    app.create_source(&jwt, "Sample Data (Faker)", &json!({"count": 3}))
        .await;
    let operator = app.app_token().await;
    app.put(
        "/api/v1/integrations/templates/tags/dumped",
        Some(&operator),
        &json!({"name": "renamed"}),
    )
    .await;
    assert_ne!(content(dump(&app).await), content(before.clone()));

    let revision = app.state.store.revision();
    let (status, _, loaded) = app.put("/_mock/state", None, &before).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    assert_eq!(
        app.state.store.revision(),
        revision + 1,
        "a load is one write"
    );
    assert_eq!(loaded["revision"], revision + 1);
    assert_eq!(content(loaded), content(before.clone()));
    assert_eq!(content(dump(&app).await), content(before));
    assert_eq!(
        app.stored_config(source_id).expect("the source is back")["client_secret"],
        SECRET,
        "the masked secret took the value stored for the same source"
    );
    assert_eq!(app.workspace_id("later-co"), None);

    // The loaded state is live: its workspace is found by name, its source listed.
    let jwt = app.scoped_token("dump-co").await;
    let (status, _, list) = app.get("/api/v1/embedded/sources", Some(&jwt)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["data"][0]["id"], source["id"]);
}

#[tokio::test]
async fn a_masked_secret_with_nothing_stored_behind_it_is_refused_by_name() {
    let (app, _) = populated().await;
    let mut saved = dump(&app).await;
    app.post("/_mock/reset", None, &json!({})).await;
    let revision = app.state.store.revision();

    let (status, _, body) = app.put("/_mock/state", None, &saved).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(
        error_fields(&body),
        vec!["sources[0].config.client_secret".to_owned()]
    );
    assert_eq!(app.state.store.revision(), revision, "nothing was written");
    assert_eq!(app.state.store.counts().sources, 0);

    // With the real value it loads.
    saved["sources"][0]["config"]["client_secret"] = json!("sk_test_another");
    let (status, _, body) = app.put("/_mock/state", None, &saved).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sources"][0]["config"]["client_secret"], "**********");
    assert!(!body.to_string().contains("sk_test_another"));
}

#[tokio::test]
async fn a_bad_state_is_refused_whole_naming_every_bad_entry() {
    let (app, _) = populated().await;
    let before = dump(&app).await;
    let mut bad = before.clone();
    bad["sources"][0]["workspace_id"] = json!(uuid::Uuid::new_v4());
    bad["sources"][0]["config"]["account_id"] = json!(42);
    let copy = bad["workspaces"][0].clone();
    bad["workspaces"]
        .as_array_mut()
        .expect("workspaces")
        .push(copy);
    bad["source_templates"][1]["tags"] = json!(["no-such-tag"]);

    let (status, _, body) = app.put("/_mock/state", None, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    let fields = error_fields(&body);
    for expected in [
        "sources[0].workspace_id",
        "sources[0].config.account_id",
        "workspaces[1].id",
        "workspaces[1].name",
        "source_templates[1].tags[0]",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} in {fields:?}"
        );
    }
    assert_eq!(
        dump(&app).await,
        before,
        "nothing changed, not even the revision"
    );

    // A body of the wrong shape is named by its path.
    let (status, _, body) = app
        .put("/_mock/state", None, &json!({"organization": 5}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["organization".to_owned()]);
}
