//! Record and replay (`--proxy`, `--record`, `--replay`, `--replay-strict`): what the proxy
//! forwards and leaves to the mock, the 502 for an upstream that is down, the cassette after each
//! interaction, matching that survives a different client secret, the strict 404 naming the
//! nearest interaction, falling through to the stateful mock, and the start-up errors.

use std::path::PathBuf;

use airbyte_mock::testkit::{TempDir, assert_error_shape};
use airbyte_mock::{Config, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp, spawn_app, spawn_app_with};

fn proxy_config(upstream: &TestApp, cassette: Option<PathBuf>) -> Config {
    Config {
        proxy: Some(upstream.base.clone()),
        record: cassette,
        ..Config::default()
    }
}

fn read_cassette(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The journal of a mock: `(method, path, query)` of every request outside /_mock.
async fn journal(app: &TestApp) -> Vec<(String, String, Value)> {
    let (_, _, page) = app.get("/_mock/requests", None).await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
                e["query"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_proxy_forwards_api_requests_and_leaves_the_rest_to_the_mock() {
    let upstream = spawn_app().await;
    let proxy = spawn_app_with(proxy_config(&upstream, None)).await;

    // Through the proxy: the upstream's token, which the upstream accepts and the proxy would not
    // know (it signs with the same default key here, so check the answer came from upstream).
    let (status, headers, body) = proxy
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": "mock-client-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    let app = body["access_token"].as_str().unwrap().to_owned();
    let (status, _, list) = proxy
        .send(
            proxy
                .request(
                    reqwest::Method::GET,
                    "/api/v1/integrations/templates/sources?tags=a&tags_mode=any",
                    Some(&app),
                )
                .header("X-Organization-Id", upstream.organization_id().to_string())
                .header(reqwest::header::ORIGIN, ORIGIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let (status, _, widget) = proxy
        .post(
            "/api/v1/account/applications/widget-token",
            Some(&app),
            &json!({"workspace_name": "proxied", "allowed_origin": ORIGIN}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{widget}");
    // Widget tokens pass through untouched: the URL names the upstream's widget page.
    let decoded = airbyte_embedded::WidgetToken::decode(widget["token"].as_str().unwrap()).unwrap();
    assert!(
        decoded.widget_url.starts_with(&upstream.base),
        "{}",
        decoded.widget_url
    );
    // The workspace exists upstream, not in the proxy's own state.
    assert_eq!(upstream.counts().await["workspaces"], 1);
    assert_eq!(proxy.counts().await["workspaces"], 0);

    // Not Airbyte's API: the proxy's own widget script and control plane.
    let (status, _, script) = proxy.get_text("/widget.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains("AirbyteEmbeddedWidget"));

    let seen = journal(&upstream).await;
    assert_eq!(
        seen.iter()
            .map(|(m, p, _)| format!("{m} {p}"))
            .collect::<Vec<_>>(),
        [
            "POST /api/v1/account/applications/token",
            "GET /api/v1/integrations/templates/sources",
            "POST /api/v1/account/applications/widget-token",
        ],
        "only the API calls reached the upstream"
    );
    assert_eq!(seen[1].2, "tags=a&tags_mode=any", "the query went along");
    // The proxy's own journal (the control layer, outside the proxy) saw the proxied calls too.
    let own = journal(&proxy).await;
    assert!(
        own.iter()
            .any(|(_, p, _)| p == "/api/v1/account/applications/widget-token")
    );
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_naming_it() {
    // A port that was free a moment ago: bind, note it, release it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let proxy = spawn_app_with(Config {
        proxy: Some(down.clone()),
        ..Config::default()
    })
    .await;
    let (status, _, body) = proxy
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "a", "client_secret": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    let message = assert_error_shape(&body);
    assert!(message.contains(&down), "{message}");
    assert!(!message.contains("client_secret"), "{message}");
    // The mock's own routes still answer.
    assert_eq!(proxy.get("/_mock/health", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_cassette_is_complete_and_scrubbed_after_each_interaction() {
    let dir = TempDir::new("record");
    let cassette = dir.path().join("c.json");
    let upstream = spawn_app_with(Config {
        client_id: "live-client-id".into(),
        client_secret: "live-client-secret-value".into(),
        ..Config::default()
    })
    .await;
    // The proxy is not told the upstream's credentials: it learns them from the accepted request.
    let proxy = spawn_app_with(proxy_config(&upstream, Some(cassette.clone()))).await;
    let empty = read_cassette(&cassette);
    assert_eq!(empty["interactions"], json!([]), "created at start");

    let (status, _, body) = proxy
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "live-client-id", "client_secret": "live-client-secret-value"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = body["access_token"].as_str().unwrap().to_owned();
    let after_one = read_cassette(&cassette);
    assert_eq!(after_one["interactions"].as_array().unwrap().len(), 1);
    let request = &after_one["interactions"][0]["request"];
    assert_eq!(
        request["body"],
        json!({"client_id": "{{client-id}}", "client_secret": "{{client-secret}}"})
    );
    assert_eq!(
        after_one["interactions"][0]["response"]["body"]["access_token"],
        "{{jwt-1}}"
    );
    assert_eq!(after_one["tokens"]["{{jwt-1}}"]["tier"], "application");

    let scoped = {
        let (status, _, body) = proxy
            .post(
                "/api/v1/account/applications/scoped-token",
                Some(&app),
                &json!({"workspace_name": "recorded-user"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    };
    let text = std::fs::read_to_string(&cassette).unwrap();
    for secret in ["live-client-id", "live-client-secret-value", &app, &scoped] {
        assert!(!text.contains(secret), "in clear: {secret}");
    }
    let recorded: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        recorded["interactions"][1]["request"]["authorization"], "Bearer {{jwt-1}}",
        "the same token, the same placeholder"
    );
    assert!(!dir.path().join("c.json.tmp").exists());
}

/// Records a token, a scoped token and a source through a proxy, and returns the cassette.
async fn recorded_cassette(dir: &TempDir) -> PathBuf {
    let cassette = dir.path().join("replay.json");
    let upstream = spawn_app().await;
    let proxy = spawn_app_with(proxy_config(&upstream, Some(cassette.clone()))).await;
    let app = proxy.app_token().await;
    let (status, _, body) = proxy
        .post(
            "/api/v1/account/applications/scoped-token",
            Some(&app),
            &json!({"workspace_name": "contract-recorded-user"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scoped = body["token"].as_str().unwrap().to_owned();
    let (_, _, info) = proxy
        .get("/api/v1/embedded/scoped-token/info", Some(&scoped))
        .await;
    assert_eq!(info["workspace_name"], "contract-recorded-user");
    cassette
}

#[tokio::test]
async fn replay_answers_with_fresh_tokens_whatever_client_secret_it_was_recorded_with() {
    let dir = TempDir::new("replay");
    let cassette = recorded_cassette(&dir).await;
    // A replaying mock told a different client secret (say, the real one at replay time).
    let replay = spawn_app_with(Config {
        client_secret: "another-client-secret".into(),
        replay: Some(cassette.clone()),
        replay_strict: true,
        ..Config::default()
    })
    .await;
    let (status, headers, body) = replay
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": "another-client-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["x-mock-replayed"], "0");
    let app = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.split('.').count(), 3, "a real JWT, not the placeholder");
    // Our own workspace name (generated names, `contract-…`, match whatever their suffix), not
    // the recorded one, in the answers that follow.
    let (status, _, body) = replay
        .post(
            "/api/v1/account/applications/scoped-token",
            Some(&app),
            &json!({"workspace_name": "contract-my-own-user"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scoped = body["token"].as_str().unwrap().to_owned();
    let claims = airbyte_mock::testkit::jwt_claims(&scoped);
    assert_eq!(claims["act"]["sub"], "contract-my-own-user");
    let (status, _, info) = replay
        .get("/api/v1/embedded/scoped-token/info", Some(&scoped))
        .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["workspace_name"], "contract-my-own-user");
    // The control layer's journal saw the replayed calls with their token tiers.
    let (_, _, page) = replay.get("/_mock/requests", None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn strict_replay_names_the_nearest_interaction_and_how_it_differs() {
    let dir = TempDir::new("strict");
    let cassette = recorded_cassette(&dir).await;
    let strict = spawn_app_with(Config {
        replay: Some(cassette.clone()),
        replay_strict: true,
        ..Config::default()
    })
    .await;
    let app = strict.app_token().await;
    let (status, _, body) = strict
        .post(
            "/api/v1/account/applications/scoped-token",
            Some(&app),
            &json!({"workspace_name": "someone", "region_id": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let message = assert_error_shape(&body);
    assert!(
        message.contains(
            "nearest recorded interaction is #1 POST /api/v1/account/applications/scoped-token"
        ),
        "{message}"
    );
    assert!(
        message.contains("region_id: sent \"x\", not recorded"),
        "{message}"
    );
    let (status, _, body) = strict.get("/api/v1/embedded/scoped-token/info", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let message = assert_error_shape(&body);
    assert!(
        message.contains("sent no Authorization header (recorded a scoped token)"),
        "{message}"
    );

    // Without --replay-strict the stateful mock answers what the cassette lacks.
    let lenient = spawn_app_with(Config {
        replay: Some(cassette),
        ..Config::default()
    })
    .await;
    let app = lenient.app_token().await;
    let (status, headers, body) = lenient
        .post(
            "/api/v1/account/applications/scoped-token",
            Some(&app),
            &json!({"allowed_origin": ORIGIN}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(!headers.contains_key("x-mock-replayed"));
    assert_error_shape(&body);
}

#[tokio::test]
async fn bad_combinations_and_files_stop_the_start() {
    let dir = TempDir::new("flags");
    let start = |config: Config| async move {
        Server::bind(&Config {
            addr: ([127, 0, 0, 1], 0).into(),
            ..config
        })
        .await
        .map(|_| ())
        .expect_err("the start fails")
    };
    let cassette = dir.path().join("c.json");
    let cases = [
        (
            Config {
                record: Some(cassette.clone()),
                ..Config::default()
            },
            "--record needs --proxy",
        ),
        (
            Config {
                replay_strict: true,
                ..Config::default()
            },
            "--replay-strict needs --replay",
        ),
        (
            Config {
                proxy: Some("http://127.0.0.1:9".into()),
                replay: Some(cassette.clone()),
                ..Config::default()
            },
            "exclude each other",
        ),
        (
            Config {
                proxy: Some("https://api.airbyte.ai/api/v1".into()),
                ..Config::default()
            },
            "give the API's origin only",
        ),
        (
            Config {
                proxy: Some("ftp://example.com".into()),
                ..Config::default()
            },
            "an http or https URL",
        ),
        (
            Config {
                replay: Some(dir.path().join("missing.json")),
                ..Config::default()
            },
            "missing.json: cannot read it",
        ),
        (
            Config {
                proxy: Some("http://127.0.0.1:9".into()),
                record: Some(dir.path().join("no/such/dir/c.json")),
                ..Config::default()
            },
            "cannot write the cassette",
        ),
    ];
    for (config, expected) in cases {
        let error = start(config).await;
        assert!(error.contains(expected), "{expected}: {error}");
    }
    std::fs::write(
        &cassette,
        r#"{"format": "something-else/9", "upstream": ""}"#,
    )
    .unwrap();
    let error = start(Config {
        replay: Some(cassette),
        ..Config::default()
    })
    .await;
    assert!(
        error.contains("is not 'airbyte-mock-cassette/1'"),
        "{error}"
    );
}

#[tokio::test]
async fn a_browser_preflight_and_its_cors_headers_are_recorded_and_replayed() {
    let dir = TempDir::new("cors");
    let cassette = dir.path().join("cors.json");
    let preflight = |app: &TestApp| {
        app.request(reqwest::Method::OPTIONS, "/api/v1/embedded/sources", None)
            .header(reqwest::header::ORIGIN, ORIGIN)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
    };
    let recorded = {
        let upstream = spawn_app().await;
        let proxy = spawn_app_with(proxy_config(&upstream, Some(cassette.clone()))).await;
        // A widget token for ORIGIN, through the proxy, lets the upstream allow that origin.
        proxy.widget_token("contract-cors", ORIGIN).await;
        let (status, headers, _) = proxy.send(preflight(&proxy)).await;
        assert!(status.is_success(), "{status}");
        headers
    };
    assert_eq!(recorded["access-control-allow-origin"], ORIGIN);

    let replay = spawn_app_with(Config {
        replay: Some(cassette.clone()),
        replay_strict: true,
        ..Config::default()
    })
    .await;
    let (status, headers, _) = replay.send(preflight(&replay)).await;
    assert!(status.is_success(), "{status}");
    assert!(headers.contains_key("x-mock-replayed"));
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        assert_eq!(headers.get(name), recorded.get(name), "{name}");
    }
}
