//! The mock's own OpenAPI document and the drift report.
//!
//! `GET /_mock/openapi.json` is built from the handlers (utoipa-axum), so it lists every route; these
//! tests check it is served, that every operation it lists is really routed, and that it equals the
//! checked-in copy `docs/mock-openapi.json` (so a change to the API surface shows in review). Then
//! they diff it against Airbyte's published document (`airbyte-openapi`) and check `docs/DRIFT.md`:
//! every difference needs a reason in `docs/drift-reasons.toml`, and the report must be current.
//!
//! `just drift` (this module with `AIRBYTE_MOCK_DRIFT_WRITE=1`) rewrites both generated files;
//! the reasons file is only ever edited by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// Set to rewrite `docs/mock-openapi.json` and `docs/DRIFT.md` instead of comparing them.
const WRITE_ENV: &str = "AIRBYTE_MOCK_DRIFT_WRITE";
const HOW_TO_REGENERATE: &str = "regenerate with `just drift` (AIRBYTE_MOCK_DRIFT_WRITE=1 cargo test \
     -p airbyte-mock --test api drift::) and review the diff";

/// How deep the field comparison goes into nested objects and arrays.
const MAX_DEPTH: usize = 4;

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn writing() -> bool {
    std::env::var_os(WRITE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

async fn mock_document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/_mock/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn serves_an_openapi_3_1_document_of_every_kind_of_route() {
    let app = spawn_app().await;
    let doc = mock_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    // One or more of each family the mock answers: Airbyte's API, the end-user routes, the SDK's
    // and the OLD platform's aliases, the widget stand-in, the console and the control plane.
    for (method, path) in [
        ("post", "/api/v1/account/applications/token"),
        ("post", "/api/v1/account/applications/widget-token"),
        ("get", "/api/v1/workspaces/{id}"),
        ("delete", "/api/v1/integrations/connectors/{id}"),
        ("post", "/api/v1/integrations/connectors/{id}/execute"),
        ("get", "/api/v1/embedded/sources/{id}"),
        ("post", "/api/v1/embedded/widget-token"),
        ("post", "/v1/integrations/connectors"),
        ("post", "/v1/applications/token"),
        ("post", "/v1/embedded/widget_token"),
        ("get", "/widget.js"),
        ("get", "/npm/{path}"),
        ("get", "/embedded-widget"),
        ("get", "/embedded-widget/app.js"),
        ("get", "/"),
        ("get", "/console/console.js"),
        ("get", "/_mock/console/credentials"),
        ("post", "/_mock/reset"),
        ("delete", "/_mock/faults/{id}"),
        ("get", "/_mock/openapi.json"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not in the document"
        );
    }
    // Real statuses and Airbyte's error shape, not a generic 200.
    let delete = &paths["/api/v1/integrations/connectors/{id}"]["delete"]["responses"];
    assert!(delete.get("202").is_some() && delete.get("200").is_none());
    assert_eq!(
        delete["404"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ApiErrorResponse"
    );
    let errors = &doc["components"]["schemas"]["ApiErrorResponse"]["properties"];
    assert!(errors.get("message").is_some() && errors.get("errors").is_some());
}

/// The other direction of "every route is documented" (which `OpenApiRouter` makes structural):
/// every documented operation is answered by a route, not by the 404 fallback or a 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app().await;
    let doc = mock_document(&app).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = concrete_path(path);
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Only the status line is read: `/_mock/requests/stream` never ends its body.
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if status == StatusCode::NOT_FOUND {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                let message = body["message"].as_str().unwrap_or_default();
                assert!(
                    !message.starts_with("No route"),
                    "{method} {path} is documented but not routed: {message}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {checked} operations documented");
}

/// A documented path with its parameters filled in.
fn concrete_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let name = &rest[start + 1..end - 1];
        out.push_str(if name.trim_start_matches('*') == "path" {
            "@airbyte-embedded/airbyte-embedded-widget@0.4.5"
        } else {
            "00000000-0000-4000-8000-000000000000"
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Compares `text` with the checked-in `file`, or writes it there under [`WRITE_ENV`].
fn check_generated(file: &str, text: &str) {
    let path = repo_file(file);
    if writing() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != text {
        let first = current
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| current.lines().count().min(text.lines().count()));
        panic!(
            "{file} is not current (first difference at line {}): {HOW_TO_REGENERATE}",
            first + 1
        );
    }
}

#[tokio::test]
async fn the_document_equals_the_checked_in_copy() {
    let app = spawn_app().await;
    let doc = mock_document(&app).await;
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    check_generated("docs/mock-openapi.json", &text);
}

#[tokio::test]
async fn every_drift_has_a_reason_and_the_report_is_current() {
    let app = spawn_app().await;
    let mock = mock_document(&app).await;
    let published = airbyte_openapi::document();
    let drift = diff(&mock, published);
    let reasons = Reasons::load();
    let report = render(&drift, &reasons);
    // Written first, so a missing reason shows in the report where it belongs.
    check_generated("docs/DRIFT.md", &report);

    let keys: Vec<&str> = drift.keys().collect();
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| reasons.reason(k).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{} difference(s) between the mock's document and the published one have no reason; add \
         each to [reasons] in docs/drift-reasons.toml (a key or a glob with `*`), then {HOW_TO_REGENERATE}:\n{}",
        missing.len(),
        missing
            .iter()
            .map(|k| format!("\"{k}\" = \"…\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let unused: Vec<&String> = reasons
        .entries
        .keys()
        .filter(|pattern| !keys.iter().any(|k| glob(pattern, k)))
        .collect();
    assert!(
        unused.is_empty(),
        "docs/drift-reasons.toml has reasons for differences that no longer exist; remove them: {unused:?}"
    );
}

#[test]
fn the_diff_finds_each_kind_of_difference() {
    let published = serde_json::json!({"paths": {
        "/a/{x}": {"get": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                          "500": {}}}},
        "/gone": {"post": {"responses": {}}}},
        "components": {"schemas": {"A": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "string"}, "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                           "deep": {"type": "object", "properties": {"x": {"type": "string"}}}}}}}});
    let mock = serde_json::json!({"paths": {
        "/a/{id}": {"get": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}],
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"id": {"type": "string"}, "n": {"type": "string"}, "extra": {"type": "boolean"}}}}}},
                          "404": {}}}},
        "/new": {"get": {"responses": {}}}}});
    let drift = diff(&mock, &published);
    let keys: BTreeSet<&str> = drift.keys().collect();
    let expected: BTreeSet<&str> = [
        "GET /a/{x} param.query.q type mock=string published=integer",
        "GET /a/{x} response 200.n type mock=string published=integer",
        "GET /a/{x} response 200.id required mock=false published=true",
        "GET /a/{x} response 200.extra only-mock",
        "GET /a/{x} response 200.deep only-published",
        "GET /a/{x} status 404 only-mock",
        "GET /a/{x} status 500 only-published",
        "POST /gone operation only-published",
        "GET /new operation only-mock",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, expected);
}

