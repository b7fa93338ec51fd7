//! What Airbyte's Python connector SDK calls beyond the published document (contract notes E16):
//! the `/v1/integrations/connectors` create alias with `definition_id` + `customer_name`, the lookup
//! by `customer_name` + `definition_id`, the `X-Organization-Id` header, and the server-side OAuth
//! flow (`…/connectors/oauth/initiate` → consent page → Allow / Deny → `redirect_url`).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::definitions::assert_documented;
use crate::helpers::{sample_config, spawn_app};
use airbyte_mock::testkit::{assert_error_shape, error_for, unique};

const STRIPE: &str = "e094cb9a-26de-4645-8761-65c0c425d1de";
const HUBSPOT: &str = "36c891d9-4bd9-43ac-bad2-10e12756272c";
const INITIATE: &str = "/api/v1/integrations/connectors/oauth/initiate";

#[tokio::test]
async fn the_sdk_creates_at_the_unprefixed_path_and_finds_its_source() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let customer = unique("sdk-customer");
    let created = app
        .send(
            app.request(Method::POST, "/v1/integrations/connectors", Some(&token))
                .header("X-Organization-Id", app.organization_id().to_string())
                .json(&json!({"name": "stripe-for-agent", "definition_id": STRIPE,
                              "customer_name": customer,
                              "replication_config": sample_config("Stripe")})),
        )
        .await;
    assert_documented("post", "/api/v1/integrations/connectors", &created);
    let id = created.2["id"].as_str().expect("id").to_owned();
    assert!(
        !created.2.to_string().contains("sk_test_"),
        "secrets redacted"
    );

    let found = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/integrations/connectors?customer_name={customer}&definition_id={STRIPE}"),
                Some(&token),
            )
            .header("X-Organization-Id", app.organization_id().to_string()),
        )
        .await;
    assert_documented("get", "/api/v1/integrations/connectors", &found);
    let data = found.2["data"].as_array().expect("data");
    assert_eq!(data.len(), 1, "exactly one: {}", found.2);
    assert_eq!(data[0]["id"], id);

    let other_org = app
        .send(
            app.request(Method::GET, "/api/v1/integrations/connectors", Some(&token))
                .header("X-Organization-Id", "00000000-0000-4000-8000-000000000009"),
        )
        .await;
    assert_eq!(other_org.0, StatusCode::FORBIDDEN);
    assert_error_shape(&other_org.2);
}

/// A client that does not follow redirects, to read `Location`.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn server_side_oauth_allow_creates_the_source_and_redirects_with_its_id() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    // The organization's own OAuth app is used server-side, and its secret stays there.
    let creds = app
        .put(
            "/api/v1/oauth/credentials",
            Some(&token),
            &json!({"connector_type": "hubspot",
                    "configuration": {"client_id": "acme-app", "client_secret": "ORG-SECRET"}}),
        )
        .await;
    assert_eq!(creds.0, StatusCode::OK, "{}", creds.2);
    let customer = unique("oauth-customer");
    let started = app
        .post(
            INITIATE,
            Some(&token),
            &json!({"customer_name": customer, "definition_id": HUBSPOT,
                    "redirect_url": "https://app.example/done?step=2", "name": "crm"}),
        )
        .await;
    assert_eq!(started.0, StatusCode::OK, "{}", started.2);
    let consent_url = started.2["consent_url"].as_str().expect("consent_url");
    assert!(consent_url.starts_with(&format!("{}/embedded-widget/oauth/consent?", app.base)));

    let page = app.client.get(consent_url).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("/embedded-widget/oauth/complete?session="),
        "{html}"
    );
    assert!(html.contains("acme-app"));
    assert!(!html.contains("ORG-SECRET") && !html.contains("refresh_token\":"));

    let session = consent_url.split("session=").nth(1).expect("session");
    let reply = no_redirects()
        .post(app.url(&format!(
            "/embedded-widget/oauth/complete?session={session}&decision=allow"
        )))
        .send()
        .await
        .expect("allow");
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let location = reply.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let prefix = "https://app.example/done?step=2&connector_id=";
    assert!(location.starts_with(prefix), "{location}");
    let connector_id = &location[prefix.len()..];

    let source = app
        .get(
            &format!("/api/v1/integrations/connectors/{connector_id}"),
            Some(&token),
        )
        .await;
    assert_documented("get", "/api/v1/integrations/connectors/{id}", &source);
    assert_eq!(source.2["name"], "crm");
    let listed = app
        .get(
            &format!(
                "/api/v1/integrations/connectors?customer_name={customer}&definition_id={HUBSPOT}"
            ),
            Some(&token),
        )
        .await;
    assert_eq!(listed.2["data"].as_array().map(Vec::len), Some(1));
    assert!(!source.2.to_string().contains("ORG-SECRET"));

    // The session is used up.
    let again = no_redirects()
        .post(app.url(&format!(
            "/embedded-widget/oauth/complete?session={session}&decision=allow"
        )))
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn server_side_oauth_deny_redirects_with_an_error_and_creates_nothing() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let before = app.counts().await;
    let started = app
        .post(
            INITIATE,
            Some(&token),
            &json!({"customer_name": unique("deny"), "definition_id": HUBSPOT,
                    "redirect_url": "http://localhost:3000/cb"}),
        )
        .await;
    let consent_url = started.2["consent_url"].as_str().expect("consent_url");
    let session = consent_url.split("session=").nth(1).expect("session");
    let reply = no_redirects()
        .post(app.url(&format!(
            "/embedded-widget/oauth/complete?session={session}&decision=deny"
        )))
        .send()
        .await
        .expect("deny");
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let location = reply.headers()["location"].to_str().expect("ascii");
    assert!(
        location.starts_with("http://localhost:3000/cb?error=access_denied"),
        "{location}"
    );
    assert_eq!(app.counts().await["sources"], before["sources"]);
    // The consent page of a used-up session is a 404, not a page whose buttons fail.
    let page = app.client.get(consent_url).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn initiate_checks_its_body() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let cases = [
        (
            json!({"definition_id": HUBSPOT, "redirect_url": "https://a.example/"}),
            "workspace_name",
        ),
        (
            json!({"customer_name": "c", "definition_id": HUBSPOT, "redirect_url": "not a url"}),
            "redirect_url",
        ),
        (
            json!({"customer_name": "c", "definition_id": STRIPE, "redirect_url": "https://a.example/"}),
            "definition_id",
        ),
        (
            json!({"customer_name": "c", "definition_id": HUBSPOT}),
            "redirect_url",
        ),
    ];
    for (body, field) in cases {
        let reply = app.post(INITIATE, Some(&token), &body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.2
        );
        assert!(error_for(&reply.2, field).is_some(), "{body}: {}", reply.2);
    }
    let anonymous = app
        .post(INITIATE, None, &json!({"customer_name": "c"}))
        .await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
}
