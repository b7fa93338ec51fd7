//! The `X-Mock-Scenario` header from a loopback client: `status=`, `delay=`, `drop` and their
//! combinations, a bad value, rules left alone, and the header never echoed or allowed by CORS.
//! (That it is ignored from other peers is a unit test of `control::scenario::honoured` and of the
//! layer with a non-loopback `ConnectInfo`: these tests can only connect over loopback.)

use std::time::{Duration, Instant};

use airbyte_mock::testkit::{assert_error_shape, error_fields};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ORIGIN, TestApp, spawn_app};

const TAGS: &str = "/api/v1/integrations/templates/tags";

async fn with_scenario(
    app: &TestApp,
    bearer: Option<&str>,
    scenario: &str,
) -> crate::helpers::Reply {
    app.send(
        app.request(Method::GET, TAGS, bearer)
            .header("x-mock-scenario", scenario),
    )
    .await
}

#[tokio::test]
async fn status_answers_an_api_error_and_the_journal_says_why() {
    let app = spawn_app().await;
    let (status, headers, body) = with_scenario(&app, None, "status=503").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error_shape(&body);
    assert!(
        headers
            .keys()
            .all(|name| !name.as_str().contains("scenario")),
        "never echoed: {headers:?}"
    );
    let (_, _, journal) = app.get(&format!("/_mock/requests?path={TAGS}"), None).await;
    assert_eq!(journal["data"][0]["status"], 503);
    assert_eq!(journal["data"][0]["fault"], "X-Mock-Scenario: status=503");
}

#[tokio::test]
async fn delay_slows_the_real_answer_and_combines_with_status() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let started = Instant::now();
    let (status, _, body) = with_scenario(&app, Some(&operator), "delay=250ms").await;
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"].is_array());

    let started = Instant::now();
    let (status, _, _) = with_scenario(&app, Some(&operator), "delay=0.1s, status=504").await;
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
}

#[tokio::test]
async fn drop_closes_the_connection() {
    let app = spawn_app().await;
    let result = app
        .request(Method::GET, TAGS, None)
        .header("x-mock-scenario", "drop")
        .send()
        .await;
    let error = result.expect_err("no answer");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
    let (status, _, _) = app.get(TAGS, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the next request is answered"
    );
}

#[tokio::test]
async fn a_bad_value_is_a_422_naming_the_header() {
    let app = spawn_app().await;
    for bad in ["status=abc", "teapot", "status=503, drop", ""] {
        let (status, _, body) = with_scenario(&app, None, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {body}");
        assert_error_shape(&body);
        assert_eq!(error_fields(&body), ["x-mock-scenario"], "{bad:?}");
    }
}

#[tokio::test]
async fn the_header_leaves_fault_rules_alone() {
    let app = spawn_app().await;
    let (status, _, rule) = app
        .post(
            "/_mock/faults",
            None,
            &json!({"path": TAGS, "status": 500, "times": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(with_scenario(&app, None, "status=502").await.0, 502);
    let (_, _, rules) = app.get("/_mock/faults", None).await;
    assert_eq!(rules["data"][0]["fired"], 0, "{rule}");
    assert_eq!(
        app.get(TAGS, None).await.0,
        500,
        "the rule still fires next"
    );
}

#[tokio::test]
async fn browsers_may_not_send_it_cross_origin() {
    let app = spawn_app().await;
    app.widget_token("scenario-co", ORIGIN).await;
    let (status, headers, _) = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/embedded/source-templates", None)
                .header("origin", ORIGIN)
                .header("access-control-request-method", "GET")
                .header(
                    "access-control-request-headers",
                    "authorization, x-mock-scenario",
                ),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(
        !allowed.to_ascii_lowercase().contains("x-mock-scenario"),
        "{allowed}"
    );
}
