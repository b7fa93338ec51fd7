//! Simulated replication driven by the test clock (`time_scale: 0`, `POST /_mock/clock/advance`):
//! connections made on source creation per the token's connection-template tags, jobs advancing
//! pending → running → succeeded or failed, deletion cascades, `--state-file` keeping them.

use airbyte_mock::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app_with};
use crate::workspace_ops::still_app;

async fn advance(app: &TestApp, seconds: u64) -> Value {
    let (status, _, body) = app
        .post("/_mock/clock/advance", None, &json!({"seconds": seconds}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn connections(app: &TestApp, workspace: &str) -> Vec<Value> {
    let (status, _, body) = app
        .get(&format!("/_mock/workspaces/{workspace}/connections"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().clone()
}

async fn last_status(app: &TestApp, workspace: &str) -> String {
    connections(app, workspace).await[0]["last_job"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_new_source_gets_a_connection_whose_jobs_advance_with_the_clock() {
    let app = still_app().await;
    let scoped = app.scoped_token("rep-ws").await;
    let source = app
        .create_source(&scoped, "GitHub", &sample_config("GitHub"))
        .await;
    let conns = connections(&app, "rep-ws").await;
    assert_eq!(conns.len(), 1);
    let c = &conns[0];
    assert_eq!(c["source_id"], source["id"]);
    assert_eq!(c["cron_expression"], "0 0 * * * ?");
    assert!(c["destination_name"].is_string());
    assert_eq!(c["last_job"]["status"], "pending");
    assert!(c["last_completed_job"].is_null());

    advance(&app, 5).await;
    assert_eq!(last_status(&app, "rep-ws").await, "running");
    advance(&app, 60).await;
    let c = connections(&app, "rep-ws").await.remove(0);
    assert_eq!(c["last_job"]["status"], "succeeded");
    let job = &c["last_completed_job"];
    let streams = job["streams"].as_array().unwrap();
    assert_eq!(
        streams
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["issues", "pull_requests", "repositories"]
    );
    let sum: u64 = streams.iter().map(|s| s["records"].as_u64().unwrap()).sum();
    assert_eq!(job["records"].as_u64().unwrap(), sum);
    assert!(sum > 0 && job["bytes"].as_u64().unwrap() > sum);

    // An hour later the schedule starts another.
    advance(&app, 3600).await;
    let c = connections(&app, "rep-ws").await.remove(0);
    assert_eq!(c["jobs_count"], 2);
    assert_eq!(c["last_job"]["created_at"], "2026-01-01T01:00:00Z");
    let (status, _, jobs) = app
        .get(
            &format!("/_mock/connections/{}/jobs", c["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jobs["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_counts() {
    let mut records = Vec::new();
    for _ in 0..2 {
        let app = still_app().await;
        let scoped = app.scoped_token("seeded").await;
        app.create_source(&scoped, "Stripe", &sample_config("Stripe"))
            .await;
        advance(&app, 100).await;
        records.push(connections(&app, "seeded").await[0]["last_job"]["records"].clone());
    }
    assert_eq!(records[0], records[1]);
}

#[tokio::test]
async fn no_connection_when_the_tokens_connection_tags_exclude_the_template() {
    let app = still_app().await;
    let (_, _, jwt) = app
        .widget_token_with(&json!({
            "workspace_name": "tagged-ws",
            "allowed_origin": ORIGIN,
            "selected_connection_template_tags": ["no-such-destination-tag"],
        }))
        .await;
    app.create_source(&jwt, "GitHub", &sample_config("GitHub"))
        .await;
    assert!(connections(&app, "tagged-ws").await.is_empty());
    // An empty selection takes every template.
    let (_, _, jwt) = app.widget_token("untagged-ws", ORIGIN).await;
    app.create_source(&jwt, "GitHub", &sample_config("GitHub"))
        .await;
    assert_eq!(connections(&app, "untagged-ws").await.len(), 1);
}

#[tokio::test]
async fn a_source_configured_to_fail_gets_failed_jobs() {
    let app = still_app().await;
    let scoped = app.scoped_token("fail-ws").await;
    let mut config = sample_config("Stripe");
    config["client_secret"] = json!("sync_fail");
    app.create_source(&scoped, "Stripe", &config).await;
    advance(&app, 65).await;
    let c = connections(&app, "fail-ws").await.remove(0);
    assert_eq!(c["last_job"]["status"], "failed");
    assert!(c["last_job"]["failure"].as_str().unwrap().contains("fail"));
    assert_eq!(c["last_job"]["records"], 0);
}

#[tokio::test]
async fn a_fault_rule_on_the_connection_fails_its_next_syncs_only() {
    let app = still_app().await;
    let scoped = app.scoped_token("faulted-ws").await;
    app.create_source(&scoped, "GitHub", &sample_config("GitHub"))
        .await;
    let connection = connections(&app, "faulted-ws").await.remove(0);
    let id = connection["id"].as_str().unwrap();

    // Request keys make no sense on a connection rule; each is named.
    let (status, _, body) = app
        .post(
            "/_mock/faults",
            None,
            &json!({"connection_id": id, "path": "/x", "status": 503}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["path", "status"]);
    let (status, _, body) = app
        .post("/_mock/faults", None, &json!({"connection_id": "nope"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "connection_id");

    let (status, _, rule) = app
        .post(
            "/_mock/faults",
            None,
            &json!({"connection_id": id, "failure": "warehouse quota exceeded", "times": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    assert!(rule.get("path").is_none(), "{rule}");

    // The first job fails with the rule's text; the next one, an hour later, succeeds.
    advance(&app, 65).await;
    let c = connections(&app, "faulted-ws").await.remove(0);
    assert_eq!(c["last_job"]["status"], "failed");
    let failure = c["last_job"]["failure"].as_str().unwrap();
    assert!(failure.contains("warehouse quota exceeded"), "{failure}");
    assert!(failure.contains(rule["id"].as_str().unwrap()), "{failure}");
    advance(&app, 3600).await;
    assert_eq!(last_status(&app, "faulted-ws").await, "succeeded");
    let (_, _, rules) = app.get("/_mock/faults", None).await;
    assert_eq!(rules["data"][0]["fired"], 1);

    // Requests never match a connection rule.
    let (status, _, _) = app.get("/_mock/health", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn deleting_the_source_or_its_template_deletes_the_connection_and_jobs() {
    let app = still_app().await;
    let token = app.app_token().await;
    let scoped = app.scoped_token("cascade-ws").await;
    let a = app
        .create_source(&scoped, "GitHub", &sample_config("GitHub"))
        .await;
    app.create_source(&scoped, "Stripe", &sample_config("Stripe"))
        .await;
    advance(&app, 100).await;
    assert_eq!(connections(&app, "cascade-ws").await.len(), 2);
    let (status, _, _) = app
        .delete(
            &format!(
                "/api/v1/integrations/connectors/{}",
                a["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let left = connections(&app, "cascade-ws").await;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0]["source_id"], a["id"]);

    let stripe = app.template_id("Stripe");
    let (status, _, body) = app
        .delete(
            &format!("/api/v1/integrations/templates/sources/{stripe}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(connections(&app, "cascade-ws").await.is_empty());
    let (_, _, state) = app.get("/_mock/state", None).await;
    assert_eq!(state["jobs"], json!([]));
}

#[tokio::test]
async fn the_clock_route_checks_its_input_and_unknown_names_are_404() {
    let app = still_app().await;
    let (status, _, body) = app.post("/_mock/clock/advance", None, &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "seconds");
    let (status, _, body) = app
        .post("/_mock/clock/advance", None, &json!({"seconds": -1}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, _) = app.get("/_mock/workspaces/nobody/connections", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn connections_and_jobs_survive_a_restart_with_the_state_file() {
    let dir = std::env::temp_dir().join(airbyte_mock::testkit::unique("replication-state"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.jsonl");
    let config = Config {
        time_scale: 0.0,
        state_file: Some(file.clone()),
        ..Config::default()
    };
    let before = {
        let app = spawn_app_with(config.clone()).await;
        let scoped = app.scoped_token("kept-ws").await;
        app.create_source(&scoped, "GitHub", &sample_config("GitHub"))
            .await;
        advance(&app, 100).await;
        connections(&app, "kept-ws").await
    };
    let app = spawn_app_with(config).await;
    let after = connections(&app, "kept-ws").await;
    assert_eq!(after.len(), 1);
    for key in ["id", "source_id", "jobs_count", "last_job"] {
        assert_eq!(before[0][key], after[0][key], "{key}");
    }
    assert_eq!(after[0]["last_job"]["status"], "succeeded");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
