//! `POST /api/v1/integrations/connectors/{id}/execute`: list, get and search on a connected
//! source's simulated entities, every success validated against the published document, each
//! documented error, and the same records for the same seed on another server.

use airbyte_mock::Config;
use airbyte_mock::testkit::{assert_error_shape, error_for, unique};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp, sample_config, spawn_app, spawn_app_with};

const PATH: &str = "/api/v1/integrations/connectors/{id}/execute";

fn path(id: &str) -> String {
    format!("/api/v1/integrations/connectors/{id}/execute")
}

/// Asserts a 200 whose body is a `ConnectorExecuteResponse` per the published document.
fn assert_success(reply: &Reply) -> &Value {
    let (status, _, body) = reply;
    assert_eq!(*status, StatusCode::OK, "{body}");
    if let Err(problems) = airbyte_openapi::check_response("post", PATH, 200, body) {
        panic!(
            "execute 200 does not match the published schema:\n{}\nbody: {body}",
            problems.join("\n")
        );
    }
    assert_eq!(body["status"], "success");
    &body["result"]
}

/// Asserts `status` with Airbyte's error shape, valid under the document's schema for it when the
/// operation declares one; returns the message.
fn assert_error(reply: &Reply, status: u16) -> String {
    let (got, _, body) = reply;
    assert_eq!(got.as_u16(), status, "{body}");
    if airbyte_openapi::response_validator("post", PATH, status).is_ok() {
        assert_eq!(
            airbyte_openapi::check_response("post", PATH, status, body),
            Ok(())
        );
    }
    assert_error_shape(body)
}

/// A source of `template` in workspace `workspace`, created by the end user; its id.
async fn source(app: &TestApp, workspace: &str, template: &str, config: &Value) -> String {
    let scoped = app.scoped_token(workspace).await;
    let created = app.create_source(&scoped, template, config).await;
    created["id"].as_str().unwrap().to_owned()
}

async fn execute(app: &TestApp, token: &str, id: &str, body: &Value) -> Reply {
    app.post(&path(id), Some(token), body).await
}

#[tokio::test]
async fn list_pages_with_a_cursor_through_every_record_once() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = source(&app, &unique("exec"), "Stripe", &sample_config("Stripe")).await;
    let mut cursor = Value::Null;
    let mut ids = Vec::new();
    loop {
        let body = json!({"entity": "customers", "action": "list",
                          "params": {"limit": 40, "cursor": cursor}});
        let reply = execute(&app, &token, &id, &body).await;
        let result = assert_success(&reply).clone();
        let page = result["data"].as_array().unwrap();
        assert!(page.len() <= 40);
        for customer in page {
            assert!(customer["id"].as_str().unwrap().starts_with("cus_"));
            assert_eq!(customer["object"], "customer");
            assert!(customer["email"].as_str().unwrap().contains('@'));
            ids.push(customer["id"].clone());
        }
        let meta = &reply.2["execution_metadata"];
        assert_eq!(meta["connector_instance_id"], id.as_str());
        assert_eq!(
            reply.2["connector_metadata"]["connector_name"],
            "source-stripe"
        );
        if result["meta"]["has_next_page"] == false {
            break;
        }
        cursor = result["meta"]["end_cursor"].clone();
    }
    assert_eq!(ids.len(), 150);
    let distinct: std::collections::HashSet<_> = ids.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), 150, "no record twice");
}

#[tokio::test]
async fn get_and_search_on_each_seeded_connector() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let workspace = unique("exec");
    for (template, entity, field) in [
        ("GitHub", "issues", "state"),
        ("Stripe", "charges", "status"),
        ("HubSpot", "contacts", "properties.lifecyclestage"),
        ("Postgres", "orders", "status"),
        ("Google Sheets", "Sheet1", "Region"),
        ("Salesforce", "Opportunity", "StageName"),
        ("Sample Data (Faker)", "users", "title"),
    ] {
        let id = source(&app, &workspace, template, &sample_config(template)).await;
        let list = json!({"entity": entity, "action": "list", "params": {"limit": 3}});
        let reply = execute(&app, &token, &id, &list).await;
        let first = assert_success(&reply)["data"][0].clone();
        assert!(first.is_object(), "{template} {entity}: {first}");

        // get by the id the list showed
        let id_field = first
            .as_object()
            .unwrap()
            .keys()
            .find(|k| ["id", "Id", "row_number"].contains(&k.as_str()));
        let id_field = id_field.unwrap_or_else(|| panic!("{template}: no id in {first}"));
        let get = json!({"entity": entity, "action": "get", "params": {"id": first[id_field]}});
        let reply = execute(&app, &token, &id, &get).await;
        assert_eq!(assert_success(&reply), &first, "{template} {entity}");

        // search by the value one field has in that record
        let value = field.split('.').fold(&first, |v, k| &v[k]).clone();
        let search = json!({"entity": entity, "action": "search",
                            "params": {"query": {"filter": {"eq": {field: value}}}, "limit": 100}});
        let reply = execute(&app, &token, &id, &search).await;
        let found = assert_success(&reply)["data"].as_array().unwrap().clone();
        assert!(
            found.contains(&first),
            "{template} {entity}: {field} = {value}"
        );
        assert!(
            found
                .iter()
                .all(|r| field.split('.').fold(r, |v, k| &v[k]) == &value)
        );
    }
}

