use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn lists_the_users_connected_sources() {
    let app = spawn_app().await;
    let (status, json) = app.get_demo("/api/airbyte/sources?userId=newcomer").await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["data"], json!([]));

    // Connect a source the way the widget does, with the scoped token inside the widget token.
    let created = app.connect_faker_source("alice").await;

    let (status, json) = app.get_demo("/api/airbyte/sources?userId=alice").await;
    assert_eq!(status, 200, "{json}");
    let data = json["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{json}");
    assert_eq!(data[0]["id"], created.id.to_string());
    assert_eq!(
        data[0]["summarized_source_template"]["name"],
        created.source_template.name
    );
    // Another user sees nothing of alice's.
    let (_, other) = app.get_demo("/api/airbyte/sources?userId=bob").await;
    assert_eq!(other["data"], json!([]));
}

#[tokio::test]
async fn config_and_users_for_the_spa() {
    let app = spawn_app().await;
    let (status, config) = app.get_demo("/api/config").await;
    assert_eq!(status, 200);
    assert_eq!(config["allowedOrigin"], app.allowed_origin);
    assert_eq!(
        config["widgetScriptUrl"],
        format!("{}/widget.js", app.mock.url())
    );
    assert_eq!(config["mock"], true);
    let (_, users) = app.get_demo("/api/users").await;
    let users = users["users"].as_array().unwrap();
    assert_eq!(users[0], "user_123");
    assert!(users.len() >= 4, "{users:?}");
}

#[tokio::test]
async fn without_a_built_spa_the_root_explains_how_to_build_it() {
    let app = spawn_app().await;
    let (status, body) = app.get_demo("/some/client/route").await;
    assert_eq!(status, 200);
    assert!(body.as_str().unwrap().contains("just demo"), "{body}");
}
