//! OAuth app credentials over HTTP: stored per connector, never echoed, used by the consent page,
//! deleted idempotently; successes validated against the published document.

use reqwest::StatusCode;
use serde_json::json;

use crate::definitions::assert_documented;
use crate::helpers::spawn_app;
use airbyte_mock::testkit::{assert_error_shape, error_for};

const PATH: &str = "/api/v1/oauth/credentials";
const HUBSPOT: &str = "36c891d9-4bd9-43ac-bad2-10e12756272c";

#[tokio::test]
async fn credentials_are_stored_redacted_used_by_consent_and_deleted() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let body = json!({"connector_type": "hubspot",
                      "configuration": {"client_id": "acme-hubspot-app", "client_secret": "TOP-SECRET-1"}});
    let first = app.put(PATH, Some(&token), &body).await;
    assert_documented("put", PATH, &first);
    assert!(!first.2.to_string().contains("TOP-SECRET"), "{}", first.2);
    assert_eq!(first.2["connector_definition_id"], HUBSPOT);
    assert_eq!(first.2["scope_type"], "organization");
    assert_eq!(first.2["scope_id"], app.organization_id().to_string());

    let again = app
        .put(
            PATH,
            Some(&token),
            &json!({"connector_definition_id": HUBSPOT,
                    "configuration": {"client_id": "acme-hubspot-app", "client_secret": "TOP-SECRET-2"}}),
        )
        .await;
    assert_documented("put", PATH, &again);
    assert_eq!(again.2["id"], first.2["id"], "one record per connector");

    // The consent page shows and uses the organization's client id, never its secret.
    let template = app.template_id("HubSpot");
    let (status, _, html) = app
        .get_text(&format!(
            "/embedded-widget/oauth/consent?source_template_id={template}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("\"client_id\":\"acme-hubspot-app\""),
        "{html}"
    );
    assert!(!html.contains("TOP-SECRET"));
    // Nor does the state dump or the journal carry it.
    let state = app.get("/_mock/state", None).await;
    assert!(!state.2.to_string().contains("TOP-SECRET"));
    let journal = app.get("/_mock/requests", None).await;
    assert!(journal.0.is_success(), "{}", journal.2);
    assert!(journal.2.to_string().contains("/api/v1/oauth/credentials"));
    assert!(
        !journal.2.to_string().contains("TOP-SECRET"),
        "the journal masks it"
    );

    let delete_path = "/api/v1/oauth/credentials/connector_type/HubSpot";
    let deleted = app.delete(delete_path, Some(&token)).await;
    assert_eq!(deleted.0, StatusCode::NO_CONTENT);
    let again = app.delete(delete_path, Some(&token)).await;
    assert_eq!(again.0, StatusCode::NO_CONTENT, "idempotent");
    let (_, _, html) = app
        .get_text(&format!(
            "/embedded-widget/oauth/consent?source_template_id={template}"
        ))
        .await;
    assert!(!html.contains("acme-hubspot-app"));
    let unknown = app
        .delete(
            "/api/v1/oauth/credentials/connector_type/nope",
            Some(&token),
        )
        .await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert_error_shape(&unknown.2);
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let cases = [
        (json!({"connector_type": "hubspot"}), "configuration"),
        (
            json!({"configuration": {"client_id": "a", "client_secret": "b"}}),
            "connector_type",
        ),
        (
            json!({"connector_type": "hubspot", "configuration": {"client_id": "a"}}),
            "configuration.client_secret",
        ),
        (
            json!({"connector_type": "github", "configuration": {"client_id": "a"}}),
            "connector_type",
        ),
        (
            json!({"connector_type": "nope", "configuration": {}}),
            "connector_type",
        ),
    ];
    for (body, field) in cases {
        let reply = app.put(PATH, Some(&token), &body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.2
        );
        assert!(error_for(&reply.2, field).is_some(), "{body}: {}", reply.2);
    }
    let extra = app
        .put(
            PATH,
            Some(&token),
            &json!({"connector_type": "hubspot", "configuration": {}, "secret": 1}),
        )
        .await;
    assert_eq!(extra.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", extra.2);
    let anonymous = app.put(PATH, None, &json!({})).await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
}

/// A dump does not carry OAuth app credentials (they hold a secret), so loading a state must not
/// wipe the ones the organization set.
#[tokio::test]
async fn loading_a_state_keeps_the_oauth_credentials() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let body = json!({"connector_type": "hubspot",
                      "configuration": {"client_id": "kept-app", "client_secret": "KEPT-SECRET"}});
    assert_eq!(app.put(PATH, Some(&token), &body).await.0, StatusCode::OK);
    let (status, _, dump) = app.get("/_mock/state", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, loaded) = app.put("/_mock/state", None, &dump).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");

    let template = app.template_id("HubSpot");
    let (status, _, html) = app
        .get_text(&format!(
            "/embedded-widget/oauth/consent?source_template_id={template}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("\"client_id\":\"kept-app\""), "{html}");
}
