//! Airbyte's published OpenAPI document for the Agent API (OpenAPI 3.1, `info.version` 0.9.0), embedded,
//! and validators for the schemas it declares, so tests can check real responses against it.
//!
//! The document is `airbyte-agent-api.openapi.json` beside this crate's `Cargo.toml`: a byte-for-byte
//! copy of `api/app_public.json` from Airbyte's public repository airbytehq/airbyte-agent-cli at commit
//! 71bcfd6fdb9b0c60d36e9b041ff7f69486f715e1 (SHA-256
//! eb9bb4690255fe3e68ee43c3cd22b9e8c875005642830d93d172d5b647771827). It is compiled in; nothing is
//! read at run time.
//!
//! For a server that validates its traffic: [`match_operation`] finds the operation a request calls,
//! [`check_request`] and [`check_reply`] check a request and its response, with validators built
//! once per schema and cached.
//!
//! Each validator is built from the whole document with a root `$ref` to the wanted schema, so the
//! document's own `#/components/schemas/...` references resolve exactly as published; formats
//! (`uuid`, `date-time`) are asserted, not just annotated.

mod checks;
mod operations;

use std::sync::LazyLock;

use serde_json::Value;

pub use checks::{Side, Violation, cached_validators, check_reply, check_request};
pub use operations::{Matched, Operation, match_operation, operations};

/// The document's text.
pub const DOCUMENT: &str = include_str!("../airbyte-agent-api.openapi.json");

static PARSED: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(DOCUMENT)
        .unwrap_or_else(|e| panic!("the embedded document is not JSON: {e}"))
});

/// The parsed document.
pub fn document() -> &'static Value {
    &PARSED
}

/// One JSON-pointer token, escaped (RFC 6901) and made safe for a URI fragment.
pub(crate) fn pointer_token(s: &str) -> String {
    s.replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// A validator for `pointer` (a fragment like `#/components/schemas/X`) inside the document.
pub(crate) fn validator_at(pointer: &str) -> Result<jsonschema::Validator, String> {
    let mut root = document().clone();
    if let Some(map) = root.as_object_mut() {
        map.insert("$ref".into(), Value::String(pointer.to_owned()));
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("cannot build a validator for {pointer}: {e}"))
}

/// Whether the document has `method path` (`method` lowercase, `path` as templated in the document).
pub fn has_operation(method: &str, path: &str) -> bool {
    document()["paths"][path][method].is_object()
}

/// The validator for the JSON response of `method path` with `status`; an error when the document
/// declares no such response.
pub fn response_validator(
    method: &str,
    path: &str,
    status: u16,
) -> Result<jsonschema::Validator, String> {
    if !has_operation(method, path) {
        return Err(format!(
            "{} {path} is not in the published document",
            method.to_uppercase()
        ));
    }
    let schema = &document()["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
    if !schema.is_object() {
        return Err(format!(
            "{} {path} declares no JSON body for {status}",
            method.to_uppercase()
        ));
    }
    validator_at(&format!(
        "#/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        pointer_token(path)
    ))
}

/// The validator for `#/components/schemas/<name>`.
pub fn schema_validator(name: &str) -> Result<jsonschema::Validator, String> {
    if !document()["components"]["schemas"][name].is_object() {
        return Err(format!("the document has no schema {name}"));
    }
    validator_at(&format!("#/components/schemas/{}", pointer_token(name)))
}

/// Every way `body` breaks the validator's schema, with the place in the body.
pub fn problems(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator
        .iter_errors(body)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect()
}

/// Checks a response body against the document: `Ok` when it conforms, the problems otherwise.
pub fn check_response(
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), Vec<String>> {
    let validator = response_validator(method, path, status).map_err(|e| vec![e])?;
    let found = problems(&validator, body);
    if found.is_empty() { Ok(()) } else { Err(found) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_document_is_the_published_one() {
        assert_eq!(document()["openapi"], "3.1.0");
        assert_eq!(document()["info"]["version"], "0.9.0");
        assert_eq!(DOCUMENT.len(), 223_505);
    }

    #[test]
    fn validation_is_live() {
        let ok = json!({"access_token": "x", "token_type": "bearer", "expires_in": 900, "organization_id": null});
        assert_eq!(
            check_response("post", "/api/v1/account/applications/token", 200, &ok),
            Ok(())
        );
        let broken = json!({"token_type": "bearer", "expires_in": "soon"});
        let errors =
            check_response("post", "/api/v1/account/applications/token", 200, &broken).unwrap_err();
        assert!(
            errors.iter().any(|e| e.contains("access_token")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("expires_in")),
            "{errors:?}"
        );
        let bad_uuid =
            json!({"organization_id": "nope", "workspace_id": "nope", "workspace_name": "w"});
        assert!(
            check_response(
                "get",
                "/api/v1/account/applications/scoped-token/info",
                200,
                &bad_uuid
            )
            .is_err()
        );
        assert!(
            response_validator("get", "/api/v1/embedded/sources", 200).is_err(),
            "2025 Sonar paths are not in it"
        );
        assert!(schema_validator("ApiErrorResponse").is_ok());
    }
}
