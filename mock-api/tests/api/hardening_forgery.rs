//! Hardening: the token-forgery matrix. Every forged, expired, tampered or misplaced credential, on
//! every authenticated route of the inventory (`hardening_routes`), is a 401 or a 403 in Airbyte's
//! error shape, and changes nothing.

use airbyte_mock::testkit::{assert_error_shape, jwt_claims, jwt_header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::hardening_routes::{Fixture, Route, Tier, fixture, plausible_body};
use crate::helpers::{CLIENT_SECRET, ORIGIN, TestApp, sample_config, spawn_app, unix_now};

/// `claims` under `header`, signed with `key` by `alg`.
fn sign_with(alg: Algorithm, key: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(key).unwrap(),
    )
    .unwrap()
}

/// The mock's own HMAC secret under the default configuration (`lib.rs`: the client secret and the
/// seed). Only used to prove the mock pins HS256: the same key under HS384/HS512 is refused.
fn mock_key() -> Vec<u8> {
    format!("airbyte-mock:{CLIENT_SECRET}:42").into_bytes()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A genuine token with its payload replaced by `claims` and its signature kept.
fn tampered(genuine: &str, claims: &Value) -> String {
    let parts: Vec<&str> = genuine.split('.').collect();
    format!("{}.{}.{}", parts[0], b64(claims), parts[2])
}

/// An unsigned token (`alg` is `none` in some spelling).
fn unsigned(alg: &str, claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(&json!({"alg": alg, "typ": "JWT"})),
        b64(claims)
    )
}

/// Sends `route` with `authorization` (a whole header value): status and body.
async fn call(
    app: &TestApp,
    fixture: &Fixture,
    route: &Route,
    authorization: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .request(route.method.clone(), &route.path, None)
        .header("authorization", authorization);
    if route.body {
        request = request.json(&plausible_body(fixture, route));
    }
    let (status, _, body) = app.send(request).await;
    (status, body)
}

/// Every authenticated route answers `expected` to `token`, in the error shape.
async fn assert_everywhere(
    app: &TestApp,
    fixture: &Fixture,
    what: &str,
    token: &str,
    tiers: &[Tier],
    expected: StatusCode,
    failures: &mut Vec<String>,
) {
    for route in fixture.routes.iter().filter(|r| tiers.contains(&r.tier)) {
        let (status, body) = call(app, fixture, route, &format!("Bearer {token}")).await;
        if status != expected {
            let short: String = body.to_string().chars().take(200).collect();
            failures.push(format!("{what} on {}: {status} {short}", route.label()));
        } else if std::panic::catch_unwind(|| assert_error_shape(&body)).is_err() {
            failures.push(format!(
                "{what} on {}: not the error shape: {body}",
                route.label()
            ));
        }
    }
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} answers were not refused as they should be:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const ANY: &[Tier] = &[Tier::Operator, Tier::EndUser];

