//! Fault rules: `POST`/`GET`/`DELETE /_mock/faults`, `DELETE /_mock/faults/{id}`, each effect
//! (status, body, delay, drop, 429 with `Retry-After`), `times`, `probability` with a seed, matching
//! by method, path prefix and workspace, and the journal naming the rule.

use std::time::{Duration, Instant};

use airbyte_mock::testkit::{assert_error_shape, error_fields};
use airbyte_mock::{Config, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp, spawn_app};

const TAGS: &str = "/api/v1/integrations/templates/tags";

/// Adds a rule; asserts 201 and returns it.
async fn add(app: &TestApp, rule: Value) -> Value {
    let (status, _, body) = app.post("/_mock/faults", None, &rule).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}: {body}");
    body
}

async fn rules(app: &TestApp) -> Vec<Value> {
    let (status, _, body) = app.get("/_mock/faults", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().clone()
}

/// The last journal entry for `path`.
async fn last_entry(app: &TestApp, path: &str) -> Value {
    let (_, _, body) = app
        .get(&format!("/_mock/requests?path={path}&limit=1"), None)
        .await;
    body["data"][0].clone()
}

#[tokio::test]
async fn rules_are_added_listed_and_deleted() {
    let app = spawn_app().await;
    let rule = add(
        &app,
        json!({"method": "POST", "path": "/api/v1/embedded/widget-token", "status": 503, "times": 1}),
    )
    .await;
    assert_eq!(
        rule,
        json!({"id": rule["id"], "method": "POST", "path": "/api/v1/embedded/widget-token",
               "status": 503, "drop": false, "times": 1, "fired": 0})
    );
    let other = add(
        &app,
        json!({"path": "/api/*", "delay_ms": 1, "probability": 0.5}),
    )
    .await;
    assert_ne!(rule["id"], other["id"]);
    assert_eq!(rules(&app).await, [rule.clone(), other.clone()]);

    let id = rule["id"].as_str().unwrap();
    let (status, _, _) = app.delete(&format!("/_mock/faults/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(rules(&app).await, [other]);
    let (status, _, body) = app.delete(&format!("/_mock/faults/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error_shape(&body);

    add(&app, json!({"path": "/x", "status": 500})).await;
    let (status, _, _) = app.delete("/_mock/faults", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(rules(&app).await.is_empty());
}

#[tokio::test]
async fn a_bad_rule_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    for (rule, fields) in [
        (json!({"status": 503}), vec!["path"]),
        (json!({"path": "api/v1", "status": 503}), vec!["path"]),
        (json!({"path": "/a*b", "status": 503}), vec!["path"]),
        (
            json!({"path": "/_mock/health", "status": 503}),
            vec!["path"],
        ),
        (json!({"path": "/x"}), vec!["status"]),
        (json!({"path": "/x", "status": 99}), vec!["status"]),
        (json!({"path": "/x", "status": "503"}), vec!["status"]),
        (
            json!({"path": "/x", "method": "GE T", "status": 503}),
            vec!["method"],
        ),
        (
            json!({"path": "/x", "drop": true, "status": 503}),
            vec!["drop"],
        ),
        (
            json!({"path": "/x", "delay_ms": 50, "delay_max_ms": 10}),
            vec!["delay_max_ms"],
        ),
        (
            json!({"path": "/x", "delay_ms": 3_600_000}),
            vec!["delay_ms"],
        ),
        (
            json!({"path": "/x", "status": 503, "times": 0}),
            vec!["times"],
        ),
        (
            json!({"path": "/x", "status": 503, "probability": 1.5}),
            vec!["probability"],
        ),
        (
            json!({"path": "/x", "status": 503, "workspace_name": ""}),
            vec!["workspace_name"],
        ),
        (
            json!({"path": "/x", "status": 503, "delayms": 5}),
            vec!["delayms"],
        ),
        (
            json!({"path": "/x", "status": 503, "times": 0, "probability": 0}),
            vec!["times", "probability"],
        ),
    ] {
        let (status, _, body) = app.post("/_mock/faults", None, &rule).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rule}: {body}");
        assert_error_shape(&body);
        assert_eq!(error_fields(&body), fields, "{rule}: {body}");
    }
    assert!(rules(&app).await.is_empty());
}

#[tokio::test]
async fn a_status_rule_answers_an_api_error_for_the_next_times_matches() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let rule = add(
        &app,
        json!({"method": "POST", "path": "/api/v1/embedded/widget-token", "status": 503, "times": 2}),
    )
    .await;
    let body = json!({"workspace_name": "fault-co", "allowed_origin": ORIGIN});
    for _ in 0..2 {
        let (status, _, reply) = app
            .post("/api/v1/embedded/widget-token", Some(&operator), &body)
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{reply}");
        let message = assert_error_shape(&reply);
        assert!(message.contains(rule["id"].as_str().unwrap()), "{message}");
    }
    let (status, _, reply) = app
        .post("/api/v1/embedded/widget-token", Some(&operator), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "the rule is spent: {reply}");
    assert_eq!(rules(&app).await[0]["fired"], 2);
    assert!(
        app.workspace_id("fault-co").is_some(),
        "only the third call reached the mock"
    );

    let (_, _, journal) = app
        .get("/_mock/requests?path=/api/v1/embedded/widget-token", None)
        .await;
    let faults: Vec<&Value> = journal["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["fault"])
        .collect();
    assert_eq!(faults, [&rule["id"], &rule["id"], &Value::Null]);
    assert_eq!(journal["data"][0]["status"], 503);
    assert_eq!(journal["data"][0]["workspace"], "fault-co");
}

#[tokio::test]
async fn a_body_rule_answers_the_given_body() {
    let app = spawn_app().await;
    add(
        &app,
        json!({"path": TAGS, "status": 418, "body": {"data": [], "teapot": true}}),
    )
    .await;
    let (status, headers, body) = app.get(TAGS, None).await;
    assert_eq!(status, StatusCode::IM_A_TEAPOT);
    assert_eq!(body, json!({"data": [], "teapot": true}));
    assert_eq!(headers["content-type"], "application/json");
}

#[tokio::test]
async fn a_delay_rule_slows_the_real_answer() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    add(
        &app,
        json!({"method": "GET", "path": TAGS, "delay_ms": 300}),
    )
    .await;
    let started = Instant::now();
    let (status, _, body) = app.get(TAGS, Some(&operator)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(status, StatusCode::OK, "the mock answered after the delay");
    assert!(body["data"].is_array());
    assert!(last_entry(&app, TAGS).await["latency_ms"].as_f64().unwrap() >= 300.0);

    app.delete("/_mock/faults", None).await;
    add(
        &app,
        json!({"path": TAGS, "delay_ms": 150, "delay_max_ms": 250, "status": 504}),
    )
    .await;
    let started = Instant::now();
    let (status, _, _) = app.get(TAGS, Some(&operator)).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
}

#[tokio::test]
async fn a_drop_rule_closes_the_connection_without_an_answer() {
    let app = spawn_app().await;
    let rule = add(
        &app,
        json!({"path": "/api/v1/integrations/*", "drop": true, "times": 1}),
    )
    .await;
    let result = app.client.get(app.url(TAGS)).send().await;
    let error = result.expect_err("no response at all, not even a status");
    assert!(!error.is_timeout(), "{error:?}");
    assert!(error.status().is_none(), "{error:?}");

    let entry = last_entry(&app, TAGS).await;
    assert_eq!(entry["status"], 0);
    assert_eq!(entry["fault"], rule["id"]);
    assert!(entry["response_body"].is_null());
    let (status, _, _) = app.get(TAGS, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the next call is answered"
    );
}

#[tokio::test]
async fn retry_after_answers_429_with_the_header() {
    let app = spawn_app().await;
    add(&app, json!({"path": TAGS, "retry_after": 7})).await;
    let (status, headers, body) = app.get(TAGS, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "7");
    assert_error_shape(&body);
    assert_eq!(body["errors"][0]["error_code"], "too_many_requests");
}

#[tokio::test]
async fn rules_match_method_path_prefix_and_workspace() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let jwt = app.scoped_token("target-co").await;
    let other = app.scoped_token("bystander-co").await;
    add(
        &app,
        json!({"method": "GET", "path": "/api/v1/embedded/*", "workspace_name": "target-co", "status": 500}),
    )
    .await;
    let templates = "/api/v1/embedded/source-templates";
    assert_eq!(
        app.get(templates, Some(&jwt)).await.0,
        500,
        "scoped token's workspace"
    );
    assert_eq!(
        app.get(templates, Some(&other)).await.0,
        200,
        "another workspace"
    );
    let widget = json!({"workspace_name": "target-co", "allowed_origin": ORIGIN});
    assert_eq!(
        app.post("/api/v1/embedded/widget-token", Some(&operator), &widget)
            .await
            .0,
        200,
        "POST is not GET"
    );

    app.delete("/_mock/faults", None).await;
    add(
        &app,
        json!({"path": "/api/v1/embedded/widget-token", "workspace_name": "target-co", "status": 502}),
    )
    .await;
    assert_eq!(
        app.post("/api/v1/embedded/widget-token", Some(&operator), &widget)
            .await
            .0,
        502,
        "the operator body's workspace_name"
    );
    let connectors = "/api/v1/integrations/connectors";
    assert_eq!(
        app.get(
            &format!("{connectors}?workspace_name=target-co"),
            Some(&operator)
        )
        .await
        .0,
        200,
        "another path"
    );
    add(
        &app,
        json!({"path": connectors, "workspace_name": "target-co", "status": 503}),
    )
    .await;
    assert_eq!(
        app.get(
            &format!("{connectors}?workspace_name=target-co"),
            Some(&operator)
        )
        .await
        .0,
        503,
        "the operator query's workspace_name"
    );
    let bystander = json!({"workspace_name": "bystander-co", "allowed_origin": ORIGIN});
    assert_eq!(
        app.post("/api/v1/embedded/widget-token", Some(&operator), &bystander)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_control_plane_is_never_faulted() {
    let app = spawn_app().await;
    add(&app, json!({"path": "/*", "status": 503})).await;
    assert_eq!(app.get(TAGS, None).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/_mock/health", None).await.0, StatusCode::OK);
    assert_eq!(app.get("/_mock/faults", None).await.0, StatusCode::OK);
}

/// The statuses of `n` calls to the tags endpoint with a `probability` rule on a fresh mock.
async fn probability_run(seed: u64, n: usize) -> (Vec<u16>, Value) {
    let server = TestServer::with(Config {
        seed,
        ..Config::default()
    })
    .await;
    let operator = server.application_token().await;
    let client = server.client();
    let rule: Value = client
        .post(format!("{}/_mock/faults", server.url()))
        .json(&json!({"path": TAGS, "status": 503, "probability": 0.5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..n {
        let response = client
            .get(format!("{}{TAGS}", server.url()))
            .bearer_auth(&operator)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    let rules: Value = client
        .get(format!("{}/_mock/faults", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rules["data"][0]["id"], rule["id"]);
    (statuses, rules["data"][0].clone())
}

#[tokio::test]
async fn probability_with_a_fixed_seed_gives_a_fixed_sequence() {
    let (first, rule) = probability_run(42, 24).await;
    let (second, _) = probability_run(42, 24).await;
    assert_eq!(first, second, "the same seed, the same sequence");
    let fired = first.iter().filter(|&&s| s == 503).count();
    assert!(
        fired > 0 && fired < first.len(),
        "a coin flip both fires and not: {first:?}"
    );
    assert!(first.iter().all(|&s| s == 503 || s == 200), "{first:?}");
    assert_eq!(rule["fired"], fired);
}
