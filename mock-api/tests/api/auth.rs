//! The token-tier matrix: which credential each endpoint accepts, and what it says when it refuses.

use airbyte_mock::testkit::{assert_error_shape, jwt_claims};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app, unix_now};

const OPERATOR: &str = "/api/v1/integrations/templates/sources";
const END_USER: &str = "/api/v1/embedded/sources";

/// The claims of a genuine application token, made valid from `iat` to `exp`.
async fn app_claims(app: &TestApp, iat: u64, exp: u64) -> Value {
    let mut claims = jwt_claims(&app.app_token().await);
    claims["iat"] = json!(iat);
    claims["exp"] = json!(exp);
    claims
}

/// The claims of a genuine scoped token for workspace `name` embedded from [`ORIGIN`] (the JWT
/// inside a widget token), made valid from `iat` to `exp`.
async fn scoped_claims(app: &TestApp, name: &str, iat: u64, exp: u64) -> Value {
    let (_, _, jwt) = app.widget_token(name, ORIGIN).await;
    let mut claims = jwt_claims(&jwt);
    claims["iat"] = json!(iat);
    claims["exp"] = json!(exp);
    claims
}

/// `claims` signed HS256 with a key that is not the mock's.
fn sign_with_another_key(claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(b"somebody else's key").unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &key,
    )
    .unwrap()
}

/// Sends GET `path` with a raw `Authorization` header (or none) and asserts a 401 whose message
/// contains `says` (case-insensitive).
async fn assert_401(app: &TestApp, path: &str, authorization: Option<&str>, says: &str) {
    let mut request = app.request(Method::GET, path, None);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let (status, _, body) = app.send(request).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "{path} with {authorization:?}: {body}"
    );
    let message = assert_error_shape(&body);
    assert!(
        message.to_lowercase().contains(&says.to_lowercase()),
        "{path} with {authorization:?}: expected the message to say {says:?}, got {message:?}"
    );
}

#[tokio::test]
async fn missing_non_bearer_and_malformed_tokens_are_401_saying_which() {
    let app = spawn_app().await;
    for path in [
        OPERATOR,
        END_USER,
        "/api/v1/embedded/scoped-token/info",
        "/api/v1/workspaces",
    ] {
        assert_401(&app, path, None, "missing bearer token").await;
        assert_401(&app, path, Some("Basic bW9jazpzZWNyZXQ="), "bearer scheme").await;
        assert_401(&app, path, Some("Bearer"), "missing bearer token").await;
        assert_401(&app, path, Some("Bearer    "), "missing bearer token").await;
        assert_401(&app, path, Some("Bearer not-a-jwt"), "malformed").await;
        assert_401(&app, path, Some("Bearer a.b.c"), "malformed").await;
    }
}

