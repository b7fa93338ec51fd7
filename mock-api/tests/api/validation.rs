//! `--validate`: the mock's own clean traffic through every operation of the published document
//! reports nothing (a check of the mock's fidelity too), a wrong request is reported as a request
//! violation with the answer unchanged, and `GET`/`DELETE /_mock/validation` summarise and clear.
//! (A wrong-shape answer is tested at the layer, against a stub upstream, in `src/validation.rs`.)

use airbyte_mock::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, Reply, TestApp, sample_config, spawn_app_with};

async fn validating() -> TestApp {
    spawn_app_with(Config {
        validate: true,
        time_scale: 0.0,
        ..Config::default()
    })
    .await
}

/// The validation findings among a reply's `Warning` headers: those naming an operation
/// (`299 airbyte-mock "POST /api/v1/…: …"`). Others are leniency warnings (strictness), which say
/// the request was probably a mistake, not that an answer breaks the document.
fn warnings(reply: &Reply) -> Vec<String> {
    reply
        .1
        .get_all(reqwest::header::WARNING)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|w| {
            w.strip_prefix("299 airbyte-mock \"")
                .and_then(|text| text.split_once(' '))
                .is_some_and(|(method, rest)| {
                    method.bytes().all(|b| b.is_ascii_uppercase()) && rest.starts_with('/')
                })
        })
        .collect()
}

/// Requests with the replies, asserted successful and warning-free as they come.
struct Tour<'a> {
    app: &'a TestApp,
    token: String,
}

impl Tour<'_> {
    fn clean(&self, what: &str, reply: Reply) -> Value {
        assert!(reply.0.is_success(), "{what}: {} {}", reply.0, reply.2);
        assert!(
            warnings(&reply).is_empty(),
            "{what}: the mock's own answer breaks the document: {:#?}",
            warnings(&reply)
        );
        reply.2
    }

    async fn get(&self, path: &str) -> Value {
        let reply = self.app.get(path, Some(&self.token)).await;
        self.clean(&format!("GET {path}"), reply)
    }

    async fn delete(&self, path: &str) -> Value {
        let reply = self.app.delete(path, Some(&self.token)).await;
        self.clean(&format!("DELETE {path}"), reply)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let reply = self.app.post(path, Some(&self.token), &body).await;
        self.clean(&format!("POST {path} {body}"), reply)
    }

    async fn put(&self, path: &str, body: Value) -> Value {
        let reply = self.app.put(path, Some(&self.token), &body).await;
        self.clean(&format!("PUT {path} {body}"), reply)
    }

    async fn patch(&self, path: &str, body: Value) -> Value {
        let reply = self.app.patch(path, Some(&self.token), &body).await;
        self.clean(&format!("PATCH {path} {body}"), reply)
    }
}

fn id(body: &Value) -> String {
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {body}"))
        .to_owned()
}