#[tokio::test]
async fn select_fields_trims_each_record() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = source(&app, &unique("exec"), "GitHub", &sample_config("GitHub")).await;
    let body = json!({"entity": "issues", "action": "list", "params": {"limit": 5},
                      "select_fields": ["number", "title", "user.login"]});
    let reply = execute(&app, &token, &id, &body).await;
    for issue in assert_success(&reply)["data"].as_array().unwrap() {
        let mut keys: Vec<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["number", "title", "user"]);
        assert_eq!(issue["user"].as_object().unwrap().len(), 1);
    }
    let list = json!({"entity": "repositories", "action": "list", "params": {"limit": 1}});
    let reply = execute(&app, &token, &id, &list).await;
    let repo_id = assert_success(&reply)["data"][0]["id"].clone();
    let get = json!({"entity": "repositories", "action": "get", "params": {"id": repo_id},
                     "select_fields": ["full_name"]});
    let reply = execute(&app, &token, &id, &get).await;
    let repo = assert_success(&reply);
    assert_eq!(repo.as_object().unwrap().len(), 1);
    assert!(repo["full_name"].as_str().unwrap().contains('/'));
}

#[tokio::test]
async fn an_unknown_entity_or_action_is_400_naming_the_valid_ones() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = source(&app, &unique("exec"), "HubSpot", &sample_config("HubSpot")).await;
    let reply = execute(
        &app,
        &token,
        &id,
        &json!({"entity": "tickets", "action": "list"}),
    )
    .await;
    let message = assert_error(&reply, 400);
    assert!(
        message.contains("valid entities: contacts, companies, deals"),
        "{message}"
    );
    assert!(error_for(&reply.2, "entity").is_some());

    let reply = execute(
        &app,
        &token,
        &id,
        &json!({"entity": "contacts", "action": "create"}),
    )
    .await;
    let message = assert_error(&reply, 400);
    assert!(
        message.contains("valid actions: list, get, search"),
        "{message}"
    );
    assert!(error_for(&reply.2, "action").is_some());
}

#[tokio::test]
async fn bad_requests_are_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = source(
        &app,
        &unique("exec"),
        "Postgres",
        &sample_config("Postgres"),
    )
    .await;
    for (body, field) in [
        (json!({"action": "list"}), "entity"),
        (json!({"entity": "users"}), "action"),
        (
            json!({"entity": "users", "action": "list", "params": {"limit": 0}}),
            "params.limit",
        ),
        (
            json!({"entity": "users", "action": "list", "params": {"limit": 101}}),
            "params.limit",
        ),
        (
            json!({"entity": "users", "action": "list", "params": {"cursor": "bogus"}}),
            "params.cursor",
        ),
        (
            json!({"entity": "users", "action": "get", "params": {}}),
            "params.id",
        ),
        (
            json!({"entity": "users", "action": "search", "params": {}}),
            "params.query.filter",
        ),
        (
            json!({"entity": "users", "action": "search",
                   "params": {"query": {"filter": {"between": {"id": [1, 2]}}}}}),
            "params.query.filter.between",
        ),
        (
            json!({"entity": "users", "action": "search",
                   "params": {"query": {"filter": {"eq": {"shoe_size": 44}}}}}),
            "params.query.filter.eq.shoe_size",
        ),
    ] {
        let reply = execute(&app, &token, &id, &body).await;
        assert_error(&reply, 422);
        assert!(error_for(&reply.2, field).is_some(), "{field}: {}", reply.2);
    }
    let reply = execute(
        &app,
        &token,
        "not-a-uuid",
        &json!({"entity": "users", "action": "list"}),
    )
    .await;
    assert_error(&reply, 422);
}

#[tokio::test]
async fn an_unknown_record_or_source_is_404() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let id = source(
        &app,
        &unique("exec"),
        "Postgres",
        &sample_config("Postgres"),
    )
    .await;
    let body = json!({"entity": "users", "action": "get", "params": {"id": 999_999}});
    assert_error(&execute(&app, &token, &id, &body).await, 404);
    let body = json!({"entity": "users", "action": "list"});
    let missing = Uuid::from_u128(1).to_string();
    let message = assert_error(&execute(&app, &token, &missing, &body).await, 404);
    assert!(message.contains(&missing));
}

