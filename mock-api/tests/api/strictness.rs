//! Faithful by default, strict on request: each leniency (something Airbyte accepts, or may accept,
//! that is probably a mistake) answers as Airbyte would with a `Warning: 299 airbyte-mock "…"` header
//! that the journal keeps, and answers the 422 naming the field and the fix under `--strict`.

use airbyte_embedded::WidgetToken;
use airbyte_mock::Config;
use airbyte_mock::testkit::{assert_error_shape, error_fields, jwt_claims, unique};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{
    ORIGIN, TestApp, encode_uri_component, sample_config, spawn_app, spawn_app_with,
};

const WIDGET_PATHS: [&str; 2] = [
    "/api/v1/account/applications/widget-token",
    "/api/v1/embedded/widget-token",
];
const STRIPE: &str = "e094cb9a-26de-4645-8761-65c0c425d1de";

async fn strict_app() -> TestApp {
    spawn_app_with(Config {
        strict: true,
        ..Config::default()
    })
    .await
}

/// The texts of the mock's `Warning` headers.
fn warnings(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("warning")
        .iter()
        .map(|v| {
            let raw = v.to_str().expect("a visible-ASCII header");
            let text = raw
                .strip_prefix("299 airbyte-mock \"")
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or_else(|| panic!("the 299 warn-code form: {raw}"));
            text.replace("\\\"", "\"").replace("\\\\", "\\")
        })
        .collect()
}