#[tokio::test]
async fn clean_traffic_through_every_operation_reports_nothing() {
    let app = validating().await;
    let credentials = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": crate::helpers::CLIENT_ID, "client_secret": crate::helpers::CLIENT_SECRET}),
        )
        .await;
    let token = credentials.2["access_token"].as_str().unwrap().to_owned();
    let t = Tour { app: &app, token };
    t.clean("POST /api/v1/account/applications/token", credentials);

    // Tokens.
    t.post(
        "/api/v1/account/applications/widget-token",
        json!({"workspace_name": "valid-co", "allowed_origin": ORIGIN}),
    )
    .await;
    t.post(
        "/api/v1/account/applications/widget-token",
        json!({"workspace_name": "valid-tags", "allowed_origin": ORIGIN,
               "selected_source_template_tags": ["crm"], "selected_source_template_tags_mode": "any",
               "selected_connection_template_tags": [], "selected_connection_template_tags_mode": "all"}),
    )
    .await;
    let scoped = t
        .post(
            "/api/v1/account/applications/scoped-token",
            json!({"workspace_name": "valid-co"}),
        )
        .await;
    let scoped = scoped["token"].as_str().unwrap().to_owned();
    let info = app
        .get(
            "/api/v1/account/applications/scoped-token/info",
            Some(&scoped),
        )
        .await;
    t.clean("GET scoped-token/info", info);

    // Definitions.
    let sources = "/api/v1/integrations/definitions/sources";
    t.get(sources).await;
    t.get(&format!("{sources}?name=hub")).await;
    t.get(&format!("{sources}/{}", app.definition_id("HubSpot")))
        .await;
    let destinations = "/api/v1/integrations/definitions/destinations";
    let all = t.get(destinations).await;
    let s3 = all["destinations"][0]["id"].as_str().unwrap().to_owned();
    t.get(&format!(
        "{destinations}?actorDefinitionIds={s3}&actorDefinitionIds={s3}"
    ))
    .await;
    t.get(&format!("{destinations}/{s3}")).await;

    // Source templates and connection templates.
    let templates = "/api/v1/integrations/templates/sources";
    t.get(templates).await;
    t.get(&format!(
        "{templates}?tags=crm&tags=sales&tags_mode=any&use_global=false"
    ))
    .await;
    for name in crate::helpers::SEEDED_TEMPLATES {
        t.get(&format!("{templates}/{}", app.template_id(name)))
            .await;
    }
    let created = t
        .post(
            templates,
            json!({"actor_definition_id": app.definition_id("HubSpot"), "partial_default_config": {},
                   "name": "HubSpot (sales)", "tags": ["crm"],
                   "customization": {"stream_selection_mode": "whitelist", "stream_whitelist": ["contacts"]}}),
        )
        .await;
    let template = id(&created);
    t.patch(
        &format!("{templates}/{template}"),
        json!({"name": "HubSpot (renamed)", "mode": "DIRECT"}),
    )
    .await;
    t.patch(
        &format!("{templates}/{template}"),
        json!({"partial_default_config": {}, "propagate": true,
               "customization": {"stream_selection_mode": "all"}}),
    )
    .await;
    let copy = t
        .post(
            templates,
            json!({"original_source_template_id": template, "name": "HubSpot (copy)"}),
        )
        .await;
    t.delete(&format!("{templates}/{}", id(&copy))).await;
    t.delete(&format!("{templates}/{template}")).await;

    let connections = "/api/v1/integrations/templates/connections";
    let user_hosted = t
        .post(
            connections,
            json!({"destination_name": "Lake", "destination_definition_id": s3,
                   "destination_config": {"s3_bucket_name": "lake"}, "cron_expression": "0 0 * * * ?",
                   "non_breaking_changes_preference": "disable", "tags": ["warehouse"]}),
        )
        .await;
    let airbyte_hosted = t
        .post(connections, json!({"data_hosting_type": "airbyte_hosted"}))
        .await;
    t.get(connections).await;
    t.get(&format!("{connections}?tags=warehouse&tags_mode=all"))
        .await;
    t.post(
        &format!("{connections}/cron/describe"),
        json!({"cron_expression": "0 30 9 ? * MON-FRI"}),
    )
    .await;
    for created in [&user_hosted, &airbyte_hosted] {
        let one = format!("{connections}/{}", id(created));
        t.get(&one).await;
        t.patch(&one, json!({"cron_expression": "0 15 * * * ?"}))
            .await;
        t.patch(
            &one,
            json!({"sync_on_create": false, "non_breaking_changes_preference": "ignore"}),
        )
        .await;
        t.delete(&one).await;
    }

    // Connectors (sources), by the operator.
    let connectors = "/api/v1/integrations/connectors";
    let stripe = t
        .post(
            connectors,
            json!({"workspace_name": "valid-co", "connector_type": "STRIPE",
                   "replication_config": sample_config("Stripe")}),
        )
        .await;
    let stripe = id(&stripe);
    t.post(
        &format!("{connectors}/check"),
        json!({"workspace_name": "valid-co", "connector_type": "STRIPE",
               "replication_config": sample_config("Stripe")}),
    )
    .await;
    t.get(connectors).await;
    let workspace = app.workspace_id("valid-co").unwrap();
    t.get(&format!(
        "{connectors}?workspace_id={workspace}&definition_id={}",
        app.definition_id("Stripe")
    ))
    .await;
    t.get(&format!("{connectors}?workspace_name=valid-co"))
        .await;
    t.get(&format!("{connectors}/{stripe}")).await;
    t.put(
        &format!("{connectors}/{stripe}"),
        json!({"name": "Payments"}),
    )
    .await;
    t.post(&format!("{connectors}/{stripe}/check"), json!({}))
        .await;
    let listed = t
        .post(
            &format!("{connectors}/{stripe}/execute"),
            json!({"entity": "customers", "action": "list", "params": {"limit": 3}}),
        )
        .await;
    let customer = listed["result"]["data"][0]["id"].clone();
    t.post(
        &format!("{connectors}/{stripe}/execute"),
        json!({"entity": "customers", "action": "get", "params": {"id": customer},
               "select_fields": ["id", "email"]}),
    )
    .await;
    t.post(
        &format!("{connectors}/{stripe}/execute"),
        json!({"entity": "customers", "action": "search",
               "params": {"query": {"filter": {"eq": {"id": customer}}}, "limit": 5}}),
    )
    .await;
    let faker = t
        .post(
            connectors,
            json!({"workspace_name": "valid-co", "source_template_id": app.template_id("Sample Data (Faker)"),
                   "name": "Fake", "replication_config": {"count": 5},
                   "selected_connection_template_tags": ["warehouse"],
                   "selected_connection_template_tags_mode": "any"}),
        )
        .await;
    t.post(
        &format!("{connectors}/{}/check", id(&faker)),
        json!({"replication_config": {"count": 6}}),
    )
    .await;
    t.put(
        &format!("{connectors}/{}", id(&faker)),
        json!({"name": "Faker", "replication_config": {"count": 7}}),
    )
    .await;
    t.delete(&format!("{connectors}/{stripe}")).await;

    // OAuth app credentials.
    t.put(
        "/api/v1/oauth/credentials",
        json!({"connector_type": "hubspot",
               "configuration": {"client_id": "acme-hubspot-app", "client_secret": "TOP-SECRET-1"}}),
    )
    .await;
    t.delete("/api/v1/oauth/credentials/connector_type/hubspot")
        .await;

    // Workspaces.
    t.get("/api/v1/workspaces").await;
    let page = t
        .get("/api/v1/workspaces?limit=1&name_contains=valid&status=active")
        .await;
    // `next` is the whole URL of the next page.
    let next = page["next"].as_str().expect("a next page").to_owned();
    t.get(next.strip_prefix(&app.base).expect("on the mock"))
        .await;
    t.get("/api/v1/workspaces/stats").await;
    t.get(&format!("/api/v1/workspaces/{workspace}")).await;
    t.put(
        &format!("/api/v1/workspaces/{workspace}"),
        json!({"name": "valid-co-renamed", "status": "inactive", "cache_enabled": true}),
    )
    .await;
    t.delete(&format!("/api/v1/workspaces/{workspace}")).await;

    // A declared error answer for a well-formed request is clean too.
    let invalid_cron = app
        .patch(
            &format!("{connections}/{}", id(&user_hosted)),
            Some(&t.token),
            &json!({"cron_expression": "hourly"}),
        )
        .await;
    assert!(
        warnings(&invalid_cron).is_empty(),
        "{:?}",
        warnings(&invalid_cron)
    );

    let (status, _, summary) = app.get("/_mock/validation", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["enabled"], true);
    assert_eq!(summary["request_violations"], 0, "{summary:#}");
    assert_eq!(summary["response_violations"], 0, "{summary:#}");
    let seen: Vec<&str> = summary["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation"].as_str().unwrap())
        .collect();
    let every: Vec<String> = airbyte_openapi::operations()
        .iter()
        .map(ToString::to_string)
        .collect();
    let missed: Vec<&String> = every
        .iter()
        .filter(|o| !seen.contains(&o.as_str()))
        .collect();
    assert!(
        missed.is_empty(),
        "operations the tour did not reach: {missed:?}"
    );
    assert_eq!(seen.len(), 34);
    assert!(summary["requests"].as_u64().unwrap() >= 34);
}

