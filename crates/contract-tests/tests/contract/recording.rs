//! The contract suite through the mock's recording proxy (a second mock stands in for the live
//! API), the cassette searched for every secret and token, then the suite again against the
//! cassette alone.

use airbyte_contract_tests::{Target, example_cassette};
use airbyte_mock::TestServer;
use airbyte_mock::testkit::TempDir;
use serde_json::{Value, json};

/// The calls whose answers the test searches the cassette for, beyond what the suite itself sends.
async fn issue_tokens(target: &Target) -> Vec<String> {
    let app = target.app_token().await;
    let (widget, decoded) = target
        .widget_token(
            &app,
            json!({"workspace_name": target.unique("tokens"), "allowed_origin": "https://contract.example.com"}),
        )
        .await;
    let scoped = target
        .call(
            "POST",
            "/account/applications/scoped-token",
            Some(&app),
            Some(&json!({"workspace_name": target.unique("tokens")})),
        )
        .await;
    assert_eq!(scoped.status, 200, "{}", scoped.body);
    vec![
        app,
        widget,
        decoded.token.unwrap_or_default(),
        scoped.body["token"].as_str().unwrap_or_default().to_owned(),
    ]
}

/// How many requests outside /_mock a mock's journal holds.
async fn journal_len(mock_url: &str) -> usize {
    let page: Value = reqwest::Client::new()
        .get(format!("{mock_url}/_mock/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["data"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_suite_is_recorded_without_secrets_and_passes_against_the_cassette() {
    let dir = TempDir::new("cassette");
    let cassette = dir.path().join("contract.json");
    let upstream = TestServer::start().await;
    let secret = upstream.config().client_secret.clone();
    let client_id = upstream.config().client_id.clone();
    let upstream_url = upstream.url().to_owned();
    let recording = Target::recording(upstream, &cassette).await;
    crate::run_all(&recording).await;
    let tokens = issue_tokens(&recording).await;
    let journal = journal_len(&upstream_url).await;
    drop(recording);

    let text = std::fs::read_to_string(&cassette).unwrap();
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let interactions = recorded["interactions"].as_array().unwrap();
    assert_eq!(
        interactions.len(),
        journal,
        "every request the upstream answered is in the cassette"
    );
    for (what, value) in [
        ("the client secret", secret.as_str()),
        ("the client id", client_id.as_str()),
        ("the stored source secret", "sk_test_contract_secret"),
        ("the wrong client secret", "not-the-secret"),
    ] {
        assert!(!text.contains(value), "{what} is in the cassette in clear");
    }
    for token in &tokens {
        assert!(!token.is_empty());
        assert!(
            !text.contains(token.as_str()),
            "an issued token is in the cassette"
        );
    }
    // Every JWT and widget token is Base64 of JSON and starts with `eyJ`: none is left.
    assert!(!text.contains("eyJ"), "a token is in the cassette in clear");
    assert!(text.contains("{{client-secret}}") && text.contains("{{jwt-1}}"));

    // The upstream is gone: the suite passes against the cassette alone.
    let replay = Target::replay(&cassette).await;
    crate::run_all(&replay).await;
}

#[tokio::test]
#[ignore = "writes mock-api/cassettes/example.json: `just contract-record-example`"]
async fn record_the_example_cassette() {
    let recording = Target::recording(TestServer::start().await, &example_cassette()).await;
    crate::run_all(&recording).await;
}
