//! `PUT`/`DELETE /api/v1/workspaces/{id}` and `GET /api/v1/workspaces/stats`, validated against the
//! published document, with the delete cascading to sources, connections and jobs.

use airbyte_mock::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ORIGIN, TestApp, sample_config, spawn_app_with};

const ONE: &str = "/api/v1/workspaces/{workspace_id}";
const STATS: &str = "/api/v1/workspaces/stats";

pub(crate) async fn still_app() -> TestApp {
    spawn_app_with(Config {
        time_scale: 0.0,
        ..Config::default()
    })
    .await
}

fn conforms(
    method: &str,
    path: &str,
    reply: &(StatusCode, reqwest::header::HeaderMap, Value),
    status: u16,
) {
    assert_eq!(reply.0.as_u16(), status, "{method} {path}: {}", reply.2);
    if let Err(problems) = airbyte_openapi::check_response(method, path, status, &reply.2) {
        panic!("{method} {path} {status}: {problems:?}: {}", reply.2);
    }
}

fn error_conforms(
    reply: &(StatusCode, reqwest::header::HeaderMap, Value),
    status: u16,
    field: &str,
) {
    assert_eq!(reply.0.as_u16(), status, "{}", reply.2);
    let v = airbyte_openapi::schema_validator("ApiErrorResponse").unwrap();
    assert!(
        airbyte_openapi::problems(&v, &reply.2).is_empty(),
        "{}",
        reply.2
    );
    assert_eq!(reply.2["errors"][0]["field"], field, "{}", reply.2);
}

#[tokio::test]
async fn stats_count_active_and_inactive_and_are_not_taken_for_an_id() {
    let app = still_app().await;
    let token = app.app_token().await;
    let reply = app.get(STATS, Some(&token)).await;
    conforms("get", STATS, &reply, 200);
    assert_eq!(
        reply.2,
        json!({"active_count": 0, "inactive_count": 0, "total_count": 0})
    );
    for name in ["ops-a", "ops-b", "ops-c"] {
        app.widget_token(name, ORIGIN).await;
    }
    let id = app.workspace_id("ops-b").unwrap();
    let reply = app
        .put(
            &format!("/api/v1/workspaces/{id}"),
            Some(&token),
            &json!({"status": "inactive"}),
        )
        .await;
    conforms("put", ONE, &reply, 200);
    assert_eq!(reply.2["status"], "inactive");
    let reply = app.get(STATS, Some(&token)).await;
    conforms("get", STATS, &reply, 200);
    assert_eq!(
        reply.2,
        json!({"active_count": 2, "inactive_count": 1, "total_count": 3})
    );
    // Without a token: 401 like every operator route.
    assert_eq!(app.get(STATS, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn update_renames_and_refuses_bad_input_naming_the_field() {
    let app = still_app().await;
    let token = app.app_token().await;
    app.widget_token("ren-a", ORIGIN).await;
    app.widget_token("ren-b", ORIGIN).await;
    let id = app.workspace_id("ren-a").unwrap();
    let path = format!("/api/v1/workspaces/{id}");
    let reply = app
        .put(
            &path,
            Some(&token),
            &json!({"name": "ren-a2", "cache_enabled": true}),
        )
        .await;
    conforms("put", ONE, &reply, 200);
    assert_eq!(reply.2["name"], "ren-a2");
    assert_eq!(reply.2["cache_enabled"], true);
    assert_eq!(app.workspace_id("ren-a2"), Some(id));
    assert_eq!(app.workspace_id("ren-a"), None);
    // GET shows the change.
    assert_eq!(app.get(&path, Some(&token)).await.2["name"], "ren-a2");

    let reply = app
        .put(&path, Some(&token), &json!({"status": "deleted"}))
        .await;
    error_conforms(&reply, 422, "status");
    // (A blank name is a warning by default, the 422 under --strict: see `strictness.rs`.)
    let reply = app
        .put(&path, Some(&token), &json!({"name": "ren-b"}))
        .await;
    error_conforms(&reply, 422, "name");
    let unknown = format!("/api/v1/workspaces/{}", Uuid::new_v4());
    let reply = app.put(&unknown, Some(&token), &json!({"name": "x"})).await;
    assert_eq!(reply.0, StatusCode::NOT_FOUND, "{}", reply.2);
}

#[tokio::test]
async fn delete_cascades_to_sources_connections_and_jobs() {
    let app = still_app().await;
    let token = app.app_token().await;
    let scoped = app.scoped_token("del-ws").await;
    app.create_source(&scoped, "GitHub", &sample_config("GitHub"))
        .await;
    let keep = app.scoped_token("keep-ws").await;
    app.create_source(&keep, "Stripe", &sample_config("Stripe"))
        .await;
    let (_, _, state) = app.get("/_mock/state", None).await;
    assert_eq!(state["connections"].as_array().unwrap().len(), 2);
    assert_eq!(state["jobs"].as_array().unwrap().len(), 2);

    let id = app.workspace_id("del-ws").unwrap();
    let path = format!("/api/v1/workspaces/{id}");
    let reply = app.delete(&path, Some(&token)).await;
    conforms("delete", ONE, &reply, 200);
    assert_eq!(reply.2["id"], id.to_string());
    assert_eq!(app.workspace_id("del-ws"), None);
    let (_, _, state) = app.get("/_mock/state", None).await;
    assert_eq!(state["sources"].as_array().unwrap().len(), 1);
    assert_eq!(state["connections"].as_array().unwrap().len(), 1);
    assert_eq!(state["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&path, Some(&token)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&path, Some(&token)).await.0,
        StatusCode::NOT_FOUND
    );
    // The name is free again: a new token makes a new workspace.
    app.scoped_token("del-ws").await;
    assert_ne!(app.workspace_id("del-ws"), Some(id));
}

/// Found by schemathesis (`just schemathesis`): `WorkspaceUpdateRequest` does not forbid other
/// properties, so an update carrying one is applied, not refused with a 422.
#[tokio::test]
async fn an_update_with_an_unknown_field_ignores_it() {
    let app = still_app().await;
    let token = app.app_token().await;
    app.scoped_token("extra-ws").await;
    let id = app.workspace_id("extra-ws").unwrap();
    let path = format!("/api/v1/workspaces/{id}");
    let reply = app
        .put(
            &path,
            Some(&token),
            &json!({"name": "extra-ws-renamed", "x-unknown": {"nested": [1, 2]}}),
        )
        .await;
    conforms("put", ONE, &reply, 200);
    assert_eq!(reply.2["name"], "extra-ws-renamed");
}
