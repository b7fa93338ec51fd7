//! Hardening: property-based fuzzing of every JSON endpoint (the published document's operations,
//! the `/api/v1/embedded/*` routes, the OLD token paths). Bodies, query strings, path parameters and
//! headers get arbitrary values: wrong types, huge strings, odd unicode, bad UUIDs, broken
//! percent-encoding. The mock must answer every request (no dropped connection), never with a 5xx,
//! and every 4xx in Airbyte's error shape. One server per test; 64 cases per group keeps the file
//! to seconds.

use airbyte_mock::testkit::assert_error_shape;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::hardening_routes::{Fixture, Route, Tier, fixture, plausible_body};
use crate::helpers::{ORIGIN, TestApp, spawn_app};

/// 64 cases per group, or `PROPTEST_CASES` for a longer hunt.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        // A failing case re-runs against a live server: shrink a little, not for minutes.
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Strings that have broken parsers before: bad UUIDs, odd unicode, control characters, numbers
/// in disguise, the redaction mask and the outcome inputs.
const NASTY: &[&str] = &[
    "",
    " ",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000g",
    "00000000-0000-0000-0000-0000000000000",
    "{00000000-0000-4000-8000-000000000001}",
    "urn:uuid:00000000-0000-4000-8000-000000000001",
    "00000000000040008000000000000001",
    "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    "\u{202E}evil\u{202C}",
    "\u{200B}\u{200D}\u{FEFF}",
    "e\u{301}\u{301}\u{301}",
    "🦀🏳️‍🌈",
    "\u{0}",
    "a\u{0}b",
    "\u{7F}\u{80}\u{9F}",
    "\u{FFFF}\u{10FFFF}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "../../etc/passwd",
    "%00%ff%zz",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "${jndi:ldap://x}",
    "-1",
    "1e309",
    "NaN",
    "9999999999999999999999999",
    "true",
    "null",
    "**********",
    "fail",
    "slow",
    "error_X",
    "http://localhost:3000",
    "http://localhost:3000/",
    "*",
];

/// A string: random printable, random anything, a nasty one, or huge (up to 64 KiB).
fn odd_string() -> impl Strategy<Value = String> {
    odd_string_up_to(65_536)
}

/// [`odd_string`] with huge strings up to `max` bytes (URLs and headers have their own limits).
fn odd_string_up_to(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,24}",
        2 => any::<String>(),
        3 => prop::sample::select(NASTY).prop_map(str::to_owned),
        1 => Just(Uuid::new_v4().to_string()),
        1 => (1usize..max, prop::sample::select(&["x", "é", "🦀", "\u{0}"][..]))
            .prop_map(|(n, s)| s.repeat(n / s.len().max(1))),
    ]
}

/// The field names the routes read, so arbitrary objects get past the first field.
const FIELDS: &[&str] = &[
    "client_id",
    "client_secret",
    "workspace_name",
    "customer_name",
    "external_user_id",
    "allowed_origin",
    "region_id",
    "selected_source_template_tags",
    "selected_source_template_tags_mode",
    "selected_connection_template_tags",
    "organizationId",
    "externalUserId",
    "allowedOrigin",
    "workspace_id",
    "source_template_id",
    "source_config",
    "source_id",
    "replication_config",
    "name",
    "tag",
    "tags",
    "actor_definition_id",
    "definition_id",
    "partial_default_config",
    "customization",
    "destination_name",
    "destination_definition_id",
    "destination_config",
    "cron_expression",
    "sync_on_create",
    "data_hosting_type",
    "status",
    "entity",
    "action",
    "params",
    "connector_type",
    "configuration",
    "redirect_url",
    "problem",
];

/// Arbitrary JSON with the known field names mixed into objects.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        3 => prop::sample::select(FIELDS).prop_map(str::to_owned),
        1 => odd_string().prop_map(|s| s.chars().take(40).collect()),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        odd_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Sends and reads the answer; a dropped connection or an unreadable body fails the case.
async fn exchange(request: RequestBuilder) -> Result<(StatusCode, Value), String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("the answer broke off: {e}"))?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok((status, body))
}

