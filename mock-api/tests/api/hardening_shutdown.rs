//! Hardening: a graceful shutdown with requests in flight loses none of them. A fault rule with a
//! delay holds reads and writes inside the server; the shutdown is triggered while they wait; every
//! one gets its whole answer, the writes are kept, and only then does the server stop.

use std::time::{Duration, Instant};

use airbyte_mock::{Config, Server};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DELAY_MS: u64 = 1500;
const READS: usize = 24;
const WRITES: usize = 16;
const TAGS: &str = "/api/v1/integrations/templates/tags";
const TEMPLATES: &str = "/api/v1/integrations/templates/sources";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_all_get_their_whole_answer() {
    let config = Config {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Config::default()
    };
    let server = Server::bind(&config).await.expect("bind the mock");
    let base = format!("http://{}", server.local_addr());
    let state = server.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let token: Value = client
        .post(format!("{base}/api/v1/account/applications/token"))
        .json(&json!({"client_id": config.client_id, "client_secret": config.client_secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (_, templates_before) = get(&client, &format!("{base}{TEMPLATES}"), &token).await;
    let template_count = templates_before["data"].as_array().unwrap().len();
    let tags_before = state.store.counts();

    // Every request to these two paths waits inside the server before it is handled.
    for path in [TAGS, TEMPLATES] {
        let rule = client
            .post(format!("{base}/_mock/faults"))
            .json(&json!({"path": path, "delay_ms": DELAY_MS}))
            .send()
            .await
            .unwrap();
        assert_eq!(rule.status(), StatusCode::CREATED);
    }

    let started = Instant::now();
    let reads = (0..READS).map(|_| {
        let client = client.clone();
        let url = format!("{base}{TEMPLATES}");
        let token = token.clone();
        tokio::spawn(async move { get(&client, &url, &token).await })
    });
    let writes = (0..WRITES).map(|i| {
        let client = client.clone();
        let url = format!("{base}{TAGS}");
        let token = token.clone();
        tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("shutdown-tag-{i}")}))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body: Value = response.json().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, body))
        })
    });
    let reads: Vec<_> = reads.collect();
    let writes: Vec<_> = writes.collect();

    // Wait until every request is inside the server (each one fired its rule), then stop it.
    let deadline = Instant::now() + Duration::from_millis(DELAY_MS - 300);
    loop {
        let rules: Value = client
            .get(format!("{base}/_mock/faults"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let fired: u64 = rules["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["fired"].as_u64().unwrap_or(0))
            .sum();
        if fired as usize == READS + WRITES {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {fired} of {} requests reached the server in time",
            READS + WRITES
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    let shutdown_at = started.elapsed();
    assert!(
        shutdown_at < Duration::from_millis(DELAY_MS),
        "the shutdown came after the delays ended ({shutdown_at:?}): nothing was in flight"
    );

    // Every read has its whole list, every write its tag.
    for (i, read) in join_all(reads).await.into_iter().enumerate() {
        let (status, body) = read.unwrap();
        assert_eq!(status, StatusCode::OK, "read {i}: {body}");
        assert_eq!(
            body["data"].as_array().map(Vec::len),
            Some(template_count),
            "read {i}: {body}"
        );
    }
    let mut names = Vec::new();
    for (i, write) in join_all(writes).await.into_iter().enumerate() {
        let (status, body) = write
            .unwrap()
            .unwrap_or_else(|e| panic!("write {i} lost: {e}"));
        assert!(status.is_success(), "write {i}: {status} {body}");
        names.push(body["name"].as_str().unwrap_or_default().to_owned());
    }
    names.sort();
    let mut expected: Vec<String> = (0..WRITES).map(|i| format!("shutdown-tag-{i}")).collect();
    expected.sort();
    assert_eq!(names, expected);
    assert!(started.elapsed() >= Duration::from_millis(DELAY_MS));

    // The server then stops by itself, cleanly, and the writes are in its state.
    let outcome = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the server stops once its requests are answered")
        .expect("the server task did not panic");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        state.store.counts().tags,
        tags_before.tags + WRITES,
        "every acknowledged write is kept"
    );
    // And it no longer accepts connections.
    let after = client.get(format!("{base}/_mock/health")).send().await;
    assert!(after.is_err(), "the listener is closed: {after:?}");
}

/// A GET with a bearer token; a dropped connection or a cut body panics with the reason.
async fn get(client: &reqwest::Client, url: &str, token: &str) -> (StatusCode, Value) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: no answer: {e}"));
    let status = response.status();
    let body = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("{url}: the answer broke off: {e}"));
    (status, body)
}