#[test]
fn globs_match_and_the_most_specific_reason_wins() {
    assert!(glob(
        "* /_mock/* operation only-mock",
        "GET /_mock/health operation only-mock"
    ));
    assert!(!glob(
        "* /_mock/* operation only-mock",
        "GET /api/v1/x operation only-mock"
    ));
    assert!(glob("exact", "exact") && !glob("exact", "exactly"));
    let reasons = Reasons {
        entries: [
            ("* status 401 only-mock".to_owned(), "general".to_owned()),
            (
                "GET /x status 401 only-mock".to_owned(),
                "specific".to_owned(),
            ),
        ]
        .into_iter()
        .collect(),
    };
    assert_eq!(
        reasons.reason("GET /x status 401 only-mock"),
        Some("specific")
    );
    assert_eq!(
        reasons.reason("GET /y status 401 only-mock"),
        Some("general")
    );
    assert_eq!(reasons.reason("GET /y status 402 only-mock"), None);
    // The report names a difference without a reason where it stands.
    let mut drift = Drift::default();
    drift.add(
        "GET /y",
        Presence::OnlyMock,
        "operation only-mock".to_owned(),
    );
    drift.add("GET /x", Presence::Both, "status 401 only-mock".to_owned());
    drift.add("GET /x", Presence::Both, "status 402 only-mock".to_owned());
    drift.shared.insert("GET /x".to_owned());
    let report = render(&drift, &reasons);
    assert!(report.contains("| `GET /x status 401 only-mock` | specific |"));
    assert!(report.contains("| `GET /x status 402 only-mock` | **MISSING"));
    assert!(report.contains("| `GET /y` | only mock | **MISSING"));
}

// ---- The diff -------------------------------------------------------------------------------

/// Where an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Both,
    OnlyMock,
    OnlyPublished,
}

/// One difference: its operation (`METHOD /path`, the published path when both have it) and key.
#[derive(Debug, Clone)]
struct Difference {
    operation: String,
    presence: Presence,
}