/// The properties every answer has: it came, it is not a 5xx, and a 4xx is in the error shape.
fn check(
    what: &str,
    reply: Result<(StatusCode, Value), String>,
) -> Result<StatusCode, TestCaseError> {
    let (status, body) = reply.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    let short: String = body.to_string().chars().take(400).collect();
    prop_assert!(!status.is_server_error(), "{what}: {status} {short}");
    if status.is_client_error() {
        let shaped = std::panic::catch_unwind(|| assert_error_shape(&body));
        prop_assert!(
            shaped.is_ok(),
            "{what}: {status} not the error shape: {short}"
        );
    }
    Ok(status)
}

/// After a sweep the server still answers and its health is good.
fn assert_healthy(runtime: &tokio::runtime::Runtime, app: &TestApp) {
    let (status, _, body) = runtime.block_on(app.get("/_mock/health", None));
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn setup(name: &str) -> (tokio::runtime::Runtime, TestApp, Fixture) {
    let runtime = runtime();
    let app = runtime.block_on(spawn_app());
    let fixture = runtime.block_on(fixture(&app, name));
    (runtime, app, fixture)
}

#[test]
fn arbitrary_json_bodies_on_every_body_route() {
    let (runtime, app, fixture) = setup("fuzz-body");
    let routes: Vec<&Route> = fixture.routes.iter().filter(|r| r.body).collect();
    assert!(routes.len() >= 20, "{} body routes", routes.len());
    proptest!(config(), |(value in arb_json())| {
        for route in &routes {
            let request = app
                .request(route.method.clone(), &route.path, fixture.bearer(route.tier))
                .json(&value);
            let what = format!("{} with {}", route.label(), short(&value));
            check(&what, runtime.block_on(exchange(request)))?;
        }
    });
    assert_healthy(&runtime, &app);
}

/// Raw bytes as a body: not JSON, half JSON, JSON with junk after it, under any content type.
#[test]
fn raw_bytes_under_any_content_type_on_every_body_route() {
    let (runtime, app, fixture) = setup("fuzz-bytes");
    let routes: Vec<&Route> = fixture.routes.iter().filter(|r| r.body).collect();
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        arb_json().prop_map(|v| {
            let text = v.to_string().into_bytes();
            text[..text.len() / 2].to_vec()
        }),
        arb_json().prop_map(|v| format!("{v}{v}").into_bytes()),
    ];
    let content_type = prop_oneof![
        Just("application/json".to_owned()),
        Just("application/json; charset=utf-16".to_owned()),
        Just("application/vnd.api+json".to_owned()),
        Just("text/plain".to_owned()),
        Just("application/x-www-form-urlencoded".to_owned()),
        Just("multipart/form-data; boundary=x".to_owned()),
        "[ -~]{0,40}",
    ];
    proptest!(config(), |(body in bytes, ct in content_type)| {
        for route in &routes {
            let mut request = app
                .request(route.method.clone(), &route.path, fixture.bearer(route.tier))
                .body(body.clone());
            if let Ok(value) = HeaderValue::from_str(&ct) {
                request = request.header("content-type", value);
            }
            let what = format!("{} with {} bytes as {ct:?}", route.label(), body.len());
            check(&what, runtime.block_on(exchange(request)))?;
        }
    });
    assert_healthy(&runtime, &app);
}

/// Query parameters most routes read, besides those the document names.
const QUERY_KEYS: &[&str] = &[
    "workspace_id",
    "workspace_name",
    "customer_name",
    "external_user_id",
    "definition_id",
    "limit",
    "cursor",
    "offset",
    "status",
    "name",
    "name_contains",
    "tags",
    "tags_mode",
    "use_global",
    "actorDefinitionIds",
    "region_id",
];

fn query_pairs() -> impl Strategy<Value = Vec<(String, String, bool)>> {
    let key = prop_oneof![
        3 => prop::sample::select(QUERY_KEYS).prop_map(str::to_owned),
        1 => odd_string().prop_map(|s| s.chars().take(30).collect()),
    ];
    // The flag sends the pair without percent-encoding it (the URL parser still escapes what it
    // must, so `%zz`, `&` and `=` arrive as typed).
    // Values up to 2 KiB each: a URL of 64 KiB and more is refused by the client before it is sent.
    prop::collection::vec((key, odd_string_up_to(2048), any::<bool>()), 0..6)
}

fn encode(s: &str, raw: bool) -> String {
    if raw {
        s.replace('#', "%23")
    } else {
        utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
    }
}

