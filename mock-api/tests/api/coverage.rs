//! Every operation of the published document (`airbyte_openapi`) is either answered by the mock or
//! listed below as out of scope with a reason. "Answered" means a request to it reaches a handler:
//! not the 404 fallback for unknown routes ("No route for …"), not a 405, and not swallowed by a
//! templated sibling route (a parameterless path answered with a 422 about an `id`, as
//! `/api/v1/workspaces/stats` once was by `/api/v1/workspaces/{id}`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// Operations deliberately not emulated, each `(method, path, reason)`. None today: all 34 are.
/// A line here must name an operation of the document that the mock does not answer.
const OUT_OF_SCOPE: &[(&str, &str, &str)] = &[];

/// `(method, templated path)` for every operation of the document.
fn operations() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let paths = airbyte_openapi::document()["paths"]
        .as_object()
        .expect("paths");
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item[method].is_object() {
                out.push((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

/// The path with each `{param}` filled: a UUID, or a connector name for `connector_type`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{connector_type}" => "hubspot".to_owned(),
            s if s.starts_with('{') => "00000000-0000-4000-8000-000000000001".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Why the reply shows the operation is not emulated, or `None` when a handler answered.
fn unanswered(path: &str, status: StatusCode, body: &Value) -> Option<String> {
    let message = body["message"].as_str().unwrap_or_default();
    if status == StatusCode::NOT_FOUND && message.starts_with("No route for") {
        return Some("the mock's 404 fallback answered".into());
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return Some("405: the path is routed, not this method".into());
    }
    let about_id = body["errors"]
        .as_array()
        .is_some_and(|errors| errors.iter().any(|e| e["field"] == "id"));
    if !path.contains('{') && status == StatusCode::UNPROCESSABLE_ENTITY && about_id {
        return Some(format!("a templated route took it as an id: {message}"));
    }
    None
}

#[tokio::test]
async fn every_published_operation_is_emulated_or_listed_out_of_scope() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let ops = operations();
    assert_eq!(ops.len(), 34, "the 0.9.0 document has 34 operations");
    for (method, path, reason) in OUT_OF_SCOPE {
        assert!(
            ops.iter().any(|(m, p)| m == method && p == path),
            "{} {path} is listed out of scope but is not in the document",
            method.to_uppercase()
        );
        assert!(!reason.trim().is_empty(), "{method} {path}: give a reason");
    }
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for (method, path) in &ops {
        let listed = OUT_OF_SCOPE
            .iter()
            .find(|(m, p, _)| m == method && p == path);
        let verb = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut request = app.request(verb, &concrete(path), Some(&token));
        if matches!(method.as_str(), "post" | "put" | "patch") {
            request = request.json(&json!({}));
        }
        let (status, _, body) = app.send(request).await;
        let why = unanswered(path, status, &body);
        match (why, listed) {
            (Some(why), None) => missing.push(format!(
                "{} {path}: neither emulated nor listed out of scope ({why})",
                method.to_uppercase()
            )),
            (None, Some(_)) => stale.push(format!(
                "{} {path} is answered now: remove it from OUT_OF_SCOPE",
                method.to_uppercase()
            )),
            _ => {}
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn the_checker_tells_fallbacks_from_handlers() {
    let fallback = json!({"message": "No route for '/x'", "errors": []});
    assert!(unanswered("/x", StatusCode::NOT_FOUND, &fallback).is_some());
    let handler_404 = json!({"message": "Source 'x' was not found", "errors": []});
    assert!(unanswered("/x/{id}", StatusCode::NOT_FOUND, &handler_404).is_none());
    let shadowed = json!({"message": "Invalid request", "errors": [{"field": "id"}]});
    assert!(
        unanswered(
            "/api/v1/workspaces/stats",
            StatusCode::UNPROCESSABLE_ENTITY,
            &shadowed
        )
        .is_some()
    );
    assert!(unanswered("/x/{id}", StatusCode::UNPROCESSABLE_ENTITY, &shadowed).is_none());
    assert!(unanswered("/x", StatusCode::METHOD_NOT_ALLOWED, &fallback).is_some());
}