/// Every difference by key, plus the shared operations (which have no key of their own).
#[derive(Debug, Default)]
struct Drift {
    differences: BTreeMap<String, Difference>,
    shared: BTreeSet<String>,
}

impl Drift {
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.differences.keys().map(String::as_str)
    }

    fn add(&mut self, operation: &str, presence: Presence, what: String) {
        self.differences.insert(
            format!("{operation} {what}"),
            Difference {
                operation: operation.to_owned(),
                presence,
            },
        );
    }
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// `/a/{x}/b` and `/a/{id}/b` are the same operation: parameter names do not matter to a client.
fn normal_path(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push_str("{}");
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// `(normal path, method) -> (path as written, operation)`.
fn operations(doc: &Value) -> BTreeMap<(String, String), (String, &Value)> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.insert((normal_path(path), method.to_owned()), (path.clone(), op));
            }
        }
    }
    out
}

fn diff(mock: &Value, published: &Value) -> Drift {
    let mine = operations(mock);
    let theirs = operations(published);
    let mut drift = Drift::default();
    for (key, (path, _)) in &mine {
        if !theirs.contains_key(key) {
            let op = format!("{} {path}", key.1.to_uppercase());
            drift.add(&op, Presence::OnlyMock, "operation only-mock".to_owned());
        }
    }
    for (key, (path, their_op)) in &theirs {
        let op = format!("{} {path}", key.1.to_uppercase());
        match mine.get(key) {
            None => drift.add(
                &op,
                Presence::OnlyPublished,
                "operation only-published".to_owned(),
            ),
            Some((_, my_op)) => {
                drift.shared.insert(op.clone());
                let sides = Sides { mock, published };
                for what in sides.operation(my_op, their_op) {
                    drift.add(&op, Presence::Both, what);
                }
            }
        }
    }
    drift
}

/// The two documents, for resolving each side's `$ref`s.
#[derive(Clone, Copy)]
struct Sides<'a> {
    mock: &'a Value,
    published: &'a Value,
}

/// What the comparison knows about one field.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    /// JSON types without `null`; empty for "anything".
    types: BTreeSet<String>,
    required: bool,
    /// No properties to compare below it (free-form): the other side's sub-fields are not drift.
    opaque: bool,
}

impl<'a> Sides<'a> {
    fn operation(&self, mine: &'a Value, theirs: &'a Value) -> Vec<String> {
        let mut out = Vec::new();
        self.parameters(mine, theirs, &mut out);
        self.request(mine, theirs, &mut out);
        self.responses(mine, theirs, &mut out);
        out
    }

