//! The request journal: `GET`/`DELETE /_mock/requests`, its filters and bound, the live stream, and
//! that no secret or token ever reaches it.

use std::time::Duration;

use airbyte_mock::{Config, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CLIENT_SECRET, ORIGIN, TestApp, sample_config, spawn_app};

/// The journal's entries, oldest first.
async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, _, body) = app.get(&format!("/_mock/requests{query}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().expect("data is a list").clone()
}

#[tokio::test]
async fn every_request_is_recorded_with_its_shape() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let jwt = app.scoped_token("journal-co").await;
    app.get(
        "/api/v1/integrations/templates/sources?limit=2",
        Some(&operator),
    )
    .await;
    app.get("/api/v1/embedded/source-templates", Some(&jwt))
        .await;
    app.get("/no/such/route", None).await;
    app.get("/_mock/health", None).await;

    let entries = entries(&app, "").await;
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v1/account/applications/token",
            "/api/v1/account/applications/token",
            "/api/v1/account/applications/scoped-token",
            "/api/v1/integrations/templates/sources",
            "/api/v1/embedded/source-templates",
            "/no/such/route",
        ],
        "every request but the control plane's own, in order"
    );
    let ids: Vec<u64> = entries.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for entry in &entries {
        let keys: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "fault",
                "id",
                "latency_ms",
                "method",
                "path",
                "query",
                "request_body",
                "response_body",
                "status",
                "time",
                "token_kind",
                "workspace",
            ]
        );
        assert!(entry["latency_ms"].as_f64().unwrap() >= 0.0);
        assert!(entry["fault"].is_null());
        let time = entry["time"].as_str().unwrap();
        assert!(
            time.starts_with("20") && time.ends_with('Z') && time.contains('T'),
            "{time}"
        );
    }

    let token = &entries[0];
    assert_eq!(token["method"], "POST");
    assert_eq!(token["status"], 200);
    assert_eq!(token["token_kind"], "none");
    assert_eq!(token["request_body"]["client_id"], "mock-client-id");
    assert_eq!(token["request_body"]["client_secret"], "**********");
    assert_eq!(token["response_body"]["access_token"], "**********");

    let scoped = &entries[2];
    assert_eq!(scoped["token_kind"], "application");
    assert_eq!(
        scoped["workspace"], "journal-co",
        "from the operator's body"
    );

    let operator_list = &entries[3];
    assert_eq!(operator_list["method"], "GET");
    assert_eq!(operator_list["query"], "limit=2");
    assert_eq!(operator_list["token_kind"], "application");
    assert!(operator_list["workspace"].is_null());
    assert!(operator_list["request_body"].is_null());
    assert!(operator_list["response_body"]["data"].is_array());

    let end_user = &entries[4];
    assert_eq!(end_user["token_kind"], "scoped");
    assert_eq!(end_user["workspace"], "journal-co", "from the scoped token");
    assert!(end_user["query"].is_null());

    let missing = &entries[5];
    assert_eq!(missing["status"], 404);
    assert_eq!(
        missing["response_body"]["errors"][0]["error_code"],
        "not_found"
    );
}