#[tokio::test]
async fn forged_unsigned_expired_and_tampered_tokens_are_401_on_every_route() {
    let app = spawn_app().await;
    let fixture = fixture(&app, "forgery-target").await;
    let (_, _, widget_jwt) = app.widget_token("forgery-target", ORIGIN).await;
    let now = unix_now();
    let operator_claims = jwt_claims(&fixture.operator);
    let scoped_claims = jwt_claims(&widget_jwt);
    let with_times = |claims: &Value, iat: u64, exp: u64| {
        let mut c = claims.clone();
        c["iat"] = json!(iat);
        c["exp"] = json!(exp);
        c
    };
    // Sanity: the key derivation below is the mock's, so the HS384/HS512 cases test the algorithm.
    let genuine_copy = sign_with(Algorithm::HS256, &mock_key(), &operator_claims);
    let (status, _, body) = app
        .get(
            "/api/v1/integrations/templates/sources",
            Some(&genuine_copy),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the mock's key is no longer {{secret}}:{{seed}}: {body}"
    );

    let before = app.state.store.counts();
    let mut failures = Vec::new();
    for (label, claims) in [("operator", &operator_claims), ("scoped", &scoped_claims)] {
        let fresh = with_times(claims, now, now + 600);
        let cases = [
            (
                "signed with another key",
                sign_with(Algorithm::HS256, b"not the mock's key", &fresh),
            ),
            (
                "HS384 with the mock's key",
                sign_with(Algorithm::HS384, &mock_key(), &fresh),
            ),
            (
                "HS512 with the mock's key",
                sign_with(Algorithm::HS512, &mock_key(), &fresh),
            ),
            ("alg none", unsigned("none", &fresh)),
            ("alg None", unsigned("None", &fresh)),
            ("alg NONE", unsigned("NONE", &fresh)),
            (
                "alg none with the genuine signature",
                format!(
                    "{}.{}.{}",
                    b64(&json!({"alg": "none", "typ": "JWT"})),
                    b64(&fresh),
                    fixture.operator.split('.').nth(2).unwrap()
                ),
            ),
            ("HS256 header, no signature", {
                let genuine = app.sign(&fresh);
                let parts: Vec<&str> = genuine.split('.').collect();
                format!("{}.{}.", parts[0], parts[1])
            }),
            (
                "expired a second ago",
                app.sign(&with_times(claims, now - 1200, now - 1)),
            ),
            ("expired long ago", app.sign(&with_times(claims, 1, 2))),
            ("without exp", {
                let mut c = fresh.clone();
                c.as_object_mut().unwrap().remove("exp");
                app.sign(&c)
            }),
            ("exp as a string", {
                let mut c = fresh.clone();
                c["exp"] = json!((now + 600).to_string());
                app.sign(&c)
            }),
        ];
        for (case, token) in cases {
            assert_everywhere(
                &app,
                &fixture,
                &format!("{label} token {case}"),
                &token,
                ANY,
                StatusCode::UNAUTHORIZED,
                &mut failures,
            )
            .await;
        }
    }

    // Tampered claims: the payload edited, the genuine signature kept.
    let mut longer = operator_claims.clone();
    longer["exp"] = json!(now + 365 * 24 * 3600);
    let mut other_workspace = scoped_claims.clone();
    other_workspace["io.airbyte.auth.workspace_scope"]["workspaceId"] = json!(Uuid::new_v4());
    let mut other_origin = scoped_claims.clone();
    if let Some(obj) = other_origin.as_object_mut() {
        for value in obj.values_mut() {
            if value == ORIGIN {
                *value = json!("https://evil.example");
            }
        }
    }
    let mut promoted = scoped_claims.clone();
    promoted["typ"] = operator_claims["typ"].clone();
    promoted["roles"] = operator_claims["roles"].clone();
    let mut demoted = operator_claims.clone();
    demoted["sub"] = json!(Uuid::new_v4());
    let tampered_cases = [
        (
            "operator token with a later exp",
            tampered(&fixture.operator, &longer),
        ),
        (
            "operator token with another sub",
            tampered(&fixture.operator, &demoted),
        ),
        (
            "scoped token for another workspace",
            tampered(&widget_jwt, &other_workspace),
        ),
        (
            "scoped token for another origin",
            tampered(&widget_jwt, &other_origin),
        ),
        (
            "scoped token promoted to operator",
            tampered(&widget_jwt, &promoted),
        ),
        (
            "operator payload under the scoped signature",
            tampered(&widget_jwt, &operator_claims),
        ),
        ("one bit of the signature flipped", {
            let mut bytes = fixture.operator.clone().into_bytes();
            let last = bytes.len() - 2;
            bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).unwrap()
        }),
        ("a header with a kid and jku", {
            let parts: Vec<&str> = fixture.operator.split('.').collect();
            let header = json!({"alg": "HS256", "typ": "JWT", "kid": "../../dev/null", "jku": "http://evil.example/jwks"});
            format!("{}.{}.{}", b64(&header), parts[1], parts[2])
        }),
    ];
    for (case, token) in tampered_cases {
        assert_everywhere(
            &app,
            &fixture,
            case,
            &token,
            ANY,
            StatusCode::UNAUTHORIZED,
            &mut failures,
        )
        .await;
    }

    // The widget token itself (Base64 of {token, widgetUrl}) is not a bearer token.
    let (raw_widget, _, _) = app.widget_token("forgery-target", ORIGIN).await;
    assert_everywhere(
        &app,
        &fixture,
        "the widget token string",
        &raw_widget,
        ANY,
        StatusCode::UNAUTHORIZED,
        &mut failures,
    )
    .await;
    report(&failures);
    // Nothing a refused request carried was acted on.
    assert_eq!(app.state.store.counts(), before);
    assert_eq!(jwt_header(&fixture.operator)["alg"], "HS256");
}

