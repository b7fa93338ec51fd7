//! The `/_mock` control plane: readiness and reset.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ORIGIN, SEEDED_TEMPLATES, TestApp, sample_config, spawn_app};

#[tokio::test]
async fn health_is_ok_and_counts_the_state() {
    let app = spawn_app().await;
    let (status, headers, body) = app.get("/_mock/health", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    );
    assert_eq!(body["status"], "ok");
    assert_eq!(body["public_url"], app.base.as_str());
    assert_eq!(body["counts"]["source_templates"], SEEDED_TEMPLATES.len());
    assert_eq!(body["counts"]["workspaces"], 0);

    let jwt = app.scoped_token("health-co").await;
    app.create_source(&jwt, "Stripe", &sample_config("Stripe"))
        .await;
    let (_, _, body) = app.get("/_mock/health", None).await;
    assert_eq!(body["counts"]["workspaces"], 1);
    assert_eq!(body["counts"]["sources"], 1);
}

#[tokio::test]
async fn reset_restores_the_seeded_state() {
    let app = spawn_app().await;
    let operator = app.app_token().await;
    let (_, _, seeded) = app
        .get("/api/v1/integrations/templates/sources", Some(&operator))
        .await;
    let (_, _, seeded_tags) = app
        .get("/api/v1/integrations/templates/tags", Some(&operator))
        .await;
    let seeded_organization = app.organization_id();

    // Change everything: sources, workspaces, a deleted and a new template, a tag, an origin.
    let (_, _, jwt) = app.widget_token("reset-co", ORIGIN).await;
    app.create_source(&jwt, "Stripe", &sample_config("Stripe"))
        .await;
    let github = app.template_id("GitHub");
    app.delete(
        &format!("/api/v1/integrations/templates/sources/{github}"),
        Some(&operator),
    )
    .await;
    app.post(
        "/api/v1/integrations/templates/sources",
        Some(&operator),
        &json!({"original_source_template_id": app.template_id("Stripe"), "name": "Extra"}),
    )
    .await;
    app.post(
        "/api/v1/integrations/templates/tags",
        Some(&operator),
        &json!({"name": "temp"}),
    )
    .await;

    let (status, _, body) = app.post("/_mock/reset", None, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, _, templates) = app
        .get("/api/v1/integrations/templates/sources", Some(&operator))
        .await;
    assert_eq!(status, StatusCode::OK, "application tokens survive a reset");
    assert_eq!(
        templates, seeded,
        "the seeded templates are back, ids included"
    );
    assert!(TestApp::names(&templates).contains(&"GitHub".to_owned()));
    assert!(!TestApp::names(&templates).contains(&"Extra".to_owned()));
    let (_, _, tags) = app
        .get("/api/v1/integrations/templates/tags", Some(&operator))
        .await;
    assert_eq!(tags, seeded_tags);
    let (_, _, sources) = app
        .get("/api/v1/integrations/connectors", Some(&operator))
        .await;
    assert_eq!(sources["data"], json!([]), "sources are gone");
    let (_, _, workspaces) = app.get("/api/v1/workspaces", Some(&operator)).await;
    assert_eq!(workspaces["data"], json!([]), "workspaces are gone");
    assert_eq!(app.organization_id(), seeded_organization);
    assert!(
        app.state.store.counts().allowed_origins == 0,
        "minted origins are forgotten"
    );
    let (_, _, health) = app.get("/_mock/health", None).await;
    assert_eq!(health["counts"]["sources"], 0);
}
