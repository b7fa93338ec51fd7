use crate::helpers::{Options, spawn_app, spawn_with};

#[tokio::test]
async fn bad_input_is_400_with_an_error_message() {
    let app = spawn_app().await;
    for (body, expected) in [
        ("{}", "userId is required"),
        (r#"{"userId": null}"#, "userId is required"),
        (r#"{"userId": ""}"#, "must not be empty"),
        (r#"{"userId": "   "}"#, "must not be empty"),
        (r#"{"userId": 42}"#, "must be a string"),
        ("not json", "must be JSON"),
        ("", "must be JSON"),
    ] {
        let (status, json) = app.post_widget_token_raw(body).await;
        assert_eq!(status, 400, "{body}: {json}");
        let message = json["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let (status, json) = app.get_demo("/api/airbyte/sources").await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["error"], "userId is required");
}

#[tokio::test]
async fn wrong_credentials_are_a_502_carrying_the_upstream_401() {
    let app = spawn_with(Options {
        client_secret: "wrong-secret".into(),
        ..Options::default()
    })
    .await;
    let (status, json) = app.post_widget_token_raw(r#"{"userId":"u"}"#).await;
    assert_eq!(status, 502, "{json}");
    assert_eq!(json["upstream_status"], 401);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("Invalid client credentials"),
        "{json}"
    );
}

#[tokio::test]
async fn a_bad_allowed_origin_is_minted_like_airbyte_does_and_a_502_naming_the_fix_under_strict() {
    // Airbyte (and the mock by default) mints the token anyway: the widget page explains the hang.
    let app = spawn_with(Options {
        allowed_origin: Some("http://localhost:4321/".into()),
        ..Options::default()
    })
    .await;
    let (status, json) = app.post_widget_token_raw(r#"{"userId":"u"}"#).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["token"].is_string(), "{json}");

    let app = spawn_with(Options {
        allowed_origin: Some("http://localhost:4321/".into()),
        mock_strict: true,
        ..Options::default()
    })
    .await;
    let (status, json) = app.post_widget_token_raw(r#"{"userId":"u"}"#).await;
    assert_eq!(status, 502, "{json}");
    assert_eq!(json["upstream_status"], 422);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("use 'http://localhost:4321'"),
        "{json}"
    );
}

#[tokio::test]
async fn an_unreachable_api_is_a_502_without_upstream_status() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_with(Options {
        api_url: Some(format!("http://127.0.0.1:{port}/api/v1")),
        ..Options::default()
    })
    .await;
    let (status, json) = app.post_widget_token_raw(r#"{"userId":"u"}"#).await;
    assert_eq!(status, 502, "{json}");
    assert!(json.get("upstream_status").is_none(), "{json}");
    assert!(
        json["error"].as_str().unwrap().contains("could not reach"),
        "{json}"
    );
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = spawn_app().await;
    let (status, json) = app.get_demo("/api/nope").await;
    assert_eq!(status, 404);
    assert!(json["error"].as_str().unwrap().contains("/api/nope"));
}