/// The `warnings` of the newest journal entry for `path`.
async fn journal_warnings(app: &TestApp, path: &str) -> Vec<String> {
    let (status, _, body) = app.get("/_mock/requests", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entry = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .rev()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("a journal entry for {path}: {body}"))
        .clone();
    entry["warnings"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .map(|w| w.as_str().expect("text").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// One 200 with exactly one warning that contains every one of `needles`; the journal entry carries
/// the same warning. Returns the body.
async fn assert_warned(
    app: &TestApp,
    path: &str,
    reply: (StatusCode, HeaderMap, Value),
    needles: &[&str],
) -> Value {
    let (status, headers, body) = reply;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let texts = warnings(&headers);
    assert_eq!(texts.len(), 1, "{path}: one warning: {texts:?}");
    for needle in needles {
        assert!(
            texts[0].contains(needle),
            "{path}: {needle:?} in {}",
            texts[0]
        );
    }
    assert_eq!(
        journal_warnings(app, path).await,
        texts,
        "the journal entry carries the warning"
    );
    body
}

/// The 422 under `--strict`, naming `field`.
fn assert_refused(reply: &(StatusCode, HeaderMap, Value), field: &str, needle: &str) {
    let (status, _, body) = reply;
    assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = assert_error_shape(body);
    assert_eq!(error_fields(body), vec![field.to_owned()], "{body}");
    assert!(message.contains(needle), "{needle:?} in {message}");
}

/// The non-canonical origins the issue names, with what each warning says and the fix.
const ORIGINS: [(&str, &str, &str); 6] = [
    (
        "http://localhost:3000/",
        "must not end with '/'",
        "http://localhost:3000",
    ),
    (
        "http://localhost:3000/app",
        "must not contain a path",
        "http://localhost:3000",
    ),
    (
        "HTTP://LocalHost:3000",
        "must be lowercase",
        "http://localhost:3000",
    ),
    (
        "https://app.example.com:443",
        "default port :443",
        "https://app.example.com",
    ),
    (
        "http://app.example.com:80",
        "default port :80",
        "http://app.example.com",
    ),
    (
        "https://app.example.com?x=1",
        "must not contain a query string",
        "https://app.example.com",
    ),
];

#[tokio::test]
async fn a_non_canonical_allowed_origin_is_minted_as_sent_with_a_warning_by_default() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    for path in WIDGET_PATHS {
        for (origin, problem, fix) in ORIGINS {
            let name = unique("lenient-origin");
            let reply = app
                .post(
                    path,
                    Some(&token),
                    &json!({"workspace_name": name, "allowed_origin": origin}),
                )
                .await;
            let body = assert_warned(
                &app,
                path,
                reply,
                &[
                    &format!("allowed_origin '{origin}' "),
                    problem,
                    "the widget will hang",
                    &format!("use '{fix}'"),
                ],
            )
            .await;
            // Minted for the origin exactly as the client gave it, as Airbyte does.
            let decoded =
                WidgetToken::decode(body["token"].as_str().expect("token")).expect("decodes");
            assert!(
                decoded
                    .widget_url
                    .ends_with(&format!("&allowedOrigin={}", encode_uri_component(origin))),
                "{}",
                decoded.widget_url
            );
            let claims = jwt_claims(decoded.token.as_deref().expect("jwt"));
            assert_eq!(claims["allowed_origin"], origin);
            assert!(app.workspace_id(&name).is_some());
        }
    }
}

#[tokio::test]
async fn under_strict_a_non_canonical_allowed_origin_is_the_422_naming_the_fix() {
    let app = strict_app().await;
    let token = app.app_token().await;
    for (origin, problem, fix) in ORIGINS {
        let name = unique("strict-origin");
        let reply = app
            .post(
                WIDGET_PATHS[0],
                Some(&token),
                &json!({"workspace_name": name, "allowed_origin": origin}),
            )
            .await;
        assert_refused(&reply, "allowed_origin", problem);
        assert_eq!(
            reply.2["errors"][0]["details"]["suggestion"], fix,
            "{}",
            reply.2
        );
        assert_eq!(reply.2["errors"][0]["error_code"], "invalid_origin");
        assert!(
            reply.1.get("warning").is_none(),
            "a refusal carries no warning"
        );
        assert_eq!(
            app.workspace_id(&name),
            None,
            "a refused request creates no workspace"
        );
    }
}

#[tokio::test]
async fn origins_no_browser_can_send_are_warned_about_too() {
    // Airbyte types allowed_origin as a plain string; what it does with these is not documented, so
    // the mock does not refuse them by default.
    let app = spawn_app().await;
    let strict = strict_app().await;
    let (token, strict_token) = (app.app_token().await, strict.app_token().await);
    for (origin, needle) in [
        ("https://*.example.com", "wildcard"),
        ("localhost:3000", "must include the scheme"),
        ("", "must not be empty"),
    ] {
        let body = json!({"workspace_name": unique("odd-origin"), "allowed_origin": origin});
        let reply = app.post(WIDGET_PATHS[0], Some(&token), &body).await;
        assert_warned(&app, WIDGET_PATHS[0], reply, &[needle]).await;
        let reply = strict
            .post(WIDGET_PATHS[0], Some(&strict_token), &body)
            .await;
        assert_refused(&reply, "allowed_origin", needle);
    }
}

#[tokio::test]
async fn the_old_platform_path_warns_about_allowed_origin_under_its_own_name() {
    const OLD: &str = "/v1/embedded/widget_token";
    for strict in [false, true] {
        let app = spawn_app_with(Config {
            strict,
            ..Config::default()
        })
        .await;
        let token = app.app_token().await;
        let body = json!({"organizationId": app.organization_id(), "externalUserId": unique("old"),
                          "allowedOrigin": "http://localhost:3000/"});
        let reply = app.post(OLD, Some(&token), &body).await;
        if strict {
            assert_refused(
                &reply,
                "allowedOrigin",
                "allowedOrigin must not end with '/'",
            );
        } else {
            assert_warned(
                &app,
                OLD,
                reply,
                &[
                    "allowedOrigin 'http://localhost:3000/'",
                    "use 'http://localhost:3000'",
                ],
            )
            .await;
        }
    }
}

#[tokio::test]
async fn a_canonical_request_carries_no_warning() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, headers, body) = app
        .post(
            WIDGET_PATHS[0],
            Some(&token),
            &json!({"workspace_name": unique("clean"), "allowed_origin": ORIGIN}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(warnings(&headers).is_empty());
    assert!(journal_warnings(&app, WIDGET_PATHS[0]).await.is_empty());
}

#[tokio::test]
async fn old_spellings_of_workspace_name_are_read_with_a_warning_by_default() {
    let app = spawn_app().await;
    let strict = strict_app().await;
    let (token, strict_token) = (app.app_token().await, strict.app_token().await);
    let scoped = "/api/v1/account/applications/scoped-token";
    for (path, alias, extra) in [
        (
            WIDGET_PATHS[0],
            "customer_name",
            json!({"allowed_origin": ORIGIN}),
        ),
        (
            WIDGET_PATHS[1],
            "external_user_id",
            json!({"allowed_origin": ORIGIN}),
        ),
        (scoped, "customer_name", json!({})),
        (scoped, "external_user_id", json!({})),
    ] {
        let name = unique("alias");
        let mut body = extra.clone();
        body[alias] = json!(name);
        let reply = app.post(path, Some(&token), &body).await;
        assert_warned(
            &app,
            path,
            reply,
            &[
                &format!("{alias} is not in Airbyte's published API document"),
                "send workspace_name",
            ],
        )
        .await;
        assert!(
            app.workspace_id(&name).is_some(),
            "read as the workspace name"
        );

        let reply = strict.post(path, Some(&strict_token), &body).await;
        assert_refused(&reply, alias, "send workspace_name instead");
        assert_eq!(strict.workspace_id(&name), None);
    }
}

#[tokio::test]
async fn a_blank_or_very_long_workspace_name_is_used_with_a_warning_by_default() {
    let app = spawn_app().await;
    let strict = strict_app().await;
    let (token, strict_token) = (app.app_token().await, strict.app_token().await);
    let long = "n".repeat(300);
    for (path, body, field, needle, refusal) in [
        (
            WIDGET_PATHS[0],
            json!({"workspace_name": "  ", "allowed_origin": ORIGIN}),
            "workspace_name",
            "workspace_name is blank",
            "must not be empty",
        ),
        (
            "/api/v1/account/applications/scoped-token",
            json!({"workspace_name": long}),
            "workspace_name",
            "workspace_name is longer than 256 characters",
            "at most 256 characters",
        ),
        (
            "/v1/embedded/widget_token",
            json!({"organizationId": app.organization_id(), "externalUserId": "", "allowedOrigin": ORIGIN}),
            "externalUserId",
            "externalUserId is blank",
            "must not be empty",
        ),
    ] {
        let reply = app.post(path, Some(&token), &body).await;
        assert_warned(&app, path, reply, &[needle, "no bounds"]).await;
        let mut body = body;
        if body.get("organizationId").is_some() {
            body["organizationId"] = json!(strict.organization_id());
        }
        let reply = strict.post(path, Some(&strict_token), &body).await;
        assert_refused(&reply, field, refusal);
    }
}

#[tokio::test]
async fn renaming_a_workspace_to_a_blank_name_is_done_with_a_warning_by_default() {
    for strict in [false, true] {
        let app = spawn_app_with(Config {
            strict,
            ..Config::default()
        })
        .await;
        let token = app.app_token().await;
        let jwt = app.scoped_token(&unique("rename")).await;
        let id = jwt_claims(&jwt)["io.airbyte.auth.workspace_scope"]["workspaceId"]
            .as_str()
            .expect("workspace id")
            .to_owned();
        let path = format!("/api/v1/workspaces/{id}");
        let reply = app.put(&path, Some(&token), &json!({"name": "  "})).await;
        if strict {
            assert_refused(&reply, "name", "must not be empty");
        } else {
            let renamed = assert_warned(&app, &path, reply, &["name is blank"]).await;
            assert_eq!(renamed["name"], "  ");
        }
    }
}

#[tokio::test]
async fn tag_names_outside_the_mocks_rule_are_used_with_a_warning_by_default() {
    const TAGS: &str = "/api/v1/integrations/templates/tags";
    const SOURCES: &str = "/api/v1/integrations/templates/sources";
    for strict in [false, true] {
        let app = spawn_app_with(Config {
            strict,
            ..Config::default()
        })
        .await;
        let token = app.app_token().await;
        let stripe = app.template_id("Stripe");
        let long = "t".repeat(65);
        let definition = app.state.catalog.sources[0].source_definition_id;
        for (path, body, field, needle) in [
            (
                TAGS.to_owned(),
                json!({"name": ""}),
                "name",
                "tag names must not be empty",
            ),
            (
                format!("{SOURCES}/{stripe}/tags"),
                json!({"tag": long}),
                "tag",
                "tag names must be at most 64 characters",
            ),
            (
                SOURCES.to_owned(),
                json!({"actor_definition_id": definition, "partial_default_config": {}, "tags": ["ok", " "]}),
                "tags[1]",
                "tag names must not be empty",
            ),
        ] {
            let reply = app.post(&path, Some(&token), &body).await;
            if strict {
                assert_refused(&reply, field, needle);
            } else {
                assert_warned(
                    &app,
                    &path,
                    reply,
                    &[&format!("{field}: {needle}"), "no rule on tag names"],
                )
                .await;
            }
        }
    }
}

#[tokio::test]
async fn a_tag_selection_no_tag_can_match_is_kept_with_a_warning_by_default() {
    let body = json!({"workspace_name": unique("tags"), "allowed_origin": ORIGIN,
                      "selected_source_template_tags": ["ok", ""]});
    let app = spawn_app().await;
    let token = app.app_token().await;
    let reply = app.post(WIDGET_PATHS[0], Some(&token), &body).await;
    let minted = assert_warned(
        &app,
        WIDGET_PATHS[0],
        reply,
        &[
            "selected_source_template_tags[1]: tag names must not be empty",
            "matches nothing",
        ],
    )
    .await;
    let decoded = WidgetToken::decode(minted["token"].as_str().expect("token")).expect("decodes");
    let claims = jwt_claims(decoded.token.as_deref().expect("jwt"));
    assert_eq!(claims["selected_source_template_tags"], json!(["ok", ""]));

    let strict = strict_app().await;
    let token = strict.app_token().await;
    let reply = strict.post(WIDGET_PATHS[0], Some(&token), &body).await;
    assert_refused(
        &reply,
        "selected_source_template_tags[1]",
        "must not be empty",
    );
}

#[tokio::test]
async fn an_alias_that_disagrees_loses_to_workspace_name_with_a_warning() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (a, b) = (unique("winner"), unique("loser"));
    let body = json!({"workspace_name": a, "customer_name": b, "allowed_origin": ORIGIN});
    let (status, headers, reply) = app.post(WIDGET_PATHS[0], Some(&token), &body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let texts = warnings(&headers);
    assert!(
        texts.iter().any(|t| t.contains(&format!(
            "customer_name '{b}' disagrees with workspace_name '{a}'"
        ))),
        "{texts:?}"
    );
    assert!(app.workspace_id(&a).is_some() && app.workspace_id(&b).is_none());

    let strict = strict_app().await;
    let token = strict.app_token().await;
    let reply = strict.post(WIDGET_PATHS[0], Some(&token), &body).await;
    assert_refused(&reply, "customer_name", "disagrees with workspace_name");
}

#[tokio::test]
async fn connectors_warn_about_customer_name_except_at_the_sdk_path() {
    for strict in [false, true] {
        let app = spawn_app_with(Config {
            strict,
            ..Config::default()
        })
        .await;
        let token = app.app_token().await;
        let body = |name: &str| json!({"customer_name": name, "definition_id": STRIPE, "replication_config": sample_config("Stripe")});

        // Airbyte's Python SDK creates here with customer_name (a real client): never a warning.
        let name = unique("sdk");
        let (status, headers, reply) = app
            .post("/v1/integrations/connectors", Some(&token), &body(&name))
            .await;
        assert_eq!(status, StatusCode::OK, "strict={strict}: {reply}");
        assert!(warnings(&headers).is_empty(), "strict={strict}");
        assert!(app.workspace_id(&name).is_some());

        // The published path's body has only workspace_name.
        for path in [
            "/api/v1/integrations/connectors",
            "/api/v1/integrations/connectors/check",
        ] {
            let reply = app.post(path, Some(&token), &body(&unique("api"))).await;
            if strict {
                assert_refused(&reply, "customer_name", "send workspace_name instead");
            } else {
                let (status, headers, body) = reply;
                assert_eq!(status, StatusCode::OK, "{path}: {body}");
                assert!(
                    warnings(&headers)
                        .iter()
                        .any(|t| t
                            .contains("customer_name is not in Airbyte's published API document")),
                    "{path}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_connector_type_given_as_the_image_name_is_matched_with_a_warning_by_default() {
    let body = json!({"workspace_name": unique("image"), "connector_type": "source-stripe",
                      "replication_config": sample_config("Stripe")});
    let path = "/api/v1/integrations/connectors";
    let app = spawn_app().await;
    let token = app.app_token().await;
    let reply = app.post(path, Some(&token), &body).await;
    let created = assert_warned(
        &app,
        path,
        reply,
        &["connector_type 'source-stripe'", "send 'Stripe'"],
    )
    .await;
    assert_eq!(created["source_template"]["name"], "Stripe");
    // The connector name, in any case, is what the document asks for: no warning.
    let mut by_name = body.clone();
    by_name["connector_type"] = json!("STRIPE");
    let (status, headers, reply) = app.post(path, Some(&token), &by_name).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(warnings(&headers).is_empty(), "{:?}", warnings(&headers));

    let strict = strict_app().await;
    let token = strict.app_token().await;
    let reply = strict.post(path, Some(&token), &body).await;
    assert_refused(&reply, "connector_type", "send 'Stripe'");
}

#[tokio::test]
async fn a_passing_simulated_check_says_it_tried_no_credentials_in_both_modes() {
    for strict in [false, true] {
        let app = spawn_app_with(Config {
            strict,
            ..Config::default()
        })
        .await;
        let token = app.app_token().await;
        let path = "/api/v1/integrations/connectors/check";
        let body = json!({"workspace_name": unique("check"), "definition_id": STRIPE,
                          "replication_config": sample_config("Stripe")});
        let reply = app.post(path, Some(&token), &body).await;
        let checked =
            assert_warned(&app, path, reply, &["credentials were not tried", "'fail'"]).await;
        assert_eq!(checked["status"], "succeeded", "strict={strict}");

        // A failing outcome is what Airbyte would answer for rejected credentials: nothing to warn about.
        let mut failing = body.clone();
        failing["replication_config"]["client_secret"] = json!("fail");
        let (status, headers, reply) = app.post(path, Some(&token), &failing).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(reply["status"], "failed");
        assert!(warnings(&headers).is_empty(), "{:?}", warnings(&headers));

        // The end user's check in the widget's API says the same.
        let jwt = app.scoped_token(&unique("check-user")).await;
        let path = "/api/v1/embedded/sources/check";
        let template = app.template_id("Stripe");
        let reply = app
            .post(
                path,
                Some(&jwt),
                &json!({"source_template_id": template, "source_config": sample_config("Stripe")}),
            )
            .await;
        assert_warned(&app, path, reply, &["credentials were not tried"]).await;
    }
}

#[tokio::test]
async fn a_state_with_a_non_canonical_origin_or_tag_name_loads_back() {
    let app = spawn_app().await;
    let token = app.app_token().await;
    let (status, _, body) = app
        .post(
            WIDGET_PATHS[0],
            Some(&token),
            &json!({"workspace_name": unique("dump"), "allowed_origin": "http://localhost:3000/"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app
        .post(
            "/api/v1/integrations/templates/tags",
            Some(&token),
            &json!({"name": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, dump) = app.get("/_mock/state", None).await;
    assert_eq!(status, StatusCode::OK, "{dump}");
    assert!(
        dump["allowed_origins"]
            .as_array()
            .expect("origins")
            .contains(&json!("http://localhost:3000/")),
        "{dump}"
    );
    let (status, _, body) = app.put("/_mock/state", None, &dump).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a dump of the mock loads back: {body}"
    );
}