#[tokio::test]
async fn tokens_signed_before_expire_all_are_401_on_every_route() {
    let app = spawn_app().await;
    let fixture = fixture(&app, "retired-keys").await;
    let (status, _, body) = app.post("/_mock/tokens/expire", None, &json!({})).await;
    assert!(status.is_success(), "{body}");
    let mut failures = Vec::new();
    for (what, token) in [("operator", &fixture.operator), ("scoped", &fixture.scoped)] {
        assert_everywhere(
            &app,
            &fixture,
            &format!("an {what} token of a retired key"),
            token,
            ANY,
            StatusCode::UNAUTHORIZED,
            &mut failures,
        )
        .await;
    }
    report(&failures);
}

#[tokio::test]
async fn a_credential_of_the_wrong_tier_is_403_on_every_route() {
    let app = spawn_app().await;
    let fixture = fixture(&app, "tier-matrix").await;
    let (_, _, widget_jwt) = app.widget_token("tier-matrix", ORIGIN).await;
    let before = app.state.store.counts();
    let mut failures = Vec::new();
    for (what, token) in [
        ("a scoped token", fixture.scoped.as_str()),
        ("the scoped JWT of a widget token", widget_jwt.as_str()),
    ] {
        assert_everywhere(
            &app,
            &fixture,
            what,
            token,
            &[Tier::Operator],
            StatusCode::FORBIDDEN,
            &mut failures,
        )
        .await;
    }
    assert_everywhere(
        &app,
        &fixture,
        "an application token",
        &fixture.operator,
        &[Tier::EndUser],
        StatusCode::FORBIDDEN,
        &mut failures,
    )
    .await;
    report(&failures);
    assert_eq!(app.state.store.counts(), before);
}

#[tokio::test]
async fn another_workspace_s_scoped_token_is_403_on_every_route_of_a_source() {
    let app = spawn_app().await;
    let owner = fixture(&app, "owner-co").await;
    let intruder = app.scoped_token("intruder-co").await;
    let (_, _, intruder_widget) = app.widget_token("intruder-co", ORIGIN).await;
    let source = &owner.source_id;
    let stored = app.stored_config(source);
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::GET,
            format!("/api/v1/embedded/sources/{source}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/embedded/sources/{source}"),
            Some(json!({"name": "hijacked", "source_config": sample_config("Stripe")})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/embedded/sources/{source}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/embedded/sources/check".to_owned(),
            Some(json!({"source_id": source, "source_config": sample_config("Stripe")})),
        ),
        (
            Method::GET,
            format!(
                "/api/v1/embedded/sources?workspace_id={}",
                owner.workspace_id
            ),
            None,
        ),
        (
            Method::POST,
            "/api/v1/embedded/sources".to_owned(),
            Some(json!({"workspace_id": owner.workspace_id,
                        "source_template_id": owner.template_id,
                        "source_config": sample_config("Stripe")})),
        ),
    ];
    let mut failures = Vec::new();
    for token in [&intruder, &intruder_widget] {
        for (method, path, body) in &routes {
            let mut request = app.request(method.clone(), path, Some(token));
            if let Some(body) = body {
                request = request.json(body);
            }
            let (status, _, reply) = app.send(request).await;
            if status != StatusCode::FORBIDDEN {
                failures.push(format!("{method} {path}: {status} {reply}"));
            } else if std::panic::catch_unwind(|| assert_error_shape(&reply)).is_err() {
                failures.push(format!("{method} {path}: not the error shape: {reply}"));
            }
        }
    }
    report(&failures);
    // The source is untouched and its owner still sees it.
    assert_eq!(app.stored_config(source), stored);
    let (status, _, mine) = app
        .get(
            &format!("/api/v1/embedded/sources/{source}"),
            Some(&owner.scoped),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_ne!(mine["name"], "hijacked");
    let (_, _, theirs) = app.get("/api/v1/embedded/sources", Some(&intruder)).await;
    assert_eq!(theirs["data"], json!([]));
}