#[tokio::test]
async fn filters_select_by_path_method_status_since_and_limit() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    for _ in 0..3 {
        app.get("/api/v1/integrations/templates/tags", Some(&operator))
            .await;
    }
    app.get("/api/v1/integrations/templates/tags", None).await;
    app.get("/nowhere", None).await;

    let all = entries(&app, "").await;
    assert_eq!(all.len(), 6);
    assert_eq!(entries(&app, "?path=/api/v1/integrations").await.len(), 4);
    assert_eq!(entries(&app, "?method=post").await.len(), 1);
    assert_eq!(entries(&app, "?method=GET&status=200").await.len(), 3);
    assert_eq!(entries(&app, "?status=4xx").await.len(), 2);
    assert_eq!(entries(&app, "?status=401").await.len(), 1);

    let third = all[2]["id"].as_u64().unwrap();
    let since = entries(&app, &format!("?since={third}")).await;
    assert_eq!(since.len(), 3);
    assert_eq!(since[0]["id"], all[3]["id"]);
    let page = entries(&app, &format!("?since={third}&limit=1")).await;
    assert_eq!(page.len(), 1, "since + limit pages forward");
    assert_eq!(page[0]["id"], all[3]["id"]);
    let latest = entries(&app, "?limit=2").await;
    assert_eq!(latest.len(), 2, "limit alone keeps the latest");
    assert_eq!(latest[1]["id"], all[5]["id"]);

    let first_time = all[0]["time"].as_str().unwrap();
    assert_eq!(
        entries(&app, &format!("?since={first_time}")).await.len(),
        6
    );
    assert!(
        entries(&app, "?since=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );

    for (query, field) in [
        ("status=abc", "status"),
        ("status=9xx", "status"),
        ("since=yesterday", "since"),
        ("limit=-1", "limit"),
    ] {
        let (status, _, body) = app.get(&format!("/_mock/requests?{query}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        airbyte_mock::testkit::assert_error_shape(&body);
        assert_eq!(
            airbyte_mock::testkit::error_fields(&body),
            [field],
            "{query}"
        );
    }
}

#[tokio::test]
async fn the_journal_is_bounded_and_counts_what_it_dropped() {
    let server = TestServer::with(Config {
        journal_size: 3,
        ..Config::default()
    })
    .await;
    let client = server.client();
    for i in 0..5 {
        client
            .get(format!("{}/nowhere/{i}", server.url()))
            .send()
            .await
            .unwrap();
    }
    let page: Value = client
        .get(format!("{}/_mock/requests", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["capacity"], 3);
    assert_eq!(page["dropped"], 2);
    let paths: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/nowhere/2", "/nowhere/3", "/nowhere/4"]);
}

#[tokio::test]
async fn delete_empties_the_journal_and_ids_keep_increasing() {
    let app = spawn_app().await;
    app.get("/nowhere", None).await;
    let before = entries(&app, "").await;
    let (status, _, body) = app.delete("/_mock/requests", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, page) = app.get("/_mock/requests", None).await;
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["dropped"], 0);
    assert_eq!(page["capacity"], 1000, "the default size");
    app.get("/nowhere", None).await;
    let after = entries(&app, "").await;
    assert!(after[0]["id"].as_u64() > before[0]["id"].as_u64());
}

#[tokio::test]
async fn the_stream_delivers_new_entries_as_server_sent_events() {
    let app = spawn_app().await;
    let mut stream = app
        .client
        .get(app.url("/_mock/requests/stream?path=/streamed"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    app.get("/not-streamed", None).await;
    app.get("/streamed/here", None).await;

    let mut text = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while !text.contains("\n\n") {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(read.is_ok(), "no event within 10 s; got {text:?}");
    let event = text.split("\n\n").next().unwrap();
    assert!(event.contains("event: request"), "{event}");
    let data = event
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .expect("a data line");
    let entry: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        entry["path"], "/streamed/here",
        "the filter skipped the other"
    );
    assert_eq!(entry["status"], 404);
}

/// The client secret, sources' secrets and every token issued: sent and received through every
/// path the mock has, then searched for in the serialised journal.
#[tokio::test]
async fn no_secret_or_token_reaches_the_journal() {
    let app = spawn_app().await;
    let mut secrets: Vec<String> = vec![CLIENT_SECRET.to_owned()];

    let operator = app.app_token().await;
    secrets.push(operator.clone());
    let (_, _, legacy) = app
        .post(
            "/v1/applications/token",
            None,
            &json!({"client_id": "mock-client-id", "client_secret": CLIENT_SECRET}),
        )
        .await;
    secrets.push(legacy["access_token"].as_str().unwrap().to_owned());
    let (widget, _, jwt) = app.widget_token("secret-co", ORIGIN).await;
    secrets.push(widget.clone());
    secrets.push(jwt.clone());
    let scoped = app.scoped_token("secret-co").await;
    secrets.push(scoped.clone());

    for template in [
        "Stripe",
        "Postgres",
        "Salesforce",
        "Google Sheets",
        "GitHub",
        "HubSpot",
    ] {
        let config = sample_config(template);
        app.create_source(&jwt, template, &config).await;
        for (key, value) in config.as_object().unwrap() {
            if [
                "client_secret",
                "password",
                "refresh_token",
                "service_account_info",
            ]
            .contains(&key.as_str())
            {
                secrets.push(value.as_str().unwrap().to_owned());
            }
        }
    }
    secrets.push("ghp_sampleToken123".into());
    secrets.push("pat-na1-sample".into());
    // A token in a query string, a widget token as a bearer, a token in a body field of any name.
    app.get(
        &format!("/api/v1/embedded/source-templates?token={widget}&access_token={scoped}"),
        Some(&scoped),
    )
    .await;
    app.get("/api/v1/embedded/source-templates", Some(&widget))
        .await;
    app.post(
        "/api/v1/account/applications/scoped-token",
        Some(&operator),
        &json!({"workspace_name": "secret-co", "note": format!("Bearer {jwt}"), "scopedAuthToken": jwt}),
    )
    .await;
    // A body that is not JSON.
    app.send(
        app.request(reqwest::Method::POST, "/v1/applications/token", None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "client_id=mock-client-id&client_secret={CLIENT_SECRET}"
            )),
    )
    .await;

    let (_, _, journal) = app.get("/_mock/requests", None).await;
    let text = journal.to_string();
    assert!(journal["data"].as_array().unwrap().len() > 15);
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the journal holds a secret or token ({}…)",
            &secret[..secret.len().min(12)]
        );
    }
    assert!(text.contains("**********"));
}

#[tokio::test]
async fn bodies_are_capped_and_an_oversized_one_is_not_recorded() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let padding = "x".repeat(100 * 1024);
    app.post(
        "/api/v1/integrations/templates/tags",
        Some(&operator),
        &json!({"name": "capped", "padding": padding}),
    )
    .await;
    let entry = &entries(&app, "?path=/api/v1/integrations/templates/tags").await[0];
    let recorded = entry["request_body"]
        .as_str()
        .expect("a capped body is text");
    assert!(recorded.starts_with("{\""), "{}", &recorded[..40]);
    assert!(recorded.len() < 70 * 1024, "{}", recorded.len());
    assert!(
        recorded.ends_with(" bytes in all]") && recorded.contains("[truncated: "),
        "{}",
        &recorded[recorded.len() - 60..]
    );

    let huge = "y".repeat(2 * 1024 * 1024);
    let (status, _, body) = app
        .post(
            "/api/v1/integrations/templates/tags",
            Some(&operator),
            &json!({"name": huge}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "the handler's own limit: {body}"
    );
    let entry = entries(&app, "?status=413").await;
    assert!(
        entry[0]["request_body"]
            .as_str()
            .unwrap()
            .starts_with("[not recorded"),
        "{}",
        entry[0]["request_body"]
    );
}

/// An open stream must not hold up a graceful shutdown: it ends, and the server stops.
#[tokio::test]
async fn an_open_stream_ends_when_the_server_shuts_down() {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    let server = airbyte_mock::Server::bind(&config).await.unwrap();
    let url = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut stream = client
        .get(format!("{url}/_mock/requests/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while stream.chunk().await.unwrap_or(None).is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream did not end");
    let finished = tokio::time::timeout(Duration::from_secs(10), running).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "the server did not stop: {finished:?}"
    );
}