#[tokio::test]
async fn a_wrong_request_is_reported_and_the_answer_is_unchanged() {
    let plain = spawn_app_with(Config::default()).await;
    let app = validating().await;
    let path = "/api/v1/account/applications/token";
    // `client_secret` typed as a number: the document says string.
    let body = json!({"client_id": crate::helpers::CLIENT_ID, "client_secret": 987_654_321});
    let expected = plain.post(path, None, &body).await;
    let reply = app.post(path, None, &body).await;
    assert_eq!(reply.0, expected.0, "{}", reply.2);
    assert_eq!(reply.2, expected.2, "the mock's own answer is unchanged");
    let found = warnings(&reply);
    assert!(
        found.contains(&"299 airbyte-mock \"POST /api/v1/account/applications/token: request body at /client_secret: value is not of type \\\"string\\\"\"".to_owned()),
        "{found:#?}"
    );
    assert!(found.iter().all(|w| !w.contains("987654321")), "masked");

    // A wrong query parameter type on a listing the mock answers anyway.
    let token = app.app_token().await;
    let listing = app
        .get(
            "/api/v1/integrations/templates/sources?use_global=maybe",
            Some(&token),
        )
        .await;
    let expected = plain
        .get(
            "/api/v1/integrations/templates/sources?use_global=maybe",
            Some(&plain.app_token().await),
        )
        .await;
    assert_eq!(listing.0, expected.0);
    assert!(
        warnings(&listing)
            .iter()
            .any(|w| w.contains("request query use_global: value is not of type \\\"boolean\\\"")),
        "{:#?}",
        warnings(&listing)
    );

    // The journal carries the warnings; the summary counts them per operation.
    let (_, _, journal) = app
        .get(
            "/_mock/requests?path=/api/v1/account/applications/token",
            None,
        )
        .await;
    let entry = journal["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !e["warnings"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("no journal entry with warnings: {journal:#}"));
    assert!(
        entry["warnings"][0]
            .as_str()
            .unwrap()
            .contains("request body at /client_secret"),
        "{entry:#}"
    );
    let (_, _, summary) = app.get("/_mock/validation", None).await;
    let token_op = summary["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "POST /api/v1/account/applications/token")
        .unwrap()
        .clone();
    assert_eq!(token_op["request_violations"], 1, "{summary:#}");
    let recent = &token_op["recent_violations"][0];
    assert_eq!(recent["side"], "request");
    assert_eq!(recent["place"], "body");
    assert_eq!(recent["pointer"], "/client_secret");
    assert!(summary["request_violations"].as_u64().unwrap() >= 2);

    let cleared = app.delete("/_mock/validation", None).await;
    assert_eq!(cleared.0, StatusCode::NO_CONTENT);
    let (_, _, summary) = app.get("/_mock/validation", None).await;
    assert_eq!(summary["operations"], json!([]));
    assert_eq!(summary["requests"], 0);
}

#[tokio::test]
async fn off_by_default_nothing_is_checked() {
    let app = spawn_app_with(Config::default()).await;
    let reply = app
        .post(
            "/api/v1/account/applications/token",
            None,
            &json!({"client_id": 1, "client_secret": 2}),
        )
        .await;
    assert!(warnings(&reply).is_empty());
    let (status, _, summary) = app.get("/_mock/validation", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["enabled"], false);
    assert_eq!(summary["requests"], 0);
}

/// The document declares 200, 400, 403, 422 and 500 for most operations; the mock's 404 for an
/// unknown id (Airbyte's too) is reported as an undeclared status, the body left alone.
#[tokio::test]
async fn an_undeclared_status_is_a_response_violation() {
    let app = validating().await;
    let token = app.app_token().await;
    let path = "/api/v1/workspaces/00000000-0000-4000-8000-000000000001";
    let reply = app.get(path, Some(&token)).await;
    assert_eq!(reply.0, StatusCode::NOT_FOUND);
    assert_eq!(
        warnings(&reply),
        [
            "299 airbyte-mock \"GET /api/v1/workspaces/{workspace_id}: response status: 404 is not declared (declared: 200, 400, 403, 422, 500)\""
        ]
    );
    let (_, _, summary) = app.get("/_mock/validation", None).await;
    let op = summary["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "GET /api/v1/workspaces/{workspace_id}")
        .unwrap()
        .clone();
    assert_eq!(op["response_violations"], 1);
    assert_eq!(op["request_violations"], 0);
    assert_eq!(op["recent_violations"][0]["status"], 404);
    assert_eq!(op["recent_violations"][0]["place"], "status");
}
