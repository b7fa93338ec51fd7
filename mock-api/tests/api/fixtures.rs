//! Fixtures: `POST /_mock/fixtures` merges one, `--fixture PATH` loads them at start (a bad file
//! stops the start naming it), and `POST /_mock/reset?to=fixtures` goes back to the started state.

use std::path::PathBuf;

use airbyte_mock::testkit::{assert_error_shape, error_fields};
use airbyte_mock::{Config, Server};
use clap::Parser;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.json")
}

fn example() -> Value {
    let text = std::fs::read_to_string(example_path()).expect("the example fixture is readable");
    serde_json::from_str(&text).expect("the example fixture is JSON")
}

/// A fixture file in the temp directory, named for the test.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "{}-{name}.json",
        airbyte_mock::testkit::unique("fixture")
    ));
    std::fs::write(&path, contents).expect("write the temp fixture");
    path
}

async fn sources_of(app: &TestApp, workspace: &str) -> Value {
    let operator = app.app_token().await;
    let (status, _, body) = app
        .get(
            &format!("/api/v1/integrations/connectors?workspace_name={workspace}"),
            Some(&operator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_example_fixture_merges_and_the_reply_says_what_was_added() {
    let app = spawn_app().await;
    let revision = app.state.store.revision();
    let (status, _, body) = app.post("/_mock/fixtures", None, &example()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], revision + 1, "a merge is one write");
    let added = &body["added"];
    assert_eq!(added["workspaces"].as_array().map(Vec::len), Some(2));
    assert_eq!(added["tags"], json!(["vip"]));
    assert_eq!(added["source_templates"][0]["name"], "Stripe (VIP)");
    assert_eq!(added["sources"].as_array().map(Vec::len), Some(3));
    assert_eq!(added["sources"][0]["name"], "Acme billing");
    assert_eq!(added["sources"][0]["workspace_name"], "acme");
    assert!(!body.to_string().contains("sk_test_exampleAcme"));

    let acme = sources_of(&app, "acme").await;
    assert_eq!(
        TestApp::names(&acme),
        vec![
            "Acme billing".to_owned(),
            added["sources"][1]["name"]
                .as_str()
                .expect("name")
                .to_owned()
        ]
    );
    let id = added["sources"][0]["id"].as_str().expect("id");
    let stored = app.stored_config(id).expect("stored");
    assert_eq!(stored["client_secret"], "sk_test_exampleAcme");
    assert_eq!(
        stored["lookback_window_days"], 30,
        "the fixture template's defaults"
    );
    assert_eq!(
        stored["slice_range"],
        Value::Null,
        "a template's own defaults replace the definition's"
    );

    // The new template carries its tags; the end user sees it through a tag selection.
    let (_, _, jwt) = app
        .widget_token_with(&json!({
            "workspace_name": "acme",
            "allowed_origin": crate::helpers::ORIGIN,
            "selected_source_template_tags": ["vip"],
        }))
        .await;
    let (_, _, templates) = app
        .get("/api/v1/embedded/source-templates", Some(&jwt))
        .await;
    assert_eq!(TestApp::names(&templates), vec!["Stripe (VIP)".to_owned()]);

    // Merging again reuses the workspaces and the tag and adds the rest again.
    let (status, _, again) = app.post("/_mock/fixtures", None, &example()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["added"]["workspaces"], json!([]));
    assert_eq!(app.state.store.counts().workspaces, 2);
    assert_eq!(app.state.store.counts().sources, 6);
}

#[tokio::test]
async fn a_bad_fixture_is_refused_whole_naming_the_entry() {
    let app = spawn_app().await;
    let (_, _, before) = app.get("/_mock/state", None).await;
    let fixture = json!({
        "workspaces": [{"name": "acme"}],
        "sources": [
            {"workspace_name": "acme", "template": "Sample Data (Faker)", "config": {"count": 1}},
            {"workspace_name": "acme", "template": "Sample Data (Faker)", "config": {"count": 2}},
            {"workspace_name": "acme", "template": "Stripe", "config": {"account_id": "acct_1"}},
        ]
    });
    let (status, _, body) = app.post("/_mock/fixtures", None, &fixture).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = assert_error_shape(&body);
    assert_eq!(
        error_fields(&body),
        vec!["sources[2].config.client_secret".to_owned()]
    );
    assert!(
        message.contains("sources[2].config.client_secret"),
        "{message}"
    );
    let (_, _, after) = app.get("/_mock/state", None).await;
    assert_eq!(after, before, "nothing changed, not even the revision");

    // Misspelt keys are refused, not ignored.
    let (status, _, body) = app
        .post(
            "/_mock/fixtures",
            None,
            &json!({"workspace": [{"name": "acme"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("workspace"), "{body}");
}

#[tokio::test]
async fn fixtures_given_at_start_are_loaded() {
    let second = temp_file(
        "second",
        r#"{"sources": [{"workspace_name": "globex", "template": "Postgres", "name": "warehouse",
            "config": {"host": "db", "port": 5432, "database": "app", "username": "u", "password": "pw-start"}}]}"#,
    );
    let app = spawn_app_with(Config {
        fixtures: vec![example_path(), second.clone()],
        ..Config::default()
    })
    .await;
    let counts = app.counts().await;
    assert_eq!(counts["workspaces"], 2);
    assert_eq!(
        counts["sources"], 4,
        "both files, in order: the second uses the first's workspace"
    );
    assert_eq!(
        TestApp::names(&sources_of(&app, "globex").await),
        vec!["Globex sample".to_owned(), "warehouse".to_owned()]
    );
    let _ = std::fs::remove_file(second);
}

#[tokio::test]
async fn a_bad_fixture_file_stops_the_start_naming_the_file_and_the_entry() {
    let bad = temp_file(
        "bad",
        r#"{"workspaces": [{"name": "acme"}],
            "sources": [{"workspace_name": "acme", "template": "Stripe", "config": {"account_id": "acct_1"}}]}"#,
    );
    let start = |fixtures: Vec<PathBuf>| async move {
        let config = Config {
            addr: ([127, 0, 0, 1], 0).into(),
            fixtures,
            ..Config::default()
        };
        Server::bind(&config)
            .await
            .map(|_| ())
            .expect_err("the start fails")
    };
    let error = start(vec![example_path(), bad.clone()]).await;
    assert!(error.contains(&bad.display().to_string()), "{error}");
    assert!(error.contains("sources[0].config.client_secret"), "{error}");

    let malformed = temp_file("malformed", r#"{"workspaces": [{"name": "acme"}"#);
    let error = start(vec![malformed.clone()]).await;
    assert!(error.contains(&malformed.display().to_string()), "{error}");
    assert!(error.contains("malformed JSON"), "{error}");

    let missing = std::env::temp_dir().join("no-such-fixture-file.json");
    let error = start(vec![missing.clone()]).await;
    assert!(error.contains(&missing.display().to_string()), "{error}");
    assert!(error.contains("cannot read"), "{error}");
    let _ = std::fs::remove_file(bad);
    let _ = std::fs::remove_file(malformed);
}

#[tokio::test]
async fn the_fixture_flag_repeats_and_takes_a_comma_separated_list() {
    let cli =
        Config::try_parse_from(["airbyte-mock", "--fixture", "a.json", "--fixture", "b.json"])
            .expect("the flags parse");
    assert_eq!(
        cli.fixtures,
        vec![PathBuf::from("a.json"), PathBuf::from("b.json")]
    );
    let cli = Config::try_parse_from(["airbyte-mock", "--fixture", "a.json,b.json"])
        .expect("the list parses");
    assert_eq!(cli.fixtures.len(), 2);
}

#[tokio::test]
async fn reset_to_fixtures_goes_back_to_the_started_state() {
    let app = spawn_app_with(Config {
        fixtures: vec![example_path()],
        ..Config::default()
    })
    .await;
    let (_, _, started) = app.get("/_mock/state", None).await;
    let ids = |dump: &Value, list: &str| -> Vec<Value> {
        dump[list]
            .as_array()
            .expect("a list")
            .iter()
            .map(|e| e["id"].clone())
            .collect()
    };

    let jwt = app.scoped_token("newcomer").await;
    app.create_source(&jwt, "Sample Data (Faker)", &json!({"count": 1}))
        .await;
    let (status, _, body) = app.post("/_mock/reset?to=fixtures", None, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "reset");
    assert_eq!(body["revision"], app.state.store.revision());
    let (_, _, reset) = app.get("/_mock/state", None).await;
    for list in ["workspaces", "source_templates", "tags", "sources"] {
        assert_eq!(
            ids(&reset, list),
            ids(&started, list),
            "{list}: same ids as at start"
        );
    }
    assert_eq!(app.workspace_id("newcomer"), None);

    // A plain reset forgets the fixtures; an unknown target is named.
    let (status, _, _) = app.post("/_mock/reset", None, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.counts().await["workspaces"], 0);
    let (status, _, body) = app
        .post("/_mock/reset?to=yesterday", None, &json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["to".to_owned()]);
}

#[tokio::test]
async fn a_fixture_source_gets_its_connections_like_an_api_created_one() {
    let app = spawn_app_with(Config {
        time_scale: 0.0,
        ..Config::default()
    })
    .await;
    let (status, _, body) = app
        .post(
            "/_mock/fixtures",
            None,
            &json!({"workspaces": [{"name": "fixture-replicated"}], "sources": [{"workspace_name": "fixture-replicated", "template": "Sample Data (Faker)", "config": {"count": 10}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let source_id = body["added"]["sources"][0]["id"].clone();
    let (status, _, connections) = app
        .get("/_mock/workspaces/fixture-replicated/connections", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{connections}");
    let data = connections["data"].as_array().unwrap();
    assert!(!data.is_empty(), "{connections}");
    assert!(
        data.iter().all(|c| c["source_id"] == source_id),
        "{connections}"
    );
    // Its first job runs on the simulated clock like any other.
    let (status, _, _) = app
        .post("/_mock/clock/advance", None, &json!({"seconds": 120}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, connections) = app
        .get("/_mock/workspaces/fixture-replicated/connections", None)
        .await;
    assert_eq!(
        connections["data"][0]["last_job"]["status"], "succeeded",
        "{connections}"
    );
}