#[tokio::test]
async fn only_the_operator_of_the_organization_may_execute() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let workspace = unique("exec");
    let id = source(&app, &workspace, "Postgres", &sample_config("Postgres")).await;
    let body = json!({"entity": "users", "action": "list"});
    // no token
    let reply = app.post(&path(&id), None, &body).await;
    assert_eq!(reply.0, StatusCode::UNAUTHORIZED);
    // an end user's scoped token, even for its own source
    let scoped = app.scoped_token(&workspace).await;
    assert_error(&execute(&app, &scoped, &id, &body).await, 403);
    // another organization named in X-Organization-Id
    let reply = app
        .send(
            app.request(Method::POST, &path(&id), Some(&token))
                .header("x-organization-id", Uuid::from_u128(9).to_string())
                .json(&body),
        )
        .await;
    assert_error(&reply, 403);
    // the right one passes
    let reply = app
        .send(
            app.request(Method::POST, &path(&id), Some(&token))
                .header("x-organization-id", app.organization_id().to_string())
                .json(&body),
        )
        .await;
    assert_success(&reply);
}

#[tokio::test]
async fn executing_changes_nothing_and_repeats_itself() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let workspace = unique("exec");
    let id = source(&app, &workspace, "GitHub", &sample_config("GitHub")).await;
    let body = json!({"entity": "issues", "action": "list", "params": {"limit": 20}});
    let before = app.state.store.revision();
    let first = execute(&app, &token, &id, &body).await;
    assert_success(&first);
    // other work in between draws from the shared generator
    source(&app, &workspace, "Stripe", &sample_config("Stripe")).await;
    let revision = app.state.store.revision();
    assert!(revision > before);
    let again = execute(&app, &token, &id, &body).await;
    assert_eq!(first.2, again.2);
    assert_eq!(
        app.state.store.revision(),
        revision,
        "execute writes nothing"
    );
    // the issues come from the configured repository
    for issue in again.2["result"]["data"].as_array().unwrap() {
        assert_eq!(issue["repository"], "airbytehq/airbyte");
    }
}

/// The same requests on a fresh server with `seed`: the first page of each seeded connector's
/// first entity.
async fn pages_with_seed(seed: u64) -> Vec<Value> {
    let app = spawn_app_with(Config {
        seed,
        ..Config::default()
    })
    .await;
    let token = app.app_token().await;
    let mut pages = Vec::new();
    for (template, entity) in [
        ("GitHub", "repositories"),
        ("Stripe", "charges"),
        ("HubSpot", "companies"),
        ("Sample Data (Faker)", "purchases"),
    ] {
        let id = source(&app, "determinism", template, &sample_config(template)).await;
        let body = json!({"entity": entity, "action": "list", "params": {"limit": 5}});
        let reply = execute(&app, &token, &id, &body).await;
        pages.push(assert_success(&reply)["data"].clone());
    }
    pages
}

#[tokio::test]
async fn the_same_seed_gives_the_same_records_on_another_server() {
    let a = pages_with_seed(7).await;
    let b = pages_with_seed(7).await;
    assert_eq!(a, b);
    let c = pages_with_seed(8).await;
    for (x, y) in a.iter().zip(&c) {
        assert_ne!(x, y, "another seed, other records");
    }
}

#[tokio::test]
async fn the_mock_lists_what_execute_offers_on_a_source() {
    let app = spawn_app().await;
    let id = source(&app, &unique("ents"), "GitHub", &sample_config("GitHub")).await;
    let (status, _, body) = app
        .get(&format!("/_mock/sources/{id}/entities"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["connector_name"], "source-github");
    assert_eq!(body["actions"], json!(["list", "get", "search"]));
    let names: Vec<&str> = body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"issues") && names.contains(&"repositories"),
        "{names:?}"
    );
    // Every listed entity is one execute accepts, with as many records as it says.
    let token = app.app_token().await;
    for entity in body["entities"].as_array().unwrap() {
        let reply = execute(
            &app,
            &token,
            &id,
            &json!({"entity": entity["name"], "action": "list", "params": {"limit": 1}}),
        )
        .await;
        let result = assert_success(&reply);
        assert_eq!(result["data"].as_array().unwrap().len(), 1, "{entity}");
        assert!(entity["fields"].as_array().unwrap().len() > 1, "{entity}");
        assert!(entity["records"].as_u64().unwrap() >= 1, "{entity}");
    }
    let (status, _, body) = app
        .get(&format!("/_mock/sources/{}/entities", Uuid::nil()), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error_shape(&body);
}