    fn parameters(&self, mine: &'a Value, theirs: &'a Value, out: &mut Vec<String>) {
        let params = |root: &'a Value, op: &'a Value| {
            let mut map = BTreeMap::new();
            let mut path_index = 0;
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = resolve(root, p);
                let place = p["in"].as_str().unwrap_or_default();
                // Path parameters by position: their names are not part of the wire.
                let name = if place == "path" {
                    path_index += 1;
                    format!("path.{path_index}")
                } else {
                    format!(
                        "{place}.{}",
                        p["name"].as_str().unwrap_or_default().to_lowercase()
                    )
                };
                let field = Field {
                    types: types(root, &p["schema"]),
                    required: p["required"].as_bool().unwrap_or(false),
                    opaque: false,
                };
                map.insert(name, field);
            }
            map
        };
        compare(
            "param",
            &params(self.mock, mine),
            &params(self.published, theirs),
            out,
        );
    }

    fn request(&self, mine: &'a Value, theirs: &'a Value, out: &mut Vec<String>) {
        let body = |op: &'a Value| {
            op.get("requestBody")
                .map(|b| (b["required"].as_bool().unwrap_or(false), json_schema(b)))
        };
        match (body(mine), body(theirs)) {
            (None, None) => {}
            (Some(_), None) => out.push("request only-mock".to_owned()),
            (None, Some(_)) => out.push("request only-published".to_owned()),
            (Some((my_required, my_schema)), Some((their_required, their_schema))) => {
                if my_required != their_required {
                    out.push(format!(
                        "request required mock={my_required} published={their_required}"
                    ));
                }
                self.bodies("request", my_schema, their_schema, out);
            }
        }
    }

    fn responses(&self, mine: &'a Value, theirs: &'a Value, out: &mut Vec<String>) {
        let statuses = |op: &'a Value| -> BTreeMap<String, &'a Value> {
            op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v))
                .collect()
        };
        let (my_statuses, their_statuses) = (statuses(mine), statuses(theirs));
        for status in my_statuses
            .keys()
            .chain(their_statuses.keys())
            .collect::<BTreeSet<_>>()
        {
            match (my_statuses.get(status), their_statuses.get(status)) {
                (Some(_), None) => out.push(format!("status {status} only-mock")),
                (None, Some(_)) => out.push(format!("status {status} only-published")),
                (Some(my), Some(their)) => {
                    let my = resolve(self.mock, my);
                    let their = resolve(self.published, their);
                    self.bodies(
                        &format!("response {status}"),
                        json_schema(my),
                        json_schema(their),
                        out,
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// Two bodies (`None`: no JSON content): their root types and every field's.
    fn bodies(
        &self,
        scope: &str,
        mine: Option<&'a Value>,
        theirs: Option<&'a Value>,
        out: &mut Vec<String>,
    ) {
        let (mine, theirs) = match (mine, theirs) {
            (None, None) => return,
            (Some(_), None) => return out.push(format!("{scope} json only-mock")),
            (None, Some(_)) => return out.push(format!("{scope} json only-published")),
            (Some(m), Some(t)) => (m, t),
        };
        let (my_types, their_types) = (types(self.mock, mine), types(self.published, theirs));
        if !my_types.is_empty() && !their_types.is_empty() && my_types != their_types {
            out.push(format!(
                "{scope} type mock={} published={}",
                join(&my_types),
                join(&their_types)
            ));
            return;
        }
        let mut my_fields = BTreeMap::new();
        let mut their_fields = BTreeMap::new();
        fields(self.mock, mine, "", 0, &mut Vec::new(), &mut my_fields);
        fields(
            self.published,
            theirs,
            "",
            0,
            &mut Vec::new(),
            &mut their_fields,
        );
        // A free-form root on either side: nothing below it to compare.
        if my_fields.is_empty() || their_fields.is_empty() {
            return;
        }
        compare(scope, &my_fields, &their_fields, out);
    }
}

/// The `application/json` schema of a request body or response, if it has one.
fn json_schema(body: &Value) -> Option<&Value> {
    body["content"]
        .get("application/json")
        .map(|c| &c["schema"])
}

/// Follows local `$ref`s (a bounded number of hops, so a cycle cannot hang).
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(pointer) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        match pointer.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// The JSON types a schema allows, without `null`; empty means anything.
fn types(root: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(root, schema);
    let mut out = BTreeSet::new();
    match &schema["type"] {
        Value::String(t) => {
            out.insert(t.clone());
        }
        Value::Array(ts) => out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned)),
        _ => {}
    }
    if out.is_empty() {
        if let Some(values) = schema["enum"].as_array() {
            out.extend(values.iter().filter(|v| !v.is_null()).map(json_type));
        }
        if let Some(value) = schema.get("const") {
            out.insert(json_type(value));
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for branch in schema[key].as_array().into_iter().flatten() {
                out.extend(types(root, branch));
            }
        }
        if out.is_empty() && schema.get("properties").is_some() {
            out.insert("object".to_owned());
        }
    }
    out.remove("null");
    out
}

fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_owned()
}

/// The properties of an object schema (through `$ref`, `allOf`, and the object branches of
/// `anyOf`/`oneOf`) with the names it requires.
fn properties<'a>(
    root: &'a Value,
    schema: &'a Value,
) -> (BTreeMap<String, &'a Value>, BTreeSet<String>) {
    let schema = resolve(root, schema);
    let mut props: BTreeMap<String, &Value> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v))
        .collect();
    let mut required: BTreeSet<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    for branch in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r) = properties(root, branch);
        props.extend(p);
        required.extend(r);
    }
    // Alternatives: every property any of them has; required only when all of them require it.
    for key in ["anyOf", "oneOf"] {
        let mut all_required: Option<BTreeSet<String>> = None;
        for branch in schema[key].as_array().into_iter().flatten() {
            let (p, r) = properties(root, branch);
            if p.is_empty() {
                continue;
            }
            props.extend(p);
            all_required = Some(match all_required {
                None => r,
                Some(so_far) => so_far.intersection(&r).cloned().collect(),
            });
        }
        required.extend(all_required.unwrap_or_default());
    }
    (props, required)
}