#[test]
fn random_query_strings_and_path_parameters_on_every_route() {
    let (runtime, app, fixture) = setup("fuzz-query");
    let path_value = prop_oneof![
        3 => Just(None),
        1 => odd_string_up_to(512).prop_map(|s| Some(s.chars().take(200).collect::<String>())),
    ];
    proptest!(config(), |(pairs in query_pairs(), path in path_value, named in any::<prop::sample::Index>())| {
        for route in &fixture.routes {
            let mut pairs = pairs.clone();
            // One of the route's own parameters, so each gets junk now and then.
            if !route.query.is_empty() {
                pairs.push((named.get(&route.query).clone(), "%ZZ\u{0}🦀".to_owned(), false));
            }
            let query = pairs
                .iter()
                .map(|(k, v, raw)| format!("{}={}", encode(k, *raw), encode(v, *raw)))
                .collect::<Vec<_>>()
                .join("&");
            let base = match (&path, route.template.contains('{')) {
                (Some(value), true) => route.path_with(&encode(value, false)),
                _ => route.path.clone(),
            };
            let url = if query.is_empty() { base } else { format!("{base}?{query}") };
            let mut request = app.request(route.method.clone(), &url, fixture.bearer(route.tier));
            if route.body {
                request = request.json(&plausible_body(&fixture, route));
            }
            let what = format!("{} as {}", route.label(), url.chars().take(300).collect::<String>());
            check(&what, runtime.block_on(exchange(request)))?;
        }
    });
    assert_healthy(&runtime, &app);
}

/// The headers the mock reads, and a few it should ignore. `X-Mock-Scenario` is left out: its whole
/// point is to make the mock answer a chosen 5xx (its parser has its own tests in scenario.rs).
const HEADER_NAMES: &[&str] = &[
    "authorization",
    "x-organization-id",
    "content-type",
    "accept",
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "x-forwarded-for",
    "x-request-id",
    "cookie",
    "accept-encoding",
];

/// A header value: printable ASCII, or bytes including obs-text (0x80–0xFF), as a client may send.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[ -~]{0,60}".prop_map(String::into_bytes),
        prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..80),
        prop::sample::select(NASTY).prop_map(|s| s.as_bytes().to_vec()),
        (1usize..16_000).prop_map(|n| "a".repeat(n).into_bytes()),
    ]
}

/// What goes in `Authorization`: the route's own token, someone else's, a damaged one, junk.
#[derive(Clone, Debug)]
enum Auth {
    Own,
    Other,
    Suffixed(String),
    Scheme(String),
    Raw(Vec<u8>),
    Absent,
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        2 => Just(Auth::Own),
        1 => Just(Auth::Other),
        1 => "[ -~]{0,20}".prop_map(Auth::Suffixed),
        1 => prop::sample::select(&["Bearer", "bearer", "BEARER", "Basic", "Token", "Bearer\t", ""][..])
            .prop_map(|s| Auth::Scheme(s.to_owned())),
        1 => header_value().prop_map(Auth::Raw),
        1 => Just(Auth::Absent),
    ]
}

