//! `GET /api/airbyte/sync-status`: per connected source, the replication state the mock simulates
//! (read from its mock-only `/_mock/workspaces/{name}/connections`); nothing against a real API.

use serde_json::json;

use crate::helpers::{Options, spawn_app, spawn_with};

#[tokio::test]
async fn a_new_source_shows_its_sync_then_the_last_sync_counts() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_demo("/api/airbyte/sync-status?userId=nobody-yet")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["available"], true);

    let created = app.connect_faker_source("carol").await;

    let (status, body) = app.get_demo("/api/airbyte/sync-status?userId=carol").await;
    assert_eq!(status, 200, "{body}");
    let item = &body["data"][0];
    assert_eq!(item["source_id"], created.id.to_string());
    // The mock's clock runs in real time here, so which state the first sync is in is not asserted.
    assert!(
        ["pending", "syncing", "succeeded"].contains(&item["state"].as_str().unwrap()),
        "{body}"
    );

    // Two simulated minutes later the first sync has ended, with its counts.
    let advanced = app
        .mock
        .client()
        .post(format!("{}/_mock/clock/advance", app.mock.url()))
        .json(&json!({"seconds": 120}))
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
    let (_, body) = app.get_demo("/api/airbyte/sync-status?userId=carol").await;
    let item = &body["data"][0];
    assert!(item["last_records"].as_u64().unwrap() > 0, "{body}");
    assert_eq!(item["last_sync_failed"], false);
    assert!(item["last_sync_at"].is_string() && item["now"].is_string());

    let (status, _) = app.get_demo("/api/airbyte/sync-status").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn against_a_real_api_there_is_no_sync_status() {
    let app = spawn_with(Options {
        api_url: Some("http://127.0.0.1:9/api/v1".into()),
        ..Options::default()
    })
    .await;
    let (status, body) = app.get_demo("/api/airbyte/sync-status?userId=carol").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"available": false, "data": []}));
}
