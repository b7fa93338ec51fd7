//! Application, widget and scoped tokens.

use airbyte_embedded::WidgetToken;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, ORIGIN, TestApp, encode_uri_component, spawn_app, spawn_app_with,
};
use airbyte_mock::Config;
use airbyte_mock::testkit::{
    REGION_EU, assert_error_shape, error_fields, jwt_claims, jwt_header, unique,
};

const WIDGET_PATHS: [&str; 2] = [
    "/api/v1/account/applications/widget-token",
    "/api/v1/embedded/widget-token",
];
const SCOPED_PATHS: [&str; 2] = [
    "/api/v1/account/applications/scoped-token",
    "/api/v1/embedded/scoped-token",
];
const INFO_PATHS: [&str; 2] = [
    "/api/v1/account/applications/scoped-token/info",
    "/api/v1/embedded/scoped-token/info",
];

fn creds() -> Value {
    json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
}

fn uuid_of(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .unwrap_or_else(|_| panic!("not a UUID: {v}"))
}

/// The `workspaceId` query parameter of a widget URL.
fn workspace_in(widget_url: &str) -> Uuid {
    let url = url::Url::parse(widget_url).expect("widgetUrl is an absolute URL");
    let id = url
        .query_pairs()
        .find(|(k, _)| k == "workspaceId")
        .map(|(_, v)| v.into_owned())
        .expect("widgetUrl has workspaceId");
    Uuid::parse_str(&id).expect("workspaceId is a UUID")
}

#[tokio::test]
async fn application_token_has_the_documented_shape() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .post("/api/v1/account/applications/token", None, &creds())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    let org = app.organization_id();
    assert_eq!(uuid_of(&body["organization_id"]), org);

    let jwt = body["access_token"].as_str().expect("access_token");
    assert_eq!(jwt_header(jwt)["alg"], "HS256");
    let claims = jwt_claims(jwt);
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 900, "application tokens live 15 minutes");
    let now = crate::helpers::unix_now();
    assert!(iat.abs_diff(now) <= 5, "iat is now: {iat} vs {now}");
    assert_eq!(uuid_of(&claims["organization_id"]), org);
}

