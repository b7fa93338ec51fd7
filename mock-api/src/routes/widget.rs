//! The widget stand-in, served by the mock: the drop-in `AirbyteEmbeddedWidget` script (classic and
//! ES-module forms, also at the CDN-shaped path), the authentication-module page the iframe shows (an
//! HTML shell and its ES modules), its OAuth consent popup, and the endpoint that judges the origins the
//! page observed and logs the diagnosis.

use airbyte_embedded::{ApiErrorResponse, origin_differences, validate_allowed_origin};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi;
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

const PAGE_HTML: &str = include_str!("../../assets/embedded-widget/index.html");
const CONSENT_HTML: &str = include_str!("../../assets/oauth-consent.html");

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The page's entry module (`app.js`), the modules it imports and its stylesheet, each served at
/// `/embedded-widget/<name>`. A module missing here is a 404 in the browser, and a test compares this
/// list with the directory.
const PAGE_ASSETS: [(&str, &str, &str); 11] = [
    (
        "app.js",
        include_str!("../../assets/embedded-widget/app.js"),
        JAVASCRIPT,
    ),
    (
        "api.js",
        include_str!("../../assets/embedded-widget/api.js"),
        JAVASCRIPT,
    ),
    (
        "diagnosis.js",
        include_str!("../../assets/embedded-widget/diagnosis.js"),
        JAVASCRIPT,
    ),
    (
        "dom.js",
        include_str!("../../assets/embedded-widget/dom.js"),
        JAVASCRIPT,
    ),
    (
        "oauth.js",
        include_str!("../../assets/embedded-widget/oauth.js"),
        JAVASCRIPT,
    ),
    (
        "page.js",
        include_str!("../../assets/embedded-widget/page.js"),
        JAVASCRIPT,
    ),
    (
        "protocol.js",
        include_str!("../../assets/embedded-widget/protocol.js"),
        JAVASCRIPT,
    ),
    (
        "schema-form.js",
        include_str!("../../assets/embedded-widget/schema-form.js"),
        JAVASCRIPT,
    ),
    (
        "token.js",
        include_str!("../../assets/embedded-widget/token.js"),
        JAVASCRIPT,
    ),
    (
        "views.js",
        include_str!("../../assets/embedded-widget/views.js"),
        JAVASCRIPT,
    ),
    (
        "app.css",
        include_str!("../../assets/embedded-widget/app.css"),
        CSS,
    ),
];

/// The npm package the real widget ships as; its CDN path is answered with our script.
pub(crate) const PACKAGE: &str = "@airbyte-embedded/airbyte-embedded-widget";

pub(crate) fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(widget_js))
        .routes(routes!(widget_esm_js))
        .routes(routes!(cdn_path))
        .routes(routes!(page))
        .routes(routes!(diagnostics))
        .routes(routes!(consent));
    PAGE_ASSETS
        .into_iter()
        .fold(router, |router, (name, body, content_type)| {
            openapi::asset_route(
                router,
                &format!("/embedded-widget/{name}"),
                get(move |headers: HeaderMap| async move { asset(&headers, body, content_type) }),
                openapi::WIDGET,
                content_type,
            )
        })
}

/// The widget script (classic form), as the CDN serves it.
#[utoipa::path(get, path = "/widget.js", tag = openapi::WIDGET,
    responses((status = 200, description = "The script", content_type = "text/javascript"),
        (status = 304, description = "Not modified (the ETag matches If-None-Match)")))]
async fn widget_js(headers: HeaderMap) -> Response {
    script(&headers, WIDGET_JS)
}

/// The widget script as an ES module.
#[utoipa::path(get, path = "/widget.esm.js", tag = openapi::WIDGET,
    responses((status = 200, description = "The module", content_type = "text/javascript"),
        (status = 304, description = "Not modified (the ETag matches If-None-Match)")))]
async fn widget_esm_js(headers: HeaderMap) -> Response {
    script(&headers, WIDGET_ESM)
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
pub(crate) fn asset(headers: &HeaderMap, body: &str, content_type: &'static str) -> Response {
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

#[utoipa::path(get, path = "/npm/{*path}", tag = openapi::WIDGET,
    params(("path" = String, Path, description = "`@airbyte-embedded/airbyte-embedded-widget@<version>[/<file>]`")),
    responses((status = 200, description = "The script (the ES module for an `esm` file or `+esm` version)", content_type = "text/javascript"),
        (status = 304, description = "Not modified (the ETag matches If-None-Match)"),
        (status = 404, description = "Another package, or no version", body = ApiErrorResponse)))]
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

#[utoipa::path(get, path = "/embedded-widget", tag = openapi::WIDGET,
    params(("allowedOrigin" = Option<String>, Query, description = "The host page's origin, as the widget script passes it")),
    responses((status = 200, description = "The authentication-module page", content_type = "text/html")))]
/// The page shell, with the verdict on its `allowedOrigin` written in, so the page never needs rules of
/// its own to tell whether it can ask for its token at all.
async fn page(query: QueryPairs) -> Response {
    let verdict = judge(query.get("allowedOrigin"), None);
    // `<` escaped so the JSON cannot close the <script> element it sits in.
    let verdict = serde_json::to_string(&verdict)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c");
    html_page(
        PAGE_HTML.replace("__ORIGIN_VERDICT__", &verdict),
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
    )
}

/// An HTML page the mock serves: never cached, no referrer, and the page's own CSP.
pub(crate) fn html_page(body: String, csp: &'static str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// What the page saw: the problem, the `allowedOrigin` it was served with, and the origin it observed
/// (a message's `event.origin`, or the referrer's), which only the browser can know.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct Diagnosis {
    problem: String,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    received: Option<String>,
}