/// Every field below `schema`, as `a.b[].c` paths, down to [`MAX_DEPTH`].
fn fields(
    root: &Value,
    schema: &Value,
    prefix: &str,
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut BTreeMap<String, Field>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    // A recursive schema is compared once along each path.
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(r) = &reference {
        if seen.contains(r) {
            return;
        }
        seen.push(r.clone());
    }
    let resolved = resolve(root, schema);
    let (props, required) = properties(root, resolved);
    for (name, sub) in props {
        let path = format!("{prefix}{name}");
        let (sub_props, _) = properties(root, sub);
        let sub_types = types(root, sub);
        let items = item_schema(root, sub);
        // Free-form: an object without properties, or an array of such objects.
        let free_form = |schema: &Value| {
            let t = types(root, schema);
            properties(root, schema).0.is_empty()
                && (t.is_empty() || t.iter().all(|t| t == "object"))
        };
        let opaque = sub_props.is_empty()
            && match items {
                Some(items) => free_form(items),
                None => sub_types.is_empty() || sub_types.iter().all(|t| t == "object"),
            };
        out.insert(
            path.clone(),
            Field {
                types: sub_types,
                required: required.contains(&name),
                opaque,
            },
        );
        fields(root, sub, &format!("{path}."), depth + 1, seen, out);
        if let Some(items) = items {
            fields(root, items, &format!("{path}[]."), depth + 1, seen, out);
        }
    }
    // A top-level array: its items' fields.
    if prefix.is_empty()
        && out.is_empty()
        && let Some(items) = item_schema(root, resolved)
    {
        fields(root, items, "[].", depth + 1, seen, out);
    }
    if reference.is_some() {
        seen.pop();
    }
}

/// The `items` schema of an array (or of an array branch of a nullable `anyOf`).
fn item_schema<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let schema = resolve(root, schema);
    if let Some(items) = schema.get("items") {
        return Some(items);
    }
    ["anyOf", "oneOf"]
        .iter()
        .flat_map(|k| schema[*k].as_array().into_iter().flatten())
        .find_map(|branch| item_schema(root, branch))
}

/// Field by field: presence (only the topmost missing one), types, and whether it is required.
fn compare(
    scope: &str,
    mine: &BTreeMap<String, Field>,
    theirs: &BTreeMap<String, Field>,
    out: &mut Vec<String>,
) {
    let parents = |path: &str| -> Vec<String> {
        let mut found = Vec::new();
        for (i, c) in path.char_indices() {
            if c == '.' {
                found.push(path[..i].trim_end_matches("[]").to_owned());
            }
        }
        found
    };
    let below_opaque = |path: &str| {
        parents(path).iter().any(|p| {
            mine.get(p).is_some_and(|f| f.opaque) || theirs.get(p).is_some_and(|f| f.opaque)
        })
    };
    let keys: BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
    for path in keys {
        if below_opaque(path) {
            continue;
        }
        match (mine.get(path), theirs.get(path)) {
            (Some(_), None) => {
                if !parents(path)
                    .iter()
                    .any(|p| mine.contains_key(p) && !theirs.contains_key(p))
                {
                    out.push(format!("{scope}.{path} only-mock"));
                }
            }
            (None, Some(_)) => {
                if !parents(path)
                    .iter()
                    .any(|p| theirs.contains_key(p) && !mine.contains_key(p))
                {
                    out.push(format!("{scope}.{path} only-published"));
                }
            }
            (Some(m), Some(t)) => {
                if !m.types.is_empty() && !t.types.is_empty() && m.types != t.types {
                    out.push(format!(
                        "{scope}.{path} type mock={} published={}",
                        join(&m.types),
                        join(&t.types)
                    ));
                }
                if m.required != t.required {
                    out.push(format!(
                        "{scope}.{path} required mock={} published={}",
                        m.required, t.required
                    ));
                }
            }
            (None, None) => {}
        }
    }
}

fn join(types: &BTreeSet<String>) -> String {
    types.iter().cloned().collect::<Vec<_>>().join("|")
}

// ---- Reasons and the report -----------------------------------------------------------------

/// `docs/drift-reasons.toml`: `[reasons]`, difference key (or glob with `*`) to why it exists.
#[derive(Debug, Default, serde::Deserialize)]
struct Reasons {
    #[serde(rename = "reasons", default)]
    entries: BTreeMap<String, String>,
}

