use crate::helpers::{Options, SECRET, logs, spawn_app, spawn_with};

#[tokio::test]
async fn the_client_secret_never_appears_in_a_response_or_a_log_line() {
    let app = spawn_app().await;
    let token = app.widget_token("user_123").await;
    app.post_widget_token_raw(r#"{"userId": 1}"#).await;
    app.get_demo("/api/airbyte/sources?userId=user_123").await;
    app.get_demo("/api/config").await;
    app.get_demo("/api/users").await;
    // An upstream failure is where secrets usually leak into messages.
    let failing = spawn_with(Options {
        client_secret: format!("{SECRET}-but-wrong"),
        ..Options::default()
    })
    .await;
    failing.post_widget_token_raw(r#"{"userId":"u"}"#).await;

    for body in app
        .seen
        .lock()
        .unwrap()
        .iter()
        .chain(failing.seen.lock().unwrap().iter())
    {
        assert!(!body.contains(SECRET), "response leaks the secret: {body}");
    }
    let logs = String::from_utf8(logs().lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/airbyte/widget-token"),
        "the log buffer captures the servers' lines"
    );
    assert!(!logs.contains(SECRET), "a log line leaks the client secret");
    assert!(
        !logs.contains(token.token.as_deref().unwrap()),
        "a log line leaks a scoped token"
    );
}