#[tokio::test]
async fn legacy_application_token_path_says_bearer_capitalised() {
    let app = spawn_app().await;
    let (status, _, body) = app.post("/v1/applications/token", None, &creds()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let jwt = body["access_token"].as_str().expect("access_token");
    // The legacy token works on the current operator API.
    let (status, _, _) = app
        .get("/api/v1/integrations/templates/sources", Some(jwt))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_credentials_are_401() {
    let app = spawn_app().await;
    for body in [
        json!({"client_id": CLIENT_ID, "client_secret": "not-the-secret"}),
        json!({"client_id": "someone-else", "client_secret": CLIENT_SECRET}),
    ] {
        for path in [
            "/api/v1/account/applications/token",
            "/v1/applications/token",
        ] {
            let (status, _, reply) = app.post(path, None, &body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {body}: {reply}");
            let message = assert_error_shape(&reply);
            assert!(message.contains("client_id or client_secret"), "{message}");
            assert!(
                !reply.to_string().contains("not-the-secret"),
                "echoes the secret: {reply}"
            );
        }
    }
}

#[tokio::test]
async fn missing_credential_field_is_422_naming_it() {
    let app = spawn_app().await;
    for (body, missing) in [
        (json!({"client_id": CLIENT_ID}), "client_secret"),
        (json!({"client_secret": CLIENT_SECRET}), "client_id"),
    ] {
        let (status, _, reply) = app
            .post("/api/v1/account/applications/token", None, &body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        assert_error_shape(&reply);
        assert_eq!(error_fields(&reply), vec![missing.to_owned()], "{reply}");
        assert_eq!(reply["errors"][0]["error_code"], "missing");
    }
    // Present but empty is also named.
    let (status, _, reply) = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": CLIENT_ID, "client_secret": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&reply), vec!["client_secret".to_owned()]);
}

#[tokio::test]
async fn demo_extra_fields_like_grant_type_are_ignored() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                    "grant-type": "client_credentials", "grant_type": "client_credentials"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Everything §2 of the contract says about the widget token, checked on one raw token.
fn assert_widget_token_format(app: &TestApp, raw: &str, origin: &str) -> (WidgetToken, Uuid) {
    assert_eq!(raw.len() % 4, 0, "standard padded Base64: {raw}");
    assert!(
        raw.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='),
        "standard alphabet only: {raw}"
    );
    let bytes = STANDARD
        .decode(raw)
        .expect("decodes as standard padded Base64");
    assert!(bytes.is_ascii(), "the JSON inside is ASCII only (atob)");
    let text = String::from_utf8(bytes).expect("ASCII is UTF-8");
    assert!(
        text.starts_with("{\"token\":\""),
        "token comes first: {text}"
    );
    let json: Value = serde_json::from_str(&text).expect("the payload is JSON");
    let obj = json.as_object().expect("an object");
    assert_eq!(obj.len(), 2, "exactly token and widgetUrl: {text}");
    let token_at = text.find("\"token\"").expect("token key");
    let url_at = text.find("\"widgetUrl\"").expect("widgetUrl key");
    assert!(token_at < url_at, "keys in order token, widgetUrl: {text}");

    let decoded = WidgetToken::decode(raw).expect("the widget's own decoder accepts it");
    let workspace = workspace_in(&decoded.widget_url);
    assert_eq!(
        decoded.widget_url,
        format!(
            "{}/embedded-widget?workspaceId={workspace}&allowedOrigin={}",
            app.base,
            encode_uri_component(origin)
        )
    );
    (decoded, workspace)
}

#[tokio::test]
async fn widget_token_decodes_on_both_paths() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let mut workspaces = Vec::new();
    for path in WIDGET_PATHS {
        let (status, _, body) = app
            .post(
                path,
                Some(&token),
                &json!({"workspace_name": "acme", "allowed_origin": ORIGIN}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(
            body.as_object().map(|o| o.len()),
            Some(1),
            "only token: {body}"
        );
        let raw = body["token"].as_str().expect("token");
        let (decoded, workspace) = assert_widget_token_format(&app, raw, ORIGIN);
        assert!(
            decoded
                .widget_url
                .ends_with("&allowedOrigin=http%3A%2F%2Flocalhost%3A3000"),
            "{}",
            decoded.widget_url
        );
        workspaces.push(workspace);
    }
    assert_eq!(
        workspaces[0], workspaces[1],
        "both paths use one workspace per name"
    );
    assert_eq!(app.workspace_id("acme"), Some(workspaces[0]));
}

#[tokio::test]
async fn widget_url_percent_encodes_like_encode_uri_component() {
    let app = spawn_app().await;
    for origin in [
        "https://app.example.com",
        "http://[::1]:8080",
        "https://xn--bcher-kva.example",
    ] {
        let (raw, _, _) = app.widget_token(&unique("enc"), origin).await;
        assert_widget_token_format(&app, &raw, origin);
    }
}

#[tokio::test]
async fn scoped_jwt_in_the_widget_token_carries_scope_origin_and_tags() {
    let app = spawn_app().await;
    let (_, decoded, jwt) = app
        .widget_token_with(&json!({
            "workspace_name": "tagged",
            "allowed_origin": "https://app.example.com",
            "selected_source_template_tags": ["crm", "pro-tier"],
            "selected_source_template_tags_mode": "all",
            "selected_connection_template_tags": ["warehouse"],
        }))
        .await;
    assert_eq!(jwt_header(&jwt)["alg"], "HS256");
    let claims = jwt_claims(&jwt);
    assert_eq!(claims["roles"], json!(["EMBEDDED_END_USER"]));
    assert_eq!(claims["typ"], "io.airbyte.auth.embedded_v1");
    assert_eq!(
        uuid_of(&claims["io.airbyte.auth.workspace_scope"]["workspaceId"]),
        workspace_in(&decoded.widget_url),
        "the JWT's workspace is the URL's"
    );
    assert_eq!(
        Some(workspace_in(&decoded.widget_url)),
        app.workspace_id("tagged")
    );
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 1200, "scoped tokens live 20 minutes");
    assert_eq!(claims["allowed_origin"], "https://app.example.com");
    assert_eq!(
        claims["selected_source_template_tags"],
        json!(["crm", "pro-tier"])
    );
    assert_eq!(claims["selected_source_template_tags_mode"], "all");
    assert_eq!(
        claims["selected_connection_template_tags"],
        json!(["warehouse"])
    );
    assert_eq!(
        claims["selected_connection_template_tags_mode"], "any",
        "default any"
    );
    assert_eq!(uuid_of(&claims["organization_id"]), app.organization_id());
}

/// Under `--strict` (by default these answer 200 with a `Warning`: see `strictness.rs`).
#[tokio::test]
async fn under_strict_allowed_origin_problems_are_422_naming_the_problem_and_the_fix() {
    let app = spawn_app_with(Config {
        strict: true,
        ..Config::default()
    })
    .await;
    let token = app.app_token().await;
    let cases = [
        (
            "http://localhost:3000/",
            "must not end with '/'",
            Some("http://localhost:3000"),
        ),
        (
            "https://app.example.com:443",
            ":443",
            Some("https://app.example.com"),
        ),
        (
            "http://app.example.com:80",
            ":80",
            Some("http://app.example.com"),
        ),
        (
            "https://app.example.com/embed",
            "must not contain a path",
            Some("https://app.example.com"),
        ),
        ("https://*.example.com", "wildcard", None),
        (
            "localhost:3000",
            "must include the scheme",
            Some("http://localhost:3000"),
        ),
        (
            "app.example.com",
            "must include the scheme",
            Some("https://app.example.com"),
        ),
        (
            "HTTPS://App.Example.com",
            "lowercase",
            Some("https://app.example.com"),
        ),
        ("", "must not be empty", None),
    ];
    for path in WIDGET_PATHS {
        for (origin, problem, fix) in cases {
            let name = unique("bad-origin");
            let (status, _, body) = app
                .post(
                    path,
                    Some(&token),
                    &json!({"workspace_name": name, "allowed_origin": origin}),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{origin:?}: {body}"
            );
            let message = assert_error_shape(&body);
            assert_eq!(body["errors"][0]["field"], "allowed_origin", "{body}");
            let entry = body["errors"][0]["message"].as_str().expect("message");
            for text in [&message, entry] {
                assert!(text.contains(problem), "{origin:?}: {text}");
                if let Some(fix) = fix {
                    assert!(text.contains(&format!("use '{fix}'")), "{origin:?}: {text}");
                }
            }
            if let Some(fix) = fix {
                assert_eq!(body["errors"][0]["details"]["suggestion"], fix, "{body}");
            }
            assert_eq!(
                app.workspace_id(&name),
                None,
                "a rejected request creates no workspace"
            );
        }
    }
}

#[tokio::test]
async fn missing_widget_token_fields_are_422_naming_them() {
    // (A blank workspace_name or tag name is a warning by default: see `strictness.rs`.)
    let app = spawn_app().await;
    let token = app.app_token().await;
    for (body, field) in [
        (json!({"allowed_origin": ORIGIN}), "workspace_name"),
        (json!({"workspace_name": "acme"}), "allowed_origin"),
        (
            json!({"workspace_name": "acme", "allowed_origin": ORIGIN, "selected_source_template_tags_mode": "some"}),
            "selected_source_template_tags_mode",
        ),
    ] {
        let (status, _, reply) = app.post(WIDGET_PATHS[0], Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_error_shape(&reply);
        assert_eq!(error_fields(&reply), vec![field.to_owned()], "{reply}");
    }
}

#[tokio::test]
async fn customer_name_and_external_user_id_are_aliases_of_workspace_name() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for key in ["workspace_name", "customer_name", "external_user_id"] {
        let (_, decoded, jwt) = app
            .widget_token_with(&json!({key: "alias-co", "allowed_origin": ORIGIN}))
            .await;
        ids.push(workspace_in(&decoded.widget_url));
        let (status, _, info) = app.get(INFO_PATHS[0], Some(&jwt)).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        assert_eq!(info["workspace_name"], "alias-co", "{key}");
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one workspace: {ids:?}"
    );
    // The aliases also work on the scoped-token endpoint.
    let token = app.app_token().await;
    let (status, _, body) = app
        .post(
            SCOPED_PATHS[0],
            Some(&token),
            &json!({"customer_name": "alias-co"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = jwt_claims(body["token"].as_str().expect("token"));
    assert_eq!(
        uuid_of(&claims["io.airbyte.auth.workspace_scope"]["workspaceId"]),
        ids[0]
    );
    // Two spellings that disagree: workspace_name wins (with a warning, see `strictness.rs`);
    // under --strict, an error naming the alias.
    let body = json!({"workspace_name": "a", "customer_name": "b", "allowed_origin": ORIGIN});
    let (status, _, reply) = app.post(WIDGET_PATHS[0], Some(&token), &body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(app.workspace_id("a").is_some() && app.workspace_id("b").is_none());
    let strict = spawn_app_with(Config {
        strict: true,
        ..Config::default()
    })
    .await;
    let token = strict.app_token().await;
    let (status, _, reply) = strict.post(WIDGET_PATHS[0], Some(&token), &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(error_fields(&reply), vec!["customer_name".to_owned()]);
}

#[tokio::test]
async fn same_name_same_workspace_other_name_other_workspace() {
    let app = spawn_app().await;
    let (_, first, _) = app.widget_token("same", ORIGIN).await;
    let (_, again, _) = app.widget_token("same", "https://other.example.com").await;
    let (_, other, _) = app.widget_token("different", ORIGIN).await;
    assert_eq!(
        workspace_in(&first.widget_url),
        workspace_in(&again.widget_url)
    );
    assert_ne!(
        workspace_in(&first.widget_url),
        workspace_in(&other.widget_url)
    );
    assert_eq!(app.counts().await["workspaces"], 2);
}

#[tokio::test]
async fn legacy_widget_token_takes_camel_case() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let org = app.organization_id();
    let (status, _, body) = app
        .post(
            "/v1/embedded/widget_token",
            Some(&token),
            &json!({"organizationId": org, "externalUserId": "legacy-user", "allowedOrigin": ORIGIN}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let raw = body["token"].as_str().expect("token");
    let (decoded, workspace) = assert_widget_token_format(&app, raw, ORIGIN);
    assert_eq!(app.workspace_id("legacy-user"), Some(workspace));
    let claims = jwt_claims(decoded.token.as_deref().expect("jwt"));
    assert_eq!(claims["allowed_origin"], ORIGIN);

    // Another organization: 403.
    let (status, _, body) = app
        .post(
            "/v1/embedded/widget_token",
            Some(&token),
            &json!({"organizationId": Uuid::new_v4(), "externalUserId": "legacy-user", "allowedOrigin": ORIGIN}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(assert_error_shape(&body).contains("organizationId"));

    // camelCase names in errors too (a trailing slash in allowedOrigin is only a warning: see
    // `strictness.rs`).
    for (body, field) in [
        (
            json!({"organizationId": org, "externalUserId": "x"}),
            "allowedOrigin",
        ),
        (
            json!({"organizationId": "nope", "externalUserId": "x", "allowedOrigin": ORIGIN}),
            "organizationId",
        ),
    ] {
        let (status, _, reply) = app
            .post("/v1/embedded/widget_token", Some(&token), &body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_eq!(error_fields(&reply), vec![field.to_owned()], "{reply}");
    }
}

#[tokio::test]
async fn scoped_token_on_both_paths_is_a_plain_jwt() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let mut workspaces = Vec::new();
    for path in SCOPED_PATHS {
        let (status, _, body) = app
            .post(path, Some(&token), &json!({"workspace_name": "plain"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let jwt = body["token"].as_str().expect("token");
        assert!(
            jwt.starts_with("eyJ"),
            "a JWT, not the Base64 wrapper: {jwt}"
        );
        assert!(WidgetToken::decode(jwt).is_err(), "not a widget token");
        assert_eq!(jwt_header(jwt)["alg"], "HS256");
        let claims = jwt_claims(jwt);
        assert_eq!(claims["roles"], json!(["EMBEDDED_END_USER"]));
        assert_eq!(
            claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"),
            1200
        );
        assert!(
            claims.get("allowed_origin").is_none(),
            "no origin is bound: {claims}"
        );
        workspaces.push(uuid_of(
            &claims["io.airbyte.auth.workspace_scope"]["workspaceId"],
        ));
    }
    assert_eq!(workspaces[0], workspaces[1]);
    assert_eq!(app.workspace_id("plain"), Some(workspaces[0]));
    // Missing workspace_name is named.
    let (status, _, body) = app.post(SCOPED_PATHS[1], Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["workspace_name".to_owned()]);
}

#[tokio::test]
async fn scoped_token_info_on_both_paths() {
    let app = spawn_app().await;
    let scoped = app.scoped_token("info-co").await;
    let (_, _, widget_jwt) = app.widget_token("info-co", ORIGIN).await;
    let expected = json!({
        "organization_id": app.organization_id(),
        "workspace_id": app.workspace_id("info-co").expect("workspace exists"),
        "workspace_name": "info-co",
    });
    for path in INFO_PATHS {
        for jwt in [&scoped, &widget_jwt] {
            let (status, _, body) = app.get(path, Some(jwt)).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body, expected);
        }
    }
}

#[tokio::test]
async fn region_id_must_be_a_known_region() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    for region in [json!(Uuid::new_v4()), json!("not-a-uuid"), json!(42)] {
        for path in [WIDGET_PATHS[0], SCOPED_PATHS[0]] {
            let name = unique("region");
            let (status, _, body) = app
                .post(
                    path,
                    Some(&token),
                    &json!({"workspace_name": name, "allowed_origin": ORIGIN, "region_id": region}),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {region}: {body}"
            );
            assert_error_shape(&body);
            assert_eq!(error_fields(&body), vec!["region_id".to_owned()], "{body}");
            assert_eq!(app.workspace_id(&name), None);
        }
    }
    // The EU region is accepted and recorded on the new workspace.
    let (_, decoded, _) = app
        .widget_token_with(
            &json!({"workspace_name": "eu-co", "allowed_origin": ORIGIN, "region_id": REGION_EU}),
        )
        .await;
    let id = workspace_in(&decoded.widget_url);
    let state = serde_json::to_value(app.state.store.snapshot()).expect("the state serialises");
    assert_eq!(
        state["workspaces"][id.to_string()]["region_id"],
        REGION_EU,
        "workspace stored in the EU"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_widget_tokens_for_one_new_name_make_one_workspace() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let name = unique("race");
    let body = json!({"workspace_name": name, "allowed_origin": ORIGIN});
    let requests = (0..64).map(|i| {
        let path = WIDGET_PATHS[i % 2];
        app.post(path, Some(&token), &body)
    });
    let replies = futures::future::join_all(requests).await;
    let mut workspaces = std::collections::BTreeSet::new();
    for (status, _, reply) in &replies {
        assert_eq!(*status, StatusCode::OK, "{reply}");
        let decoded =
            WidgetToken::decode(reply["token"].as_str().expect("token")).expect("decodes");
        workspaces.insert(workspace_in(&decoded.widget_url));
    }
    assert_eq!(
        workspaces.len(),
        1,
        "all 64 tokens name one workspace: {workspaces:?}"
    );

    let (status, _, list) = app
        .get(
            &format!("/api/v1/workspaces?name_contains={name}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let data = list["data"].as_array().expect("data");
    assert_eq!(data.len(), 1, "exactly one workspace: {list}");
    assert_eq!(uuid_of(&data[0]["id"]), *workspaces.first().expect("one"));
    let state = serde_json::to_value(app.state.store.snapshot()).expect("the state serialises");
    let stored = state["workspaces"]
        .as_object()
        .expect("workspaces")
        .values()
        .filter(|w| w["workspace"]["name"] == name.as_str())
        .count();
    assert_eq!(stored, 1);
}

/// The same property without HTTP in between, so the threads really meet at the lookup: a spin
/// barrier releases one thread per core at the same instant, a thousand times over. (Over loopback the
/// requests arrive too staggered to reliably race inside the store.)
#[tokio::test]
async fn the_store_creates_one_workspace_per_name_under_thread_contention() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let app = spawn_app().await;
    let region = Uuid::parse_str(airbyte_embedded::REGION_US).expect("region");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    const ROUNDS: usize = 1000;
    for round in 0..ROUNDS {
        let name = format!("contended-{round}");
        let ready = AtomicUsize::new(0);
        let ids: Vec<Uuid> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        ready.fetch_add(1, Ordering::SeqCst);
                        while ready.load(Ordering::SeqCst) < threads {
                            std::hint::spin_loop();
                        }
                        app.state.store.workspace_for(&name, region).0.id
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{name}: {ids:?}");
    }
    assert_eq!(app.counts().await["workspaces"], ROUNDS);
}