impl Reasons {
    fn load() -> Self {
        let path = repo_file("docs/drift-reasons.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        toml::from_str(&text).unwrap_or_else(|e| panic!("docs/drift-reasons.toml: {e}"))
    }

    /// The reason of the most specific entry matching `key` (an exact key beats any glob; among
    /// globs, the one with the most literal characters).
    fn reason(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .filter(|(pattern, reason)| !reason.trim().is_empty() && glob(pattern, key))
            .max_by_key(|(pattern, _)| (!pattern.contains('*'), pattern.replace('*', "").len()))
            .map(|(_, reason)| reason.as_str())
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(parts[0]) else {
        return false;
    };
    let last = parts[parts.len() - 1];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn render(drift: &Drift, reasons: &Reasons) -> String {
    let reason = |key: &str| {
        reasons.reason(key).map_or_else(
            || "**MISSING: add a reason to docs/drift-reasons.toml**".to_owned(),
            cell,
        )
    };
    let count = |presence: Presence| {
        drift
            .differences
            .values()
            .filter(|d| d.presence == presence)
            .count()
    };
    let shared_differences = count(Presence::Both);
    let mut s = String::new();
    s.push_str(
        "# Drift: the mock's API against Airbyte's published document\n\n\
         <!-- Generated by `just drift`: do not edit. Reasons live in docs/drift-reasons.toml. -->\n\n\
         This compares the mock's own OpenAPI document (`GET /_mock/openapi.json`, generated from its \
         handlers; a copy is in `docs/mock-openapi.json`) with Airbyte's published Agent API document \
         (`crates/airbyte-openapi`, 0.9.0). Operations are matched on method and path (path-parameter \
         names ignored). For operations in both, it lists the differences in parameters (query and \
         header by name, path by position), request and response fields (down to four levels; types \
         without `null`; not below a free-form object), whether each is required, and status codes.\n\n\
         Every difference has a stable key and a reason, kept by hand in `docs/drift-reasons.toml` \
         (a key there may be a glob with `*`). `cargo test -p airbyte-mock --test api drift::` fails \
         when a difference has no reason or this file is not current; `just drift` regenerates it.\n\n",
    );
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(s, "| | Count |\n|---|---|");
    let _ = writeln!(s, "| Operations in both | {} |", drift.shared.len());
    let _ = writeln!(
        s,
        "| Operations only in the mock | {} |",
        count(Presence::OnlyMock)
    );
    let _ = writeln!(
        s,
        "| Operations only in the published document | {} |",
        count(Presence::OnlyPublished)
    );
    let _ = writeln!(
        s,
        "| Differences in shared operations | {shared_differences} |\n"
    );

    let _ = writeln!(s, "## Operations\n");
    let _ = writeln!(s, "| Operation | Presence | Reason |\n|---|---|---|");
    let mut rows: Vec<(String, String, String)> = drift
        .shared
        .iter()
        .map(|op| (op.clone(), "both".to_owned(), String::new()))
        .collect();
    for (key, d) in &drift.differences {
        let presence = match d.presence {
            Presence::Both => continue,
            Presence::OnlyMock => "only mock",
            Presence::OnlyPublished => "only published",
        };
        rows.push((d.operation.clone(), presence.to_owned(), reason(key)));
    }
    rows.sort_by_key(|row| operation_order(&row.0));
    for (op, presence, why) in rows {
        let _ = writeln!(s, "| `{op}` | {presence} | {why} |");
    }

    let _ = writeln!(s, "\n## Differences in shared operations\n");
    let _ = writeln!(
        s,
        "A key reads `<operation> <where> <what>`: `param.query.x` / `param.header.x` / `param.path.N`, \
         `request`, `request.<field>`, `response <status>.<field>` (`[]` for array items), \
         `status <code>`; then `only-mock`, `only-published`, `type mock=… published=…` or \
         `required mock=… published=…`.\n"
    );
    let mut ops: Vec<&String> = drift.shared.iter().collect();
    ops.sort_by_key(|op| operation_order(op));
    for op in ops {
        let keys: Vec<&String> = drift
            .differences
            .iter()
            .filter(|(_, d)| d.presence == Presence::Both && &d.operation == op)
            .map(|(k, _)| k)
            .collect();
        let _ = writeln!(s, "### `{op}`\n");
        if keys.is_empty() {
            let _ = writeln!(s, "No differences.\n");
            continue;
        }
        let _ = writeln!(s, "| Key | Reason |\n|---|---|");
        for key in keys {
            let _ = writeln!(s, "| `{key}` | {} |", reason(key));
        }
        s.push('\n');
    }
    s.trim_end().to_owned() + "\n"
}

/// Operations sorted by path, then method.
fn operation_order(op: &str) -> (String, String) {
    let (method, path) = op.split_once(' ').unwrap_or((op, ""));
    (path.to_owned(), method.to_owned())
}
