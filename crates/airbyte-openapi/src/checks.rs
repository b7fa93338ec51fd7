//! Runtime checks of one request or one response against its operation: path, query and header
//! parameters, the JSON request body, the status and the JSON response body.
//!
//! Validators are built lazily, once per schema, and kept for the life of the process: each is built
//! from the whole document (see [`crate::validator_at`]), which costs milliseconds, and a validating
//! server sees the same few dozen schemas over and over. A schema that is only a `$ref` is cached
//! under its target, so every operation's `ApiErrorResponse` shares one validator.
//!
//! Problems are worded with the instance value masked (`value is not of type "integer"`): a request
//! body may carry a secret, and these texts go to headers, logs and summaries.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use serde_json::Value;

use crate::operations::{Matched, Operation};
use crate::{document, pointer_token, validator_at};

/// The longest problem text kept; jsonschema's texts can quote whole schemas.
const PROBLEM_CAP: usize = 200;

/// Which half of the exchange broke the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Request,
    Response,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// One way a request or a response breaks its operation's schemas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    pub side: Side,
    /// Where: `body`, `path id`, `query limit`, `header x-organization-id`, or `status`.
    pub place: String,
    /// The JSON pointer inside that place (`/data/0/id`; empty for the whole value).
    pub pointer: String,
    /// What is wrong, with the offending value masked.
    pub problem: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // An empty pointer is the whole value: no "at".
        write!(f, "{} {}", self.side.as_str(), self.place)?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.problem)
    }
}

type Slot = Arc<OnceLock<Result<jsonschema::Validator, String>>>;

static CACHE: LazyLock<Mutex<HashMap<String, Slot>>> = LazyLock::new(Mutex::default);

/// The validator for the schema at `pointer`, built on first use. Different schemas build in
/// parallel; a second caller of the same one waits for the first build instead of repeating it.
fn cached(pointer: &str, schema: &Value) -> Slot {
    let key = match schema.as_object() {
        Some(map) if map.len() == 1 => map
            .get("$ref")
            .and_then(Value::as_str)
            .unwrap_or(pointer)
            .to_owned(),
        _ => pointer.to_owned(),
    };
    let slot = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key.clone())
        .or_default()
        .clone();
    slot.get_or_init(|| validator_at(&key));
    slot
}

/// How many distinct schemas have a validator built (or being built).
pub fn cached_validators() -> usize {
    CACHE.lock().unwrap_or_else(PoisonError::into_inner).len()
}

fn operation_pointer(operation: &Operation) -> String {
    format!(
        "#/paths/{}/{}",
        pointer_token(operation.path),
        operation.method
    )
}

