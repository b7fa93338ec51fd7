//! `POST /api/airbyte/sources/{id}/preview`: the first records of a user's own source through
//! Airbyte's execute operation; another user's source, a bad id and an unknown entity are refused.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn previews_the_first_entity_of_the_users_own_source_only() {
    let app = spawn_app().await;
    let created = app.connect_faker_source("dora").await;
    let path = format!("/api/airbyte/sources/{}/preview", created.id);

    let (status, body) = app.post_demo(&path, &json!({"userId": "dora"})).await;
    assert_eq!(status, 200, "{body}");
    let entities: Vec<&str> = body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(!entities.is_empty(), "{body}");
    assert_eq!(body["entity"], entities[0]);
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 5, "{body}");
    assert!(body["total"].as_u64().unwrap() >= 5, "{body}");

    // Another entity by name; the same request gives the same records (seeded).
    let other = entities.last().unwrap();
    let (status, first) = app
        .post_demo(&path, &json!({"userId": "dora", "entity": other}))
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["entity"], *other);
    let (_, again) = app
        .post_demo(&path, &json!({"userId": "dora", "entity": other}))
        .await;
    assert_eq!(first["records"], again["records"]);

    // An unknown entity: Airbyte's 400 naming the valid ones comes back as a 502 with its status.
    let (status, body) = app
        .post_demo(&path, &json!({"userId": "dora", "entity": "nope"}))
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["upstream_status"], 400);
    assert!(
        body["error"].as_str().unwrap().contains("valid entities"),
        "{body}"
    );

    // Someone else's source is not found for them, and a bad id or body is a 400.
    let (status, body) = app.post_demo(&path, &json!({"userId": "eve"})).await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = app
        .post_demo(
            "/api/airbyte/sources/not-a-uuid/preview",
            &json!({"userId": "dora"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = app.post_demo(&path, &json!({})).await;
    assert_eq!(status, 400);
}
