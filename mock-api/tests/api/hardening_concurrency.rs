//! Hardening: many clients at once. A burst of widget-token requests for one new name makes exactly
//! one workspace, and a thousand source creations across ten workspaces are all kept and listed.

use std::collections::BTreeSet;

use airbyte_embedded::WidgetToken;
use airbyte_mock::testkit::unique;
use futures::StreamExt as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, sample_config, spawn_app};

/// How many requests may be on the wire at once: all of them, unless the open-file limit is too low
/// for one socket per request on each side (client and server share this process).
fn max_in_flight(wanted: usize) -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|n| n.parse::<usize>().ok());
    match soft {
        // Two sockets per request, and the rest of the suite runs in parallel in this process.
        Some(n) if n < wanted * 4 => {
            let cap = (n / 4).max(16);
            eprintln!("open-file limit {n}: at most {cap} of {wanted} requests in flight at once");
            cap
        }
        _ => wanted,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_widget_tokens_for_one_new_name_make_one_workspace() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let name = unique("stampede");
    let before = app.counts().await["workspaces"].as_u64().unwrap();
    let paths = [
        "/api/v1/account/applications/widget-token",
        "/api/v1/embedded/widget-token",
    ];
    let body = json!({"workspace_name": name, "allowed_origin": ORIGIN});
    let replies: Vec<_> = futures::stream::iter(0..200)
        .map(|i| {
            let request = app
                .request(reqwest::Method::POST, paths[i % 2], Some(&operator))
                .json(&body);
            app.send(request)
        })
        .buffer_unordered(max_in_flight(200))
        .collect()
        .await;
    assert_eq!(replies.len(), 200);
    let mut workspaces = BTreeSet::new();
    for (status, _, reply) in &replies {
        assert_eq!(*status, StatusCode::OK, "{reply}");
        let decoded = WidgetToken::decode(reply["token"].as_str().expect("a token"))
            .expect("the widget token decodes");
        let jwt = decoded.token.expect("a scoped JWT inside");
        let claims = airbyte_mock::testkit::jwt_claims(&jwt);
        workspaces.insert(
            claims["io.airbyte.auth.workspace_scope"]["workspaceId"]
                .as_str()
                .expect("the token names its workspace")
                .to_owned(),
        );
    }
    assert_eq!(
        workspaces.len(),
        1,
        "200 tokens, one workspace: {workspaces:?}"
    );

    // The operator API agrees: one workspace by that name, and one more workspace in all.
    let (status, _, list) = app
        .get(
            &format!("/api/v1/workspaces?name_contains={name}&limit=100"),
            Some(&operator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let data = list["data"].as_array().expect("a data array");
    assert_eq!(data.len(), 1, "exactly one workspace named {name}: {list}");
    assert_eq!(data[0]["name"], name.as_str());
    assert_eq!(
        Some(data[0]["id"].as_str().expect("an id").to_owned()),
        workspaces.into_iter().next()
    );
    assert_eq!(app.counts().await["workspaces"].as_u64(), Some(before + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_parallel_source_creations_across_ten_workspaces_are_all_kept() {
    const WORKSPACES: usize = 10;
    const PER_WORKSPACE: usize = 100;
    let app = spawn_app().await;
    let before = app.counts().await["sources"].as_u64().unwrap();
    let mut scoped = Vec::new();
    for w in 0..WORKSPACES {
        scoped.push(app.scoped_token(&unique(&format!("load-{w}"))).await);
    }
    let templates = ["Stripe", "Postgres", "Sample Data (Faker)"];
    let jobs: Vec<(usize, String, Value)> = (0..WORKSPACES * PER_WORKSPACE)
        .map(|i| {
            let w = i % WORKSPACES;
            let template = templates[i % templates.len()];
            let name = format!("parallel-{w}-{i}");
            let body = json!({
                "name": name,
                "source_template_id": app.template_id(template),
                "source_config": sample_config(template),
            });
            (w, name, body)
        })
        .collect();
    let app_ref = &app;
    let replies: Vec<_> = futures::stream::iter(jobs.iter())
        .map(|(w, name, body)| {
            let app = app_ref;
            let request = app
                .request(
                    reqwest::Method::POST,
                    "/api/v1/embedded/sources",
                    Some(&scoped[*w]),
                )
                .json(body);
            async move { (*w, name.clone(), app.send(request).await) }
        })
        .buffer_unordered(max_in_flight(jobs.len()))
        .collect()
        .await;

    let mut created: Vec<BTreeSet<String>> = vec![BTreeSet::new(); WORKSPACES];
    let mut ids = BTreeSet::new();
    for (w, name, (status, _, reply)) in &replies {
        assert_eq!(*status, StatusCode::OK, "{name}: {reply}");
        assert_eq!(reply["name"], name.as_str(), "{reply}");
        assert!(
            ids.insert(reply["id"].as_str().expect("an id").to_owned()),
            "two sources got one id: {reply}"
        );
        created[*w].insert(name.clone());
    }
    assert_eq!(ids.len(), WORKSPACES * PER_WORKSPACE);

    // Every workspace lists exactly its hundred, none lost and none from another workspace.
    for (w, token) in scoped.iter().enumerate() {
        let (status, _, list) = app.get("/api/v1/embedded/sources", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let listed: BTreeSet<String> = list["data"]
            .as_array()
            .expect("a data array")
            .iter()
            .map(|s| s["name"].as_str().expect("a name").to_owned())
            .collect();
        assert_eq!(listed, created[w], "workspace {w} lists what it created");
        assert_eq!(listed.len(), PER_WORKSPACE);
    }
    assert_eq!(
        app.counts().await["sources"].as_u64(),
        Some(before + (WORKSPACES * PER_WORKSPACE) as u64)
    );
}
