use airbyte_client::AirbyteClient;

use crate::helpers::{Options, spawn_app, spawn_with};

#[tokio::test]
async fn widget_token_decodes_and_carries_the_configured_origin() {
    let app = spawn_app().await;
    let token = app.widget_token("user_123").await;
    let url = url::Url::parse(&token.widget_url).expect("absolute widget URL");
    assert_eq!(
        format!("{}://{}", url.scheme(), url.authority()),
        app.mock.url()
    );
    assert_eq!(url.path(), "/embedded-widget");
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["allowedOrigin"], "http://localhost:4321");
    assert!(
        token
            .widget_url
            .contains("allowedOrigin=http%3A%2F%2Flocalhost%3A4321"),
        "{}",
        token.widget_url
    );

    // The scoped JWT inside is for user_123's workspace, the one in the URL.
    let client = AirbyteClient::new(app.mock.api_url()).unwrap();
    let info = client
        .scoped_token_info(token.token.as_deref().unwrap())
        .await
        .expect("scoped token works");
    assert_eq!(info.workspace_name, "user_123");
    assert_eq!(info.workspace_id.to_string(), query["workspaceId"]);
}

#[tokio::test]
async fn application_token_is_fetched_once_for_many_widget_tokens() {
    let app = spawn_app().await;
    // Concurrent first requests must share one refresh...
    let first: Vec<_> = futures::future::join_all((0..12).map(|i| {
        let app = &app;
        async move { app.widget_token(&format!("user_{i}")).await }
    }))
    .await;
    assert_eq!(first.len(), 12);
    // ...and later ones reuse the cached token.
    for i in 0..8 {
        app.widget_token(&format!("later_{i}")).await;
    }
    let health = app.mock_health().await;
    assert_eq!(health["issued"]["application_tokens"], 1, "{health}");
    assert_eq!(health["issued"]["widget_tokens"], 20, "{health}");
}

#[tokio::test]
async fn same_user_gets_the_same_workspace() {
    let app = spawn_app().await;
    let a = app.widget_token("same-user").await;
    let b = app.widget_token("same-user").await;
    let ws = |t: &airbyte_embedded::WidgetToken| {
        t.widget_url
            .split("workspaceId=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(ws(&a), ws(&b));
}

#[tokio::test]
async fn configured_tags_narrow_the_widgets_templates() {
    let app = spawn_with(Options {
        source_template_tags: vec!["pro-tier".into()],
        ..Options::default()
    })
    .await;
    let token = app.widget_token("tagged-user").await;
    let client = AirbyteClient::new(app.mock.api_url()).unwrap();
    let mut names: Vec<_> = client
        .embedded_source_templates(token.token.as_deref().unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    assert_eq!(names, ["Postgres", "Salesforce", "Stripe"]);
}

/// After the mock expires every issued token (`POST /_mock/tokens/expire`), the backend's cached
/// application token is refused with a 401; the backend fetches a new one and the user never sees
/// the failure.
#[tokio::test]
async fn the_backend_recovers_when_its_cached_application_token_is_expired() {
    let app = spawn_app().await;
    app.widget_token("user_123").await;
    let expired = app
        .http
        .post(format!("{}/_mock/tokens/expire", app.mock.url()))
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(expired.status(), 200);

    let (status, body) = app.post_widget_token_raw(r#"{"userId": "user_123"}"#).await;
    assert_eq!(status, 200, "{body}");
    let (status, sources) = app.get_demo("/api/airbyte/sources?userId=user_123").await;
    assert_eq!(status, 200, "{sources}");
    let health = app.mock_health().await;
    assert_eq!(
        health["issued"]["application_tokens"], 2,
        "one token before the expiry, one fetched after it: {health}"
    );
}
