//! The route inventory the hardening suites sweep: every operation of Airbyte's published document
//! (read from `airbyte_openapi`, so a new operation is swept without editing this file), the 2025
//! `/api/v1/embedded/*` routes and the OLD platform token paths, each with the credential tier it
//! needs and its path parameters filled with ids of real objects.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, sample_config};

/// Which credential a route takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    /// No bearer token (the client-credentials exchange).
    Public,
    /// An application (operator) token.
    Operator,
    /// A scoped (end-user) token.
    EndUser,
}

/// One operation, ready to call.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub(crate) method: Method,
    /// The path as routed, with `{param}` placeholders.
    pub(crate) template: String,
    /// The path with real ids in place of the placeholders.
    pub(crate) path: String,
    pub(crate) tier: Tier,
    /// Whether the operation reads a JSON body.
    pub(crate) body: bool,
    /// The query parameters the document names (fuzzed with priority).
    pub(crate) query: Vec<String>,
}

impl Route {
    /// `METHOD /template`, for messages.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The path with every placeholder replaced by `value` (already percent-encoded).
    pub(crate) fn path_with(&self, value: &str) -> String {
        self.template
            .split('/')
            .map(|seg| if seg.starts_with('{') { value } else { seg })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Credentials and objects the routes point at.
#[derive(Debug)]
pub(crate) struct Fixture {
    pub(crate) operator: String,
    pub(crate) scoped: String,
    pub(crate) workspace: String,
    pub(crate) workspace_id: Uuid,
    pub(crate) source_id: String,
    pub(crate) template_id: Uuid,
    pub(crate) routes: Vec<Route>,
}

impl Fixture {
    /// The bearer a route's own tier takes.
    pub(crate) fn bearer(&self, tier: Tier) -> Option<&str> {
        match tier {
            Tier::Public => None,
            Tier::Operator => Some(&self.operator),
            Tier::EndUser => Some(&self.scoped),
        }
    }
}

/// The 2025 end-user and token routes, and the OLD platform paths, not in the published document:
/// `(method, template, tier, has a body)`.
const EXTRA: &[(&str, &str, Tier, bool)] = &[
    (
        "GET",
        "/api/v1/embedded/source-templates",
        Tier::EndUser,
        false,
    ),
    (
        "GET",
        "/api/v1/embedded/source-templates/{id}",
        Tier::EndUser,
        false,
    ),
    ("GET", "/api/v1/embedded/sources", Tier::EndUser, false),
    ("POST", "/api/v1/embedded/sources", Tier::EndUser, true),
    ("GET", "/api/v1/embedded/sources/{id}", Tier::EndUser, false),
    ("PUT", "/api/v1/embedded/sources/{id}", Tier::EndUser, true),
    (
        "DELETE",
        "/api/v1/embedded/sources/{id}",
        Tier::EndUser,
        false,
    ),
    (
        "POST",
        "/api/v1/embedded/sources/check",
        Tier::EndUser,
        true,
    ),
    (
        "GET",
        "/api/v1/embedded/organizations/current-scoped",
        Tier::EndUser,
        false,
    ),
    (
        "GET",
        "/api/v1/embedded/scoped-token/info",
        Tier::EndUser,
        false,
    ),
    (
        "POST",
        "/api/v1/embedded/widget-token",
        Tier::Operator,
        true,
    ),
    (
        "POST",
        "/api/v1/embedded/scoped-token",
        Tier::Operator,
        true,
    ),
    (
        "POST",
        "/api/v1/integrations/connectors/oauth/initiate",
        Tier::Operator,
        true,
    ),
    ("POST", "/v1/applications/token", Tier::Public, true),
    ("POST", "/v1/embedded/widget_token", Tier::Operator, true),
];

/// Creates a workspace with a source (and its tokens) and lists every route with real ids. Routes
/// that delete get ids of objects that do not exist, so sweeping them keeps the fixture intact.
pub(crate) async fn fixture(app: &TestApp, workspace: &str) -> Fixture {
    let operator = app.app_token().await;
    let scoped = app.scoped_token(workspace).await;
    let workspace_id = app.workspace_id(workspace).expect("the workspace exists");
    let source = app
        .create_source(&scoped, "Stripe", &sample_config("Stripe"))
        .await;
    let source_id = source["id"].as_str().expect("a source id").to_owned();
    let template_id = app.template_id("Stripe");
    let (_, _, connections) = app
        .get(
            "/api/v1/integrations/templates/connections",
            Some(&operator),
        )
        .await;
    let connection_template_id = connections["data"][0]["id"]
        .as_str()
        .expect("a seeded connection template")
        .to_owned();
    let source_definition = app.definition_id("Stripe");
    let (_, _, destinations) = app
        .get(
            "/api/v1/integrations/definitions/destinations",
            Some(&operator),
        )
        .await;
    let destination_definition = destinations["data"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::nil().to_string());

    let mut routes = Vec::new();
    let paths = airbyte_openapi::document()["paths"]
        .as_object()
        .expect("the document has paths");
    for (template, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let op = &item[method];
            if !op.is_object() {
                continue;
            }
            let tier = if template == "/api/v1/account/applications/token" {
                Tier::Public
            } else if template == "/api/v1/account/applications/scoped-token/info" {
                Tier::EndUser
            } else {
                Tier::Operator
            };
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            routes.push(Route {
                method: Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method"),
                template: template.clone(),
                path: String::new(),
                tier,
                body: op["requestBody"].is_object(),
                query,
            });
        }
    }
    for (method, template, tier, body) in EXTRA {
        routes.push(Route {
            method: Method::from_bytes(method.as_bytes()).expect("a method"),
            template: (*template).to_owned(),
            path: String::new(),
            tier: *tier,
            body: *body,
            query: Vec::new(),
        });
    }
    for route in &mut routes {
        let deleting = route.method == Method::DELETE;
        let id = if deleting {
            Uuid::new_v4().to_string()
        } else if route.template.contains("/connectors/") || route.template.contains("/sources/{") {
            if route.template.contains("/templates/sources/")
                || route.template.contains("/source-templates/")
            {
                template_id.to_string()
            } else {
                source_id.clone()
            }
        } else if route.template.contains("/templates/connections/") {
            connection_template_id.clone()
        } else if route.template.contains("/definitions/sources/") {
            source_definition.to_string()
        } else if route.template.contains("/definitions/destinations/") {
            destination_definition.clone()
        } else if route.template.contains("/workspaces/") {
            workspace_id.to_string()
        } else {
            Uuid::new_v4().to_string()
        };
        let id = if route.template.contains("{connector_type}") {
            "no-such-connector".to_owned()
        } else {
            id
        };
        route.path = route.path_with(&id);
    }
    Fixture {
        operator,
        scoped,
        workspace: workspace.to_owned(),
        workspace_id,
        source_id,
        template_id,
        routes,
    }
}

/// A plausible body for a route, so a credential test reaches the credential check with nothing
/// else wrong (the extractors run the token check before the body is read anyway).
pub(crate) fn plausible_body(fixture: &Fixture, route: &Route) -> serde_json::Value {
    if route.template.contains("/embedded/sources") {
        json!({"source_template_id": fixture.template_id, "source_config": sample_config("Stripe")})
    } else if route.template.contains("token") {
        json!({"workspace_name": fixture.workspace, "allowed_origin": crate::helpers::ORIGIN})
    } else {
        json!({})
    }
}