#[test]
fn random_header_values_on_every_route() {
    let (runtime, app, fixture) = setup("fuzz-headers");
    let org = app.organization_id().to_string();
    let headers = prop::collection::vec(
        (
            prop_oneof![
                3 => prop::sample::select(HEADER_NAMES).prop_map(str::to_owned),
                1 => "x-[a-z0-9-]{1,20}",
            ],
            header_value(),
        ),
        0..6,
    );
    let organization = prop_oneof![
        2 => Just(None),
        1 => Just(Some(org.clone().into_bytes())),
        1 => Just(Some(org.to_uppercase().into_bytes())),
        2 => header_value().prop_map(Some),
    ];
    proptest!(config(), |(auth in auth(), organization in organization, headers in headers, preflight in any::<bool>())| {
        for route in &fixture.routes {
            let own = fixture.bearer(route.tier);
            let other = match route.tier {
                Tier::EndUser => Some(fixture.operator.as_str()),
                _ => Some(fixture.scoped.as_str()),
            };
            let authorization: Option<Vec<u8>> = match &auth {
                Auth::Own => own.map(|t| format!("Bearer {t}").into_bytes()),
                Auth::Other => other.map(|t| format!("Bearer {t}").into_bytes()),
                Auth::Suffixed(junk) => own.map(|t| format!("Bearer {t}{junk}").into_bytes()),
                Auth::Scheme(scheme) => own.map(|t| format!("{scheme} {t}").into_bytes()),
                Auth::Raw(bytes) => Some(bytes.clone()),
                Auth::Absent => None,
            };
            let method = if preflight { Method::OPTIONS } else { route.method.clone() };
            let mut request = app.request(method, &route.path, None);
            if route.body && !preflight {
                request = request.json(&plausible_body(&fixture, route));
            }
            if preflight {
                request = request
                    .header("origin", ORIGIN)
                    .header("access-control-request-method", route.method.as_str());
            }
            let mut sent = Vec::new();
            let all = authorization
                .map(|v| ("authorization".to_owned(), v))
                .into_iter()
                .chain(organization.clone().map(|v| ("x-organization-id".to_owned(), v)))
                .chain(headers.iter().cloned());
            for (name, value) in all {
                if let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(&value))
                {
                    sent.push(format!("{name}: {}", String::from_utf8_lossy(value.as_bytes()).chars().take(60).collect::<String>()));
                    request = request.header(name, value);
                }
            }
            let what = format!("{}{} with {sent:?}", if preflight { "OPTIONS for " } else { "" }, route.label());
            check(&what, runtime.block_on(exchange(request)))?;
        }
    });
    assert_healthy(&runtime, &app);
}

/// The valid body with one field replaced by a value of another type, per route: the path of
/// least resistance to a field the handler reads after the first check.
#[test]
fn one_mistyped_field_in_an_otherwise_valid_body() {
    let (runtime, app, fixture) = setup("fuzz-field");
    let routes: Vec<&Route> = fixture.routes.iter().filter(|r| r.body).collect();
    let valid = |route: &Route| -> Value {
        let mut body = plausible_body(&fixture, route);
        if let Value::Object(map) = &mut body {
            map.insert("source_id".into(), json!(fixture.source_id));
            map.insert("workspace_id".into(), json!(fixture.workspace_id));
            map.insert("name".into(), json!("fuzzed"));
            map.insert("client_id".into(), json!(crate::helpers::CLIENT_ID));
            map.insert("client_secret".into(), json!(crate::helpers::CLIENT_SECRET));
        }
        body
    };
    proptest!(config(), |(field in prop::sample::select(FIELDS), value in arb_json())| {
        for route in &routes {
            let mut body = valid(route);
            if let Value::Object(map) = &mut body {
                map.insert(field.to_owned(), value.clone());
            }
            let request = app
                .request(route.method.clone(), &route.path, fixture.bearer(route.tier))
                .json(&body);
            let what = format!("{} with {field} = {}", route.label(), short(&value));
            check(&what, runtime.block_on(exchange(request)))?;
        }
    });
    assert_healthy(&runtime, &app);
}

fn short(value: &Value) -> String {
    value.to_string().chars().take(200).collect()
}

/// Any method on any route's path, extension methods included: a 405 (or an answer) in the error
/// shape, never a 5xx. HEAD answers have no body by definition, so only their status is checked.
#[test]
fn random_methods_on_every_path() {
    let (runtime, app, fixture) = setup("fuzz-methods");
    let method = prop_oneof![
        prop::sample::select(
            &[
                "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND",
                "MKCOL", "LOCK", "QUERY", "SEARCH", "PURGE",
            ][..]
        )
        .prop_map(str::to_owned),
        "[A-Z]{1,12}",
    ];
    proptest!(config(), |(method in method, with_body in any::<bool>())| {
        let Ok(method) = Method::from_bytes(method.as_bytes()) else {
            return Ok(());
        };
        for route in &fixture.routes {
            let mut request =
                app.request(method.clone(), &route.path, fixture.bearer(route.tier));
            if with_body {
                request = request.json(&plausible_body(&fixture, route));
            }
            let what = format!("{method} {}", route.template);
            if method == Method::HEAD {
                let status = runtime
                    .block_on(exchange(request))
                    .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?
                    .0;
                prop_assert!(!status.is_server_error(), "{what}: {status}");
            } else {
                check(&what, runtime.block_on(exchange(request)))?;
            }
        }
    });
    assert_healthy(&runtime, &app);
}