/// The mock's reading of an `allowedOrigin` and an observed origin, which the page shows as it is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct OriginVerdict {
    /// What is wrong with `allowedOrigin` as an `allowed_origin`, by the rules the widget-token endpoint
    /// applies; `null` when it is a proper origin.
    allowed_origin_problem: Option<String>,
    /// The origin to mint the widget token with, when it can be worked out.
    suggestion: Option<String>,
    /// One sentence per thing that is wrong or differs (scheme, host, port).
    differences: Vec<String>,
    /// What to do about it.
    fix: String,
}

const GENERIC_FIX: &str = "Mint the widget token with allowed_origin set to exactly the host page's \
     window.location.origin (scheme, host and port; no path, no trailing slash).";

fn judge(expected: Option<&str>, received: Option<&str>) -> OriginVerdict {
    let expected = expected.unwrap_or_default();
    let (allowed_origin_problem, canonical) = match validate_allowed_origin(expected) {
        Ok(origin) => (None, Some(origin.to_owned())),
        Err(problem) => (Some(problem.message), problem.suggestion),
    };
    // A browser reports origins already serialised; anything else (the opaque "null" included) tells
    // nothing about the embedding page.
    let received = received.filter(|r| validate_allowed_origin(r).is_ok());
    let mut differences: Vec<String> = allowed_origin_problem
        .iter()
        .map(|p| format!("{p}."))
        .collect();
    if let (Some(canonical), Some(received)) = (canonical.as_deref(), received) {
        differences.extend(origin_differences(canonical, received));
    }
    let suggestion = match received {
        Some(r) if r != expected => Some(r.to_owned()),
        _ => canonical.filter(|c| c != expected),
    };
    let fix = match (&suggestion, received) {
        (Some(s), Some(r)) if s == r => format!(
            "Mint the widget token with allowed_origin = '{s}' (exactly the host page's window.location.origin)."
        ),
        (Some(s), _) => format!("Mint the widget token with allowed_origin = '{s}'."),
        (None, _) => GENERIC_FIX.to_owned(),
    };
    OriginVerdict {
        allowed_origin_problem,
        suggestion,
        differences,
        fix,
    }
}

fn clip(s: Option<&str>) -> &str {
    let s = s.unwrap_or("-");
    match s.char_indices().nth(1000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[utoipa::path(post, path = "/embedded-widget/diagnostics", tag = openapi::WIDGET,
    request_body = Diagnosis,
    responses((status = 200, description = "The verdict the page shows", body = OriginVerdict),
        (status = 400, description = "The body could not be read", body = ApiErrorResponse),
        (status = 413, description = "The body is over the mock's limit", body = ApiErrorResponse),
        (status = 415, description = "The body is not `application/json`", body = ApiErrorResponse),
        (status = 422, description = "Malformed JSON, or a missing or invalid field", body = ApiErrorResponse)))]
/// The page reports an origin mismatch, a missing token or an unusable `allowedOrigin` here: the answer
/// is the verdict it shows, and the diagnosis lands in the mock's log too (the real iframe hangs
/// silently).
async fn diagnostics(Json(d): Json<Diagnosis>) -> Response {
    let verdict = judge(d.expected.as_deref(), d.received.as_deref());
    let summary = verdict
        .differences
        .iter()
        .chain(std::iter::once(&verdict.fix))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    tracing::warn!(
        problem = clip(Some(&d.problem)),
        expected = clip(d.expected.as_deref()),
        received = clip(d.received.as_deref()),
        "widget diagnosis: {}",
        clip(Some(&summary))
    );
    let mut response = axum::Json(verdict).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(get, path = "/embedded-widget/oauth/consent", tag = openapi::WIDGET,
    params(("source_template_id" = Uuid, Query, description = "The OAuth template"),
        ("session" = Option<Uuid>, Query, description = "A server-side flow, from `oauth/initiate`")),
    responses((status = 200, description = "The consent page", content_type = "text/html"),
        (status = 404, description = "No such template or flow", body = ApiErrorResponse),
        (status = 422, description = "A missing or invalid parameter, or a template without OAuth", body = ApiErrorResponse)))]
/// The consent popup for an OAuth connector: "Allow" hands generated credentials to the form.
async fn consent(State(state): State<AppState>, query: QueryPairs) -> AppResult<Response> {
    let template_id = query
        .uuid("source_template_id")?
        .ok_or_else(|| AppError::invalid("source_template_id", "query parameter required"))?;
    let template = crate::domain::templates::source_template(&state.store, template_id)?;
    template
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
    // Generated credentials for every OAuth output, the organization's own client id (from
    // `PUT /api/v1/oauth/credentials`) when it set one; its secret never reaches the browser.
    let (payload, org_client_id) =
        crate::domain::oauth::auth_payload(&state.store, &template, false);
    let session = query.uuid("session")?;
    if let Some(id) = session {
        crate::domain::oauth::session(&state.store, id)
            .filter(|s| s.template_id == template_id)
            .ok_or_else(|| AppError::not_found("OAuth session", id))?;
    }
    // A server-side flow (`…/connectors/oauth/initiate`): Allow and Deny post to the mock, which
    // creates the source and redirects; the payload stays on the server.
    let data = match session {
        Some(id) => {
            json!({"connector": template.name, "icon": template.icon, "client_id": org_client_id,
                           "complete_url": format!("/embedded-widget/oauth/complete?session={id}")})
        }
        None => json!({"connector": template.name, "icon": template.icon, "auth_payload": payload,
                       "client_id": org_client_id}),
    };
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
