//! Airbyte's error shape for every failure, and no input that makes the server answer 5xx.

use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, spawn_app};
use airbyte_mock::testkit::{assert_error_shape, error_fields};

#[tokio::test]
async fn an_unknown_route_is_404_in_the_error_shape() {
    let app = spawn_app().await;
    for path in [
        "/nope",
        "/api/v1/embedded/nope",
        "/api/v2/workspaces",
        "/_mock/nope",
    ] {
        let (status, headers, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let message = assert_error_shape(&body);
        assert!(message.contains(path), "{message}");
        assert_eq!(body["errors"][0]["error_code"], "not_found");
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow_in_the_error_shape() {
    let app = spawn_app().await;
    for (method, path, allowed) in [
        (Method::GET, "/api/v1/account/applications/token", "POST"),
        (
            Method::DELETE,
            "/api/v1/account/applications/widget-token",
            "POST",
        ),
        (Method::PUT, "/api/v1/integrations/templates/sources", "GET"),
        (Method::POST, "/api/v1/workspaces", "GET"),
        (Method::PATCH, "/api/v1/embedded/sources", "POST"),
    ] {
        let (status, headers, body) = app.send(app.request(method.clone(), path, None)).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        let allow = headers
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{method} {path}: no Allow header"));
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow}");
        let message = assert_error_shape(&body);
        assert!(message.contains(method.as_str()), "{message}");
        assert_eq!(body["errors"][0]["error_code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(1024 * 1024 + 16);
    let body = json!({"client_id": "mock-client-id", "client_secret": "mock-client-secret", "pad": padding});
    let (status, _, reply) = app
        .post("/api/v1/account/applications/token", None, &body)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{reply}");
    assert_error_shape(&reply);
    // Just under the limit is fine (unknown fields are ignored).
    let padding = "x".repeat(1000 * 1000);
    let body = json!({"client_id": "mock-client-id", "client_secret": "mock-client-secret", "pad": padding});
    let (status, _, reply) = app
        .post("/api/v1/account/applications/token", None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    // An authenticated end-user route has the same limit.
    let jwt = app.scoped_token("big-co").await;
    let big = json!({"source_template_id": app.template_id("Stripe"),
                     "source_config": {"account_id": "x".repeat(2 * 1024 * 1024)}});
    let (status, _, reply) = app.post("/api/v1/embedded/sources", Some(&jwt), &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{reply}");
    assert_error_shape(&reply);
}

#[tokio::test]
async fn malformed_json_is_422() {
    let app = spawn_app().await;
    for raw in [
        "{\"client_id\": ",
        "{client_id: 'x'}",
        "{\"client_id\": \"a\",}",
        "{\"client_id\": \"mock-client-id\", \"client_secret\": \"mock-client-secret\"} {}",
        "{\"client_id\": \"mock-client-id\", \"client_secret\": \"mock-client-secret\"",
    ] {
        let (status, _, body) = app
            .send(
                app.request(Method::POST, "/api/v1/account/applications/token", None)
                    .header("content-type", "application/json")
                    .body(raw),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}: {body}");
        assert_error_shape(&body);
        assert_eq!(body["errors"][0]["field"], "body", "{body}");
        assert_eq!(body["errors"][0]["error_code"], "malformed_json");
    }
    // Well-formed JSON that is not an object: serde would read an array as a struct, field by field.
    let token = app.app_token().await;
    let (_, _, list) = app
        .get("/api/v1/integrations/templates/connections", Some(&token))
        .await;
    let patch = format!(
        "/api/v1/integrations/templates/connections/{}",
        list["data"][0]["id"].as_str().expect("id")
    );
    for (raw, kind) in [
        ("[]", "an array"),
        ("[\"x\", null]", "an array"),
        ("null", "null"),
        ("\"x\"", "a string"),
        ("7", "a number"),
    ] {
        for (method, path) in [
            (Method::POST, "/api/v1/account/applications/token"),
            (Method::PATCH, patch.as_str()),
        ] {
            let (status, _, body) = app
                .send(
                    app.request(method.clone(), path, Some(&token))
                        .header("content-type", "application/json")
                        .body(raw),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {path} {raw}: {body}"
            );
            assert_eq!(body["errors"][0]["field"], "body", "{body}");
            assert!(
                assert_error_shape(&body).contains(&format!("must be a JSON object, not {kind}")),
                "{body}"
            );
        }
    }
    // Not JSON at all, by content type.
    let (status, _, body) = app
        .send(
            app.request(Method::POST, "/api/v1/account/applications/token", None)
                .header("content-type", "text/plain")
                .body("client_id=mock-client-id"),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_error_shape(&body);
}

#[tokio::test]
async fn a_mistyped_nested_field_names_its_path() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app
        .post(
            "/api/v1/account/applications/widget-token",
            Some(&token),
            &json!({"workspace_name": "x", "allowed_origin": ORIGIN,
                    "selected_source_template_tags": ["crm", 7]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(
        error_fields(&body),
        vec!["selected_source_template_tags[1]".to_owned()]
    );
    assert_eq!(body["errors"][0]["error_code"], "invalid_type");

    let (status, _, body) = app
        .post(
            "/api/v1/integrations/templates/connections",
            Some(&token),
            &json!({"destination_name": "x", "destination_definition_id": Uuid::new_v4(),
                    "destination_config": [], "sync_on_create": "yes"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["destination_config".to_owned()]);

    let jwt = app.scoped_token("typed-co").await;
    let (status, _, body) = app
        .post(
            "/api/v1/embedded/sources",
            Some(&jwt),
            &json!({"source_template_id": app.template_id("Stripe"), "source_config": "account_id=1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["source_config".to_owned()]);
}

/// Every route that takes a body, with the credential it needs and a real id where it has one.
async fn body_routes(app: &TestApp) -> Vec<(Method, String, Option<String>)> {
    let operator = app.app_token().await;
    let scoped = app.scoped_token("sweep-co").await;
    let source = app
        .create_source(&scoped, "Stripe", &crate::helpers::sample_config("Stripe"))
        .await;
    let source_id = source["id"].as_str().expect("id").to_owned();
    let template = app.template_id("Stripe");
    let (_, _, connections) = app
        .get(
            "/api/v1/integrations/templates/connections",
            Some(&operator),
        )
        .await;
    let connection = connections["data"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let op = Some(operator);
    let user = Some(scoped);
    vec![
        (
            Method::POST,
            "/api/v1/account/applications/token".into(),
            None,
        ),
        (Method::POST, "/v1/applications/token".into(), None),
        (
            Method::POST,
            "/api/v1/integrations/connectors".into(),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/integrations/connectors/check".into(),
            op.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/integrations/connectors/{source_id}"),
            op.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/integrations/connectors/{source_id}/check"),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/account/applications/widget-token".into(),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/embedded/widget-token".into(),
            op.clone(),
        ),
        (Method::POST, "/v1/embedded/widget_token".into(), op.clone()),
        (
            Method::POST,
            "/api/v1/account/applications/scoped-token".into(),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/embedded/scoped-token".into(),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/integrations/templates/sources".into(),
            op.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/integrations/templates/sources/{template}"),
            op.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/integrations/templates/sources/{template}/tags"),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/integrations/templates/connections".into(),
            op.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/integrations/templates/connections/{connection}"),
            op.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/integrations/templates/connections/{connection}/tags"),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/integrations/templates/tags".into(),
            op.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/integrations/templates/tags/pro-tier".into(),
            op.clone(),
        ),
        (
            Method::POST,
            "/api/v1/embedded/sources".into(),
            user.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/embedded/sources/{source_id}"),
            user.clone(),
        ),
        (
            Method::POST,
            "/api/v1/embedded/sources/check".into(),
            user.clone(),
        ),
        (Method::POST, "/embedded-widget/diagnostics".into(), None),
    ]
}

/// Every field name some body route reads, so a junk value in all of them reaches a real field.
const KNOWN_FIELDS: [&str; 22] = [
    "client_id",
    "client_secret",
    "workspace_name",
    "allowed_origin",
    "organizationId",
    "externalUserId",
    "allowedOrigin",
    "actor_definition_id",
    "original_source_template_id",
    "partial_default_config",
    "customization",
    "name",
    "tag",
    "destination_name",
    "destination_config",
    "data_hosting_type",
    "cron_expression",
    "source_template_id",
    "source_config",
    "source_id",
    "problem",
    "replication_config",
];

/// An object with `value` (raw JSON text) in every known field.
fn in_every_field(value: &[u8]) -> Vec<u8> {
    let mut out = b"{".to_vec();
    for (i, field) in KNOWN_FIELDS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(format!("\"{field}\":").as_bytes());
        out.extend_from_slice(value);
    }
    out.push(b'}');
    out
}

fn junk_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    vec![
        // Not an object at all.
        ("empty", Vec::new()),
        ("whitespace", b" \n\t ".to_vec()),
        ("array", b"[]".to_vec()),
        (
            "array of values",
            b"[\"acme\", null, null, \"http://localhost:3000\", null, null]".to_vec(),
        ),
        ("null", b"null".to_vec()),
        ("string", b"\"x\"".to_vec()),
        ("number", b"42".to_vec()),
        ("deep array", deep_array.into_bytes()),
        ("byte order mark", b"\xef\xbb\xbf{}".to_vec()),
        ("truncated", b"{\"name\": \"abc".to_vec()),
        ("trailing garbage", b"{} trailing".to_vec()),
        (
            "invalid utf-8 in an unknown field",
            b"{\"zzz_unknown\": \"\xff\xfe\"}".to_vec(),
        ),
        // An object whose every known field holds junk.
        ("deep nesting", in_every_field(deep_object.as_bytes())),
        ("huge exponent", in_every_field(b"1e999999")),
        ("huge integer", in_every_field("9".repeat(5000).as_bytes())),
        ("invalid utf-8", in_every_field(b"\"\xff\xfe\xfd\"")),
        ("lone surrogate", in_every_field(b"\"\\ud800\"")),
        ("nul byte", in_every_field(b"\"a\x00b\"")),
        ("wrong types", in_every_field(b"[true, {}]")),
    ]
}

#[tokio::test]
async fn junk_input_on_every_body_route_is_a_4xx_in_the_error_shape() {
    let app = spawn_app().await;
    let routes = body_routes(&app).await;
    let before = app.state.store.counts();
    let mut failures = Vec::new();
    for (method, path, bearer) in &routes {
        for (what, bytes) in junk_bodies() {
            let request = app
                .request(method.clone(), path, bearer.as_deref())
                .header("content-type", "application/json")
                .body(bytes);
            let (status, _, body) = app.send(request).await;
            let short: String = body.to_string().chars().take(300).collect();
            if status.is_server_error() {
                failures.push(format!("{method} {path} with {what}: {status} {short}"));
            } else if !status.is_client_error() {
                failures.push(format!(
                    "{method} {path} with {what}: accepted with {status}: {short}"
                ));
            } else if std::panic::catch_unwind(|| assert_error_shape(&body)).is_err() {
                failures.push(format!(
                    "{method} {path} with {what}: not the error shape: {short}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing was changed, and the server is still healthy.
    assert_eq!(app.state.store.counts(), before);
    let (status, _, _) = app.get("/_mock/health", None).await;
    assert_eq!(status, StatusCode::OK);
}

/// Arbitrary JSON, with the object keys the two endpoints know mixed in so the cases get past the
/// first field.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("workspace_name".to_owned()),
        Just("customer_name".to_owned()),
        Just("external_user_id".to_owned()),
        Just("allowed_origin".to_owned()),
        Just("region_id".to_owned()),
        Just("selected_source_template_tags".to_owned()),
        Just("selected_source_template_tags_mode".to_owned()),
        Just("source_template_id".to_owned()),
        Just("source_config".to_owned()),
        Just("connection_configuration".to_owned()),
        Just("name".to_owned()),
        Just("workspace_id".to_owned()),
        Just("client_secret".to_owned()),
        "\\PC{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,40}".prop_map(Value::String),
        Just(json!(ORIGIN)),
        Just(json!("http://localhost:3000/")),
        Just(json!("**********")),
        Just(json!("fail")),
        Just(json!("error_X")),
        Just(json!("any")),
        Just(json!(Uuid::nil())),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn arbitrary_json_never_makes_the_server_fail() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let app = runtime.block_on(spawn_app());
    let (operator, scoped, stripe) = runtime.block_on(async {
        (
            app.app_token().await,
            app.scoped_token("prop-co").await,
            app.template_id("Stripe"),
        )
    });
    let config = ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(value in arb_json(), with_template in any::<bool>())| {
        let widget = runtime.block_on(app.post(
            "/api/v1/account/applications/widget-token",
            Some(&operator),
            &value,
        ));
        let mut source_body = value.clone();
        if with_template && let Value::Object(map) = &mut source_body {
            map.insert("source_template_id".into(), json!(stripe));
        }
        let source = runtime.block_on(app.post("/api/v1/embedded/sources", Some(&scoped), &source_body));
        for (what, (status, _, body)) in [("widget-token", widget), ("source create", source)] {
            prop_assert!(!status.is_server_error(), "{what} {value}: {status} {body}");
            if !status.is_success() {
                prop_assert!(body["message"].is_string(), "{what}: not the error shape: {body}");
                prop_assert!(body["errors"].is_array(), "{what}: not the error shape: {body}");
            }
        }
    });
    let (status, _, _) = runtime.block_on(app.get("/_mock/health", None));
    assert_eq!(status, StatusCode::OK);
    drop(app);
}

#[tokio::test]
async fn a_mistyped_secret_is_named_but_not_echoed() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": 987_654_321_u64}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(&body);
    assert_eq!(body["errors"][0]["field"], "client_secret");
    assert_eq!(
        body["errors"][0]["message"],
        "expected a string, got integer"
    );
    assert!(!body.to_string().contains("987654321"), "{body}");
}