fn cap(mut text: String) -> String {
    if text.len() > PROBLEM_CAP {
        let mut end = PROBLEM_CAP;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// The problems of `instance` under the schema at `pointer`: `(pointer inside the instance, text)`.
fn schema_problems(pointer: &str, schema: &Value, instance: &Value) -> Vec<(String, String)> {
    match cached(pointer, schema).get() {
        Some(Ok(validator)) => validator
            .iter_errors(instance)
            .map(|e| (e.instance_path().to_string(), cap(e.masked().to_string())))
            .collect(),
        Some(Err(e)) => vec![(String::new(), cap(format!("cannot check: {e}")))],
        None => Vec::new(),
    }
}

/// A query, path or header value as the JSON the schema expects: a number or a boolean when the text
/// is one and the string fails, the string otherwise.
fn parameter_problems(pointer: &str, schema: &Value, raw: &str) -> Vec<(String, String)> {
    let as_string = schema_problems(pointer, schema, &Value::String(raw.to_owned()));
    if as_string.is_empty() {
        return as_string;
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(typed @ (Value::Number(_) | Value::Bool(_))) => schema_problems(pointer, schema, &typed),
        _ => as_string,
    }
}

/// Checks a request's parameters and body against `matched`'s operation. `query` holds the decoded
/// query pairs in order; `header` looks a header up by lowercase name; `body` is `None` when it
/// was not read (too large), and empty when there was none.
pub fn check_request(
    matched: &Matched,
    query: &[(String, String)],
    header: &dyn Fn(&str) -> Option<String>,
    body: Option<&[u8]>,
) -> Vec<Violation> {
    let operation = &matched.operation;
    let spec = &document()["paths"][operation.path][operation.method];
    let base = operation_pointer(operation);
    let mut found = Vec::new();
    let mut push = |place: String, problems: Vec<(String, String)>| {
        for (pointer, problem) in problems {
            found.push(Violation {
                side: Side::Request,
                place: place.clone(),
                pointer,
                problem,
            });
        }
    };

    for (i, parameter) in spec["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let (Some(name), Some(location)) = (parameter["name"].as_str(), parameter["in"].as_str())
        else {
            continue;
        };
        let schema = &parameter["schema"];
        let pointer = format!("{base}/parameters/{i}/schema");
        let place = format!("{location} {name}");
        let required = parameter["required"].as_bool().unwrap_or(false);
        let values: Vec<String> = match location {
            "path" => matched
                .path_params
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .collect(),
            "query" => query
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .collect(),
            "header" => header(&name.to_ascii_lowercase()).into_iter().collect(),
            _ => continue,
        };
        if values.is_empty() {
            if required {
                push(place, vec![(String::new(), "required but absent".into())]);
            }
            continue;
        }
        if schema["type"] == "array" {
            let items = Value::Array(values.into_iter().map(Value::String).collect());
            push(place, schema_problems(&pointer, schema, &items));
        } else if let Some(last) = values.last() {
            // Repeated scalars: the last one counts, as in Airbyte's framework.
            push(place, parameter_problems(&pointer, schema, last));
        }
    }

    let request_body = &spec["requestBody"];
    let schema = &request_body["content"]["application/json"]["schema"];
    if schema.is_object() {
        let pointer = format!("{base}/requestBody/content/application~1json/schema");
        match body {
            None => {}
            Some([]) if request_body["required"].as_bool().unwrap_or(false) => push(
                "body".into(),
                vec![(String::new(), "a JSON body is required".into())],
            ),
            Some([]) => {}
            Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(json) => push("body".into(), schema_problems(&pointer, schema, &json)),
                Err(_) => push(
                    "body".into(),
                    vec![(String::new(), "the body is not JSON".into())],
                ),
            },
        }
    }
    found
}

/// Checks a response: is `status` declared for the operation, and is `body` valid under the JSON
/// schema declared for it.
pub fn check_reply(operation: &Operation, status: u16, body: &[u8]) -> Vec<Violation> {
    let responses = &document()["paths"][operation.path][operation.method]["responses"];
    let declared = &responses[status.to_string()];
    let violation = |place: &str, pointer: String, problem: String| Violation {
        side: Side::Response,
        place: place.to_owned(),
        pointer,
        problem,
    };
    if !declared.is_object() {
        let listed: Vec<&str> = responses
            .as_object()
            .map(|map| map.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return vec![violation(
            "status",
            String::new(),
            format!("{status} is not declared (declared: {})", listed.join(", ")),
        )];
    }
    let schema = &declared["content"]["application/json"]["schema"];
    if !schema.is_object() {
        return Vec::new();
    }
    let place = format!("{status} body");
    if body.is_empty() {
        return vec![violation(
            &place,
            String::new(),
            "empty, but a JSON body is declared".into(),
        )];
    }
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return vec![violation(
            &place,
            String::new(),
            "the body is not JSON".into(),
        )];
    };
    let pointer = format!(
        "{}/responses/{status}/content/application~1json/schema",
        operation_pointer(operation)
    );
    schema_problems(&pointer, schema, &json)
        .into_iter()
        .map(|(at, problem)| violation(&place, at, problem))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::operations::match_operation;
    use serde_json::json;

    fn no_headers(_: &str) -> Option<String> {
        None
    }

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_parameters_are_typed_from_their_text() {
        let m = match_operation("GET", "/api/v1/workspaces").unwrap();
        let ok = query(&[
            ("limit", "5"),
            ("name_contains", "12"),
            ("status", "active"),
        ]);
        assert_eq!(check_request(&m, &ok, &no_headers, Some(b"")), []);
        let bad = query(&[("limit", "1000"), ("status", "deleted")]);
        let found = check_request(&m, &bad, &no_headers, Some(b""));
        let places: Vec<&str> = found.iter().map(|v| v.place.as_str()).collect();
        assert_eq!(places, ["query status", "query limit"], "{found:?}");
        assert!(found[1].problem.contains("maximum"), "{found:?}");
        let words = check_request(&m, &query(&[("limit", "many")]), &no_headers, None);
        assert!(words[0].problem.contains("integer"), "{words:?}");
        assert!(!words[0].problem.contains("many"), "the value is masked");
    }

    #[test]
    fn array_parameters_collect_every_value() {
        let m = match_operation("GET", "/api/v1/integrations/definitions/destinations").unwrap();
        let id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
        let two = query(&[("actorDefinitionIds", id), ("actorDefinitionIds", id)]);
        assert_eq!(check_request(&m, &two, &no_headers, None), []);
        let bad = query(&[("actorDefinitionIds", id), ("actorDefinitionIds", "x")]);
        let found = check_request(&m, &bad, &no_headers, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/1");
    }

    #[test]
    fn path_parameters_and_headers() {
        let m = match_operation("GET", "/api/v1/workspaces/nope").unwrap();
        let header = |name: &str| (name == "x-organization-id").then(|| "org".to_owned());
        let found = check_request(&m, &[], &header, None);
        let places: Vec<&str> = found.iter().map(|v| v.place.as_str()).collect();
        assert_eq!(places, ["path workspace_id", "header x-organization-id"]);
        assert_eq!(
            found[0].to_string(),
            "request path workspace_id: value is not a \"uuid\""
        );
    }

    #[test]
    fn request_bodies() {
        let m = match_operation("POST", "/api/v1/account/applications/token").unwrap();
        let good = br#"{"client_id": "a", "client_secret": "b"}"#;
        assert_eq!(check_request(&m, &[], &no_headers, Some(good)), []);
        let secret = br#"{"client_id": "a", "client_secret": 12345}"#;
        let found = check_request(&m, &[], &no_headers, Some(secret));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/client_secret");
        assert!(!found[0].problem.contains("12345"), "masked: {found:?}");
        let empty = check_request(&m, &[], &no_headers, Some(b""));
        assert_eq!(empty[0].problem, "a JSON body is required");
        let junk = check_request(&m, &[], &no_headers, Some(b"{"));
        assert_eq!(junk[0].problem, "the body is not JSON");
        assert_eq!(check_request(&m, &[], &no_headers, None), [], "unread");
    }

    #[test]
    fn responses() {
        let op = match_operation("POST", "/api/v1/account/applications/token")
            .unwrap()
            .operation;
        let good = json!({"access_token": "x", "token_type": "bearer", "expires_in": 900});
        assert_eq!(check_reply(&op, 200, good.to_string().as_bytes()), []);
        let bad = json!({"token_type": "bearer", "expires_in": "soon"});
        let found = check_reply(&op, 200, bad.to_string().as_bytes());
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert!(
            pointers.contains(&"") && pointers.contains(&"/expires_in"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|v| v.side == Side::Response && v.place == "200 body")
        );
        let status = check_reply(&op, 404, b"{}");
        assert_eq!(
            status[0].to_string(),
            "response status: 404 is not declared (declared: 200, 400, 403, 422, 500)"
        );
        let error = json!({"message": "m", "errors": []});
        assert_eq!(check_reply(&op, 422, error.to_string().as_bytes()), []);
        let deleted = match_operation(
            "DELETE",
            "/api/v1/oauth/credentials/connector_type/source-github",
        )
        .unwrap()
        .operation;
        assert_eq!(check_reply(&deleted, 204, b""), [], "no body declared");
    }

    #[test]
    fn validators_are_built_once_and_shared() {
        let schema = json!({"$ref": "#/components/schemas/ApiErrorResponse"});
        let a = cached(
            "#/paths/a/get/responses/400/content/application~1json/schema",
            &schema,
        );
        let b = cached(
            "#/paths/b/put/responses/403/content/application~1json/schema",
            &schema,
        );
        assert!(
            Arc::ptr_eq(&a, &b),
            "one ApiErrorResponse validator for every operation"
        );
        assert!(matches!(a.get(), Some(Ok(_))));
        assert!(cached_validators() >= 1);
    }
}
