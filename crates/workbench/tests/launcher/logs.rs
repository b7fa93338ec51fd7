//! `--log-format json`: every line is JSON, requests are logged by path, and no secret, token or
//! query string reaches the log.

use crate::helpers::{mock_root, start};

const QUERY_SECRET: &str = "s3cr3t-in-the-query";

#[tokio::test]
async fn json_lines_carry_paths_and_no_secrets() {
    let mut launcher = start(&["--log-format", "json"]);
    let url = launcher.url().await.expect("a URL on stdout");
    let http = reqwest::Client::new();
    let mock = mock_root(&http, &url).await;

    let users = http
        .get(format!("{url}/api/users?client_secret={QUERY_SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200);
    let token: serde_json::Value = http
        .post(format!("{url}/api/airbyte/widget-token"))
        .json(&serde_json::json!({"userId": "user_123"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().expect("a widget token").to_owned();
    let application_token: serde_json::Value = http
        .post(format!("{mock}/api/v1/account/applications/token"))
        .json(&serde_json::json!({
            "client_id": "mock-client-id",
            "client_secret": "mock-client-secret",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = application_token["access_token"]
        .as_str()
        .expect("an application token")
        .to_owned();

    launcher.signal("INT");
    let (status, _, stderr) = launcher.finish().await;
    assert!(status.success(), "{status}\n{stderr}");

    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let logged = |server: &str, path: &str| {
        lines.iter().any(|l| {
            l["span"]["server"] == server && l["span"]["path"] == path && l["status"] == 200
        })
    };
    assert!(logged("demo-server", "/api/users"), "{stderr}");
    assert!(
        logged("demo-server", "/api/airbyte/widget-token"),
        "{stderr}"
    );
    assert!(
        logged("airbyte-mock", "/api/v1/account/applications/token"),
        "{stderr}"
    );
    for secret in [QUERY_SECRET, "mock-client-secret", &token, &access] {
        assert!(
            !stderr.contains(secret),
            "{secret:?} is in the log:\n{stderr}"
        );
    }
}