#[tokio::test]
async fn forged_tokens_are_401_invalid_signature() {
    let app = spawn_app().await;
    let scoped = app.scoped_token("forge-target").await;
    let now = unix_now();
    let forged_app = sign_with_another_key(&app_claims(&app, now, now + 900).await);
    let forged_scoped =
        sign_with_another_key(&scoped_claims(&app, "forge-target", now, now + 1200).await);
    assert_401(
        &app,
        OPERATOR,
        Some(&format!("Bearer {forged_app}")),
        "signature",
    )
    .await;
    assert_401(
        &app,
        END_USER,
        Some(&format!("Bearer {forged_scoped}")),
        "signature",
    )
    .await;

    // Tampering with a genuine token's payload (new workspace, old signature) is forging too.
    let parts: Vec<&str> = scoped.split('.').collect();
    let mut claims = jwt_claims(&scoped);
    claims["io.airbyte.auth.workspace_scope"]["workspaceId"] = json!(Uuid::new_v4());
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_401(
        &app,
        END_USER,
        Some(&format!("Bearer {tampered}")),
        "signature",
    )
    .await;

    // `alg: none` is refused.
    let header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{header}.{payload}.");
    let (status, _, body) = app.get(END_USER, Some(&unsigned)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error_shape(&body);
}

#[tokio::test]
async fn expired_tokens_are_401_saying_expired() {
    let app = spawn_app().await;
    app.scoped_token("expired-co").await;
    let now = unix_now();
    let expired_app = app.sign(&app_claims(&app, now - 1000, now - 100).await);
    let expired_scoped = app.sign(&scoped_claims(&app, "expired-co", now - 2000, now - 10).await);
    assert_401(
        &app,
        OPERATOR,
        Some(&format!("Bearer {expired_app}")),
        "expired",
    )
    .await;
    assert_401(
        &app,
        END_USER,
        Some(&format!("Bearer {expired_scoped}")),
        "expired",
    )
    .await;
    // The same claims, not yet expired, are accepted: the 401 really is about expiry.
    let fresh = app.sign(&scoped_claims(&app, "expired-co", now, now + 60).await);
    let (status, _, body) = app.get(END_USER, Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn tokens_of_an_unknown_type_or_without_the_role_are_refused() {
    let app = spawn_app().await;
    app.scoped_token("roles-co").await;
    let now = unix_now();
    let mut claims = scoped_claims(&app, "roles-co", now, now + 600).await;
    claims["typ"] = json!("io.airbyte.auth.something_else");
    let unknown = app.sign(&claims);
    assert_401(
        &app,
        END_USER,
        Some(&format!("Bearer {unknown}")),
        "unknown token type",
    )
    .await;
    assert_401(
        &app,
        OPERATOR,
        Some(&format!("Bearer {unknown}")),
        "unknown token type",
    )
    .await;

    let mut claims = scoped_claims(&app, "roles-co", now, now + 600).await;
    claims["roles"] = json!(["ORGANIZATION_ADMIN"]);
    let roleless = app.sign(&claims);
    let (status, _, body) = app.get(END_USER, Some(&roleless)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(assert_error_shape(&body).contains("EMBEDDED_END_USER"));
}

#[tokio::test]
async fn a_scoped_token_on_an_operator_endpoint_is_403() {
    let app = spawn_app().await;
    let scoped = app.scoped_token("tier-co").await;
    let (_, _, widget_jwt) = app.widget_token("tier-co", ORIGIN).await;
    for jwt in [&scoped, &widget_jwt] {
        for path in [
            OPERATOR,
            "/api/v1/integrations/templates/connections",
            "/api/v1/integrations/templates/tags",
            "/api/v1/integrations/connectors",
            "/api/v1/workspaces",
        ] {
            let (status, _, body) = app.get(path, Some(jwt)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
            let message = assert_error_shape(&body);
            assert!(message.contains("application token"), "{message}");
        }
        // Minting tokens is operator work too.
        let (status, _, body) = app
            .post(
                "/api/v1/account/applications/widget-token",
                Some(jwt),
                &json!({"workspace_name": "escalate", "allowed_origin": ORIGIN}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(app.workspace_id("escalate"), None);
    }
}

#[tokio::test]
async fn an_application_token_on_an_end_user_endpoint_is_403() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    for path in [
        END_USER,
        "/api/v1/embedded/source-templates",
        "/api/v1/embedded/scoped-token/info",
        "/api/v1/account/applications/scoped-token/info",
    ] {
        let (status, _, body) = app.get(path, Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        let message = assert_error_shape(&body);
        assert!(message.contains("scoped token"), "{message}");
    }
}

#[tokio::test]
async fn the_widget_token_itself_as_bearer_is_401_mentioning_the_widget_token() {
    let app = spawn_app().await;
    let (raw, _, _) = app.widget_token("blob-co", ORIGIN).await;
    for path in [END_USER, OPERATOR] {
        assert_401(&app, path, Some(&format!("Bearer {raw}")), "widget token").await;
    }
}

#[tokio::test]
async fn another_workspace_s_source_is_403() {
    let app = spawn_app().await;
    let alice = app.scoped_token("alice").await;
    let bob = app.scoped_token("bob").await;
    let source = app
        .create_source(&alice, "Stripe", &sample_config("Stripe"))
        .await;
    let id = source["id"].as_str().expect("id");
    let path = format!("{END_USER}/{id}");

    let (status, _, body) = app.get(&path, Some(&bob)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(assert_error_shape(&body).contains("another workspace"));
    let (status, _, _) = app
        .put(&path, Some(&bob), &json!({"name": "hijacked"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app.delete(&path, Some(&bob)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .post(
            "/api/v1/embedded/sources/check",
            Some(&bob),
            &json!({"source_id": id, "source_config": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bob's list does not show it, and it is untouched.
    let (_, _, list) = app.get(END_USER, Some(&bob)).await;
    assert_eq!(list["data"], json!([]));
    let (status, _, mine) = app.get(&path, Some(&alice)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["name"], source["name"]);

    // Naming another workspace in a query or body is 403 as well.
    let alice_ws = app.workspace_id("alice").expect("alice");
    let (status, _, _) = app
        .get(&format!("{END_USER}?workspace_id={alice_ws}"), Some(&bob))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .post(
            END_USER,
            Some(&bob),
            &json!({"workspace_id": alice_ws, "source_template_id": app.template_id("Stripe"),
                    "source_config": sample_config("Stripe")}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_mismatched_x_organization_id_is_403() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let scoped = app.scoped_token("org-co").await;
    let org = app.organization_id().to_string();
    for (path, bearer) in [(OPERATOR, &token), (END_USER, &scoped)] {
        let other = Uuid::new_v4().to_string();
        let (status, _, body) = app
            .send(
                app.request(Method::GET, path, Some(bearer))
                    .header("x-organization-id", &other),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(assert_error_shape(&body).contains("X-Organization-Id"));
        // The right organization passes; a malformed one is a 422 naming the header.
        let (status, _, _) = app
            .send(
                app.request(Method::GET, path, Some(bearer))
                    .header("x-organization-id", &org),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, _, body) = app
            .send(
                app.request(Method::GET, path, Some(bearer))
                    .header("x-organization-id", "not-a-uuid"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], "x-organization-id");
    }
}

#[tokio::test]
async fn a_token_for_a_workspace_gone_after_reset_is_401() {
    let app = spawn_app().await;
    let scoped = app.scoped_token("ephemeral").await;
    let (_, _, widget_jwt) = app.widget_token("ephemeral", ORIGIN).await;
    let (status, _, _) = app.get(END_USER, Some(&scoped)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, _) = app.post("/_mock/reset", None, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    for jwt in [&scoped, &widget_jwt] {
        for path in [END_USER, "/api/v1/embedded/scoped-token/info"] {
            assert_401(
                &app,
                path,
                Some(&format!("Bearer {jwt}")),
                "no longer exists",
            )
            .await;
        }
    }
}

#[tokio::test]
async fn an_old_token_does_not_open_a_new_workspace_that_reuses_its_id_after_reset() {
    let app = spawn_app().await;
    let alice = app.scoped_token("alice").await;
    let alice_ws = app.workspace_id("alice").expect("alice");
    app.post("/_mock/reset", None, &json!({})).await;
    // Ids restart from the seed, so the next workspace gets alice's old id.
    let bob = app.scoped_token("bob").await;
    assert_eq!(
        app.workspace_id("bob"),
        Some(alice_ws),
        "the seed replays ids after a reset"
    );
    let source = app
        .create_source(&bob, "Stripe", &sample_config("Stripe"))
        .await;
    let id = source["id"].as_str().expect("id");
    for path in [END_USER.to_owned(), format!("{END_USER}/{id}")] {
        assert_401(
            &app,
            &path,
            Some(&format!("Bearer {alice}")),
            "no longer exists",
        )
        .await;
    }
    let (status, _, _) = app.get(&format!("{END_USER}/{id}"), Some(&bob)).await;
    assert_eq!(status, StatusCode::OK);
}
