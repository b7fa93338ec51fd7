//! The widget stand-in, served by the mock: the drop-in `AirbyteEmbeddedWidget` script (classic and
//! ES-module forms, also at the CDN-shaped path), the authentication-module page the iframe shows,
//! its OAuth consent popup, and the endpoint where that page reports origin problems to our log.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, QueryPairs};

/// The classic script: the one copy of the widget's code inside an IIFE that publishes the global, as
/// the CDN script does. Composed at compile time, so it and [`WIDGET_ESM`] cannot drift.
const WIDGET_JS: &str = concat!(
    "(function () {\n\"use strict\";\n\n",
    include_str!("../../assets/widget/airbyte-embedded-widget.js"),
    "\nwindow.AirbyteEmbeddedWidget = AirbyteEmbeddedWidget;\n})();\n",
);

/// The ES module: the same code followed by its exports.
const WIDGET_ESM: &str = concat!(
    include_str!("../../assets/widget/airbyte-embedded-widget.js"),
    "\n// Like the real package, importing it also defines the global.\n",
    "if (typeof window !== \"undefined\") {\n  window.AirbyteEmbeddedWidget = AirbyteEmbeddedWidget;\n}\n\n",
    "export { AirbyteEmbeddedWidget };\nexport default AirbyteEmbeddedWidget;\n",
);

const PAGE_HTML: &str = include_str!("../../assets/embedded-widget.html");
const PAGE_JS: &str = include_str!("../../assets/embedded-widget.js");
const PAGE_CSS: &str = include_str!("../../assets/embedded-widget.css");
const CONSENT_HTML: &str = include_str!("../../assets/oauth-consent.html");

/// The npm package the real widget ships as; its CDN path is answered with our script.
pub const PACKAGE: &str = "@airbyte-embedded/airbyte-embedded-widget";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/widget.js",
            get(|headers: HeaderMap| async move { script(&headers, WIDGET_JS) }),
        )
        .route(
            "/widget.esm.js",
            get(|headers: HeaderMap| async move { script(&headers, WIDGET_ESM) }),
        )
        .route("/npm/{*path}", get(cdn_path))
        .route("/embedded-widget", get(page))
        .route(
            "/embedded-widget/app.js",
            get(|headers: HeaderMap| async move {
                asset(&headers, PAGE_JS, "text/javascript; charset=utf-8")
            }),
        )
        .route(
            "/embedded-widget/app.css",
            get(|headers: HeaderMap| async move {
                asset(&headers, PAGE_CSS, "text/css; charset=utf-8")
            }),
        )
        .route("/embedded-widget/diagnostics", post(diagnostics))
        .route("/embedded-widget/oauth/consent", get(consent))
}

fn etag(body: &str) -> String {
    // FNV-1a: stable across runs and builds of the same asset, which is all an ETag needs.
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

/// A static asset with revalidation: `no-cache` plus an ETag, so a browser always picks up a new mock
/// build but does not download an unchanged script twice.
fn asset(headers: &HeaderMap, body: &str, content_type: &'static str) -> Response {
    let tag = etag(body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.to_owned().into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// The widget script is public and holds no secret; module imports across origins need CORS.
fn script(headers: &HeaderMap, body: &str) -> Response {
    let mut response = asset(headers, body, "text/javascript; charset=utf-8");
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `/npm/@airbyte-embedded/airbyte-embedded-widget@<version>[/<file>]`, as the docs' CDN URL is shaped.
async fn cdn_path(headers: HeaderMap, Path(path): Path<String>) -> Response {
    let Some(rest) = path.strip_prefix(PACKAGE).and_then(|r| r.strip_prefix('@')) else {
        return AppError::not_found("Package", &path).into_response();
    };
    let (version, file) = rest.split_once('/').unwrap_or((rest, ""));
    if version.is_empty() {
        return AppError::not_found("Package version", &path).into_response();
    }
    if file.contains("esm") || version.ends_with("+esm") {
        script(&headers, WIDGET_ESM)
    } else {
        script(&headers, WIDGET_JS)
    }
}

async fn page() -> Response {
    let mut response = PAGE_HTML.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Debug, Deserialize)]
struct Diagnosis {
    problem: String,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    received: Option<String>,
    #[serde(default)]
    hint: Option<String>,
}

fn clip(s: Option<&str>) -> &str {
    let s = s.unwrap_or("-");
    match s.char_indices().nth(1000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The module page reports an origin mismatch or a missing token here, so the diagnosis lands in the
/// mock's log too (the real iframe hangs silently).
async fn diagnostics(Json(d): Json<Diagnosis>) -> StatusCode {
    tracing::warn!(
        problem = clip(Some(&d.problem)),
        expected = clip(d.expected.as_deref()),
        received = clip(d.received.as_deref()),
        "widget diagnosis: {}",
        clip(d.hint.as_deref())
    );
    StatusCode::NO_CONTENT
}

/// Every `path_in_connector_config` in one part of an OAuth config specification.
fn output_paths(spec: Option<&Value>) -> Vec<Vec<String>> {
    spec.and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| {
            props
                .values()
                .filter_map(|p| p.get("path_in_connector_config")?.as_array())
                .map(|path| {
                    path.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The consent popup for an OAuth connector: "Allow" hands generated credentials to the form.
async fn consent(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let template_id = query
        .uuid("source_template_id")?
        .ok_or_else(|| AppError::invalid("source_template_id", "query parameter required"))?;
    let template = state
        .store
        .read(|d| {
            d.source_templates
                .get(&template_id)
                .map(|t| t.template.clone())
        })
        .ok_or_else(|| AppError::not_found("Source template", template_id))?;
    let auth = template
        .user_config_spec
        .advanced_auth
        .as_ref()
        .ok_or_else(|| {
            AppError::invalid(
                "source_template_id",
                format!(
                    "{} does not use OAuth (its spec has no advanced_auth)",
                    template.name
                ),
            )
        })?;
    let oauth = auth.get("oauth_config_specification");
    let mut paths = output_paths(oauth.and_then(|o| o.get("complete_oauth_output_specification")));
    paths.extend(output_paths(
        oauth.and_then(|o| o.get("complete_oauth_server_output_specification")),
    ));
    let slug = template
        .connector_name
        .clone()
        .unwrap_or_else(|| "oauth".into())
        .replace("source-", "");
    let payload: Map<String, Value> = state.store.with_ids(|ids| {
        paths
            .iter()
            .map(|path| {
                let key = path.last().cloned().unwrap_or_default();
                let value = if key.contains("client_id") {
                    ids.secret(&format!("mock-{slug}-client-"), 12)
                } else {
                    ids.secret(&format!("mock-{slug}-{}-", key.replace('_', "-")), 24)
                };
                (path.join("."), Value::String(value))
            })
            .collect()
    });
    let data = json!({"connector": template.name, "icon": template.icon, "auth_payload": payload});
    // `<` escaped so the JSON cannot close the <script> element it sits in.
    let data = data.to_string().replace('<', "\\u003c");
    let mut response = CONSENT_HTML
        .replace("__CONSENT_DATA__", &data)
        .into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
