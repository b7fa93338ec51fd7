//! What the mock does with a source's configuration and its template's JSON Schema: validation with
//! one error per bad field, redaction of `airbyte_secret` values, keeping stored secrets when an update
//! sends the mask back, and the documented outcome inputs (`fail`, `error_<CODE>`, `slow`).

use airbyte_embedded::{ApiError, SECRET_MASK};
use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

/// Validates `config` against a compiled connector spec; every problem is one `ApiError` whose
/// `field` is `<field>.<dot.path>`, `field` being the request field that carried the configuration
/// (`source_config`, `replication_config`). Messages never repeat the submitted value (it may be a
/// secret).
pub(crate) fn validate(
    validator: &jsonschema::Validator,
    field: &str,
    config: &Value,
) -> Vec<ApiError> {
    let mut out = Vec::new();
    for error in validator.iter_errors(config) {
        push_error(&error, field, &mut out);
    }
    out.dedup_by(|a, b| a.field == b.field && a.message == b.message);
    out
}

fn push_error(error: &ValidationError<'_>, field: &str, out: &mut Vec<ApiError>) {
    let mut path: Vec<String> = error
        .instance_path()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let kind = error.kind();
    let (message, code) = match kind {
        ValidationErrorKind::Required { property } => {
            path.push(
                property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned),
            );
            ("field required".to_owned(), "missing")
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // Report the errors of the variant the caller chose (the one whose discriminator matched),
            // not a bare "not valid under any schema".
            let chosen = context.iter().min_by_key(|errors| {
                let discriminator_misses = errors
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.kind(),
                            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. }
                        )
                    })
                    .count();
                (discriminator_misses, errors.len())
            });
            match chosen {
                Some(errors)
                    if !errors.is_empty() && errors.iter().all(|e| !is_discriminator_error(e)) =>
                {
                    for e in errors {
                        push_error(e, field, out);
                    }
                    return;
                }
                _ => (
                    "matches none of the options; pick one of them and fill its fields".to_owned(),
                    "invalid_option",
                ),
            }
        }
        ValidationErrorKind::Type { kind } => {
            (format!("must be {}", type_name(kind)), "invalid_type")
        }
        ValidationErrorKind::Enum { options } => {
            (format!("must be one of {options}"), "invalid_enum")
        }
        ValidationErrorKind::Constant { expected_value } => {
            (format!("must be {expected_value}"), "invalid_const")
        }
        ValidationErrorKind::Pattern { pattern } => (
            format!("must match the pattern {pattern}"),
            "invalid_pattern",
        ),
        ValidationErrorKind::Format { format } => {
            (format!("must be a valid {format}"), "invalid_format")
        }
        ValidationErrorKind::Minimum { limit } => {
            (format!("must be at least {limit}"), "too_small")
        }
        ValidationErrorKind::Maximum { limit } => (format!("must be at most {limit}"), "too_large"),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            (format!("must be greater than {limit}"), "too_small")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            (format!("must be less than {limit}"), "too_large")
        }
        ValidationErrorKind::MinLength { limit } => (
            format!("must be at least {limit} characters long"),
            "too_short",
        ),
        ValidationErrorKind::MaxLength { limit } => (
            format!("must be at most {limit} characters long"),
            "too_long",
        ),
        ValidationErrorKind::MinItems { limit } => {
            (format!("must have at least {limit} items"), "too_few")
        }
        ValidationErrorKind::MaxItems { limit } => {
            (format!("must have at most {limit} items"), "too_many")
        }
        ValidationErrorKind::UniqueItems => ("items must be unique".to_owned(), "not_unique"),
        ValidationErrorKind::AdditionalProperties { unexpected } => (
            format!("unexpected properties: {}", unexpected.join(", ")),
            "unexpected_property",
        ),
        other => (
            format!(
                "does not satisfy the '{}' rule of the connector spec",
                other.keyword()
            ),
            "invalid",
        ),
    };
    let field = std::iter::once(field.to_owned())
        .chain(path)
        .collect::<Vec<_>>()
        .join(".");
    out.push(ApiError::new(Some(&field), message, code));
}

fn is_discriminator_error(e: &ValidationError<'_>) -> bool {
    matches!(e.kind(), ValidationErrorKind::Constant { .. })
}

fn type_name(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => article(&t.to_string()),
        TypeKind::Multiple(set) => set
            .into_iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn article(t: &str) -> String {
    match t {
        "integer" | "array" | "object" => format!("an {t}"),
        other => format!("a {other}"),
    }
}

/// Calls `f` with every secret slot in `config`: the object that holds it and the key.
/// `oneOf`/`anyOf`/`allOf` variants are all consulted, so a key secret in any variant is treated as secret.
fn for_each_secret(
    schema: &Value,
    config: &mut Value,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    let Some(obj) = config.as_object_mut() else {
        if let (Some(items), Some(arr)) = (schema.get("items"), config.as_array_mut()) {
            for item in arr {
                for_each_secret(items, item, f);
            }
        }
        return;
    };
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let keys: Vec<String> = obj.keys().cloned().collect();
        for key in keys {
            let Some(prop_schema) = props.get(&key) else {
                continue;
            };
            if prop_schema.get("airbyte_secret").and_then(Value::as_bool) == Some(true) {
                f(obj, &key);
            } else if let Some(child) = obj.get_mut(&key) {
                for_each_secret(prop_schema, child, f);
            }
        }
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(variants) = schema.get(combinator).and_then(Value::as_array) {
            for variant in variants {
                for_each_secret(variant, config, f);
            }
        }
    }
}

/// Replaces every secret value with `**********`.
pub(crate) fn redact(schema: &Value, config: &Map<String, Value>) -> Map<String, Value> {
    let mut value = Value::Object(config.clone());
    for_each_secret(schema, &mut value, &mut |obj, key| {
        if obj.get(key).is_some_and(|v| !v.is_null()) {
            obj.insert(key.to_owned(), Value::String(SECRET_MASK.to_owned()));
        }
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// For an update: every secret sent as `**********` takes the stored value back. A mask with no
/// stored value behind it is an error naming the field (under `field`, as in [`validate`]).
pub(crate) fn restore_secrets(
    schema: &Value,
    field: &str,
    incoming: &mut Map<String, Value>,
    stored: &Map<String, Value>,
) -> Result<(), Vec<ApiError>> {
    let stored = Value::Object(stored.clone());
    let mut errors = Vec::new();
    let mut value = Value::Object(std::mem::take(incoming));
    restore_at(schema, &mut value, Some(&stored), field, &mut errors);
    if let Value::Object(map) = value {
        *incoming = map;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn restore_at(
    schema: &Value,
    value: &mut Value,
    stored: Option<&Value>,
    path: &str,
    errors: &mut Vec<ApiError>,
) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    let mut secret_keys = Vec::new();
    collect_secret_keys(schema, &mut secret_keys);
    for (key, child) in obj.iter_mut() {
        let child_path = format!("{path}.{key}");
        let stored_child = stored.and_then(|s| s.get(key));
        if secret_keys.contains(key) {
            if child.as_str() == Some(SECRET_MASK) {
                match stored_child {
                    Some(old) if !old.is_null() => *child = old.clone(),
                    _ => errors.push(ApiError::new(
                        Some(&child_path),
                        "is the redaction mask '**********' but no secret is stored here; send the real value",
                        "masked_secret_without_value",
                    )),
                }
            }
        } else {
            for sub in child_schemas(schema, key) {
                restore_at(sub, child, stored_child, &child_path, errors);
            }
        }
    }
}

fn collect_secret_keys(schema: &Value, out: &mut Vec<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            if v.get("airbyte_secret").and_then(Value::as_bool) == Some(true) {
                out.push(k.clone());
            }
        }
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for variant in schema
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_secret_keys(variant, out);
        }
    }
}

fn child_schemas<'a>(schema: &'a Value, key: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    if let Some(s) = schema.get("properties").and_then(|p| p.get(key)) {
        out.push(s);
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for variant in schema
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(child_schemas(variant, key));
        }
    }
    out
}

/// What the outcome inputs in a configuration ask for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Outcome {
    /// `slow`: delay the save by three seconds.
    pub slow: bool,
    /// `fail` or `error_<CODE>`: the check fails, with this field, code and message.
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub field: String,
    pub code: String,
    pub message: String,
}

pub(crate) const SLOW_DELAY: std::time::Duration = std::time::Duration::from_secs(3);

/// Reads the outcome inputs from the secret fields of `config` (Plaid-sandbox style magic values).
pub(crate) fn outcome(schema: &Value, config: &Map<String, Value>) -> Outcome {
    let mut out = Outcome::default();
    let mut value = Value::Object(config.clone());
    let mut found: Vec<(String, String)> = Vec::new();
    for_each_secret(schema, &mut value, &mut |obj, key| {
        if let Some(s) = obj.get(key).and_then(Value::as_str) {
            found.push((key.to_owned(), s.to_owned()));
        }
    });
    for (key, secret) in found {
        if secret == "slow" {
            out.slow = true;
        } else if secret == "fail" && out.failure.is_none() {
            out.failure = Some(Failure {
                field: key.clone(),
                code: "check_failed".into(),
                message: format!(
                    "Connection check failed: the credentials in '{key}' were rejected (outcome input 'fail')"
                ),
            });
        } else if let Some(code) = secret.strip_prefix("error_").filter(|c| !c.is_empty())
            && out.failure.is_none()
        {
            out.failure = Some(Failure {
                field: key.clone(),
                code: code.to_owned(),
                message: format!(
                    "Connection check failed with error code {code} (outcome input 'error_{code}' in '{key}')"
                ),
            });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["credentials", "repositories"],
            "properties": {
                "repositories": {"type": "array", "items": {"type": "string"}},
                "credentials": {"type": "object", "oneOf": [
                    {"title": "OAuth", "required": ["option_title", "access_token"], "properties": {
                        "option_title": {"type": "string", "const": "OAuth Credentials"},
                        "access_token": {"type": "string", "airbyte_secret": true}}},
                    {"title": "PAT", "required": ["option_title", "personal_access_token"], "properties": {
                        "option_title": {"type": "string", "const": "PAT Credentials"},
                        "personal_access_token": {"type": "string", "airbyte_secret": true}}}
                ]}
            }
        })
    }

    #[test]
    fn redacts_secrets_inside_one_of() {
        let config = json!({"repositories": ["a/b"], "credentials": {"option_title": "PAT Credentials", "personal_access_token": "ghp_x"}});
        let red = redact(&schema(), config.as_object().unwrap());
        assert_eq!(red["credentials"]["personal_access_token"], SECRET_MASK);
        assert_eq!(red["repositories"], json!(["a/b"]));
    }

    #[test]
    fn restores_masked_secrets_and_rejects_unbacked_masks() {
        let stored = json!({"credentials": {"option_title": "PAT Credentials", "personal_access_token": "ghp_x"}});
        let mut incoming = json!({"credentials": {"option_title": "PAT Credentials", "personal_access_token": SECRET_MASK}})
            .as_object().unwrap().clone();
        restore_secrets(
            &schema(),
            "source_config",
            &mut incoming,
            stored.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(incoming["credentials"]["personal_access_token"], "ghp_x");

        let mut switched = json!({"credentials": {"option_title": "OAuth Credentials", "access_token": SECRET_MASK}})
            .as_object().unwrap().clone();
        let errors = restore_secrets(
            &schema(),
            "source_config",
            &mut switched,
            stored.as_object().unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            errors[0].field.as_deref(),
            Some("source_config.credentials.access_token")
        );
    }

    #[test]
    fn reports_the_chosen_variant_fields() {
        let validator = jsonschema::validator_for(&schema()).unwrap();
        let errors = validate(
            &validator,
            "replication_config",
            &json!({"credentials": {"option_title": "PAT Credentials"}}),
        );
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.clone()).collect();
        assert!(
            fields.contains(&"replication_config.repositories".to_owned()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"replication_config.credentials.personal_access_token".to_owned()),
            "{fields:?}"
        );
    }

    #[test]
    fn outcome_inputs() {
        let s = schema();
        let cfg = |v: &str| {
            json!({"credentials": {"option_title": "PAT Credentials", "personal_access_token": v}})
                .as_object()
                .unwrap()
                .clone()
        };
        assert_eq!(
            outcome(&s, &cfg("fail")).failure.unwrap().code,
            "check_failed"
        );
        assert_eq!(
            outcome(&s, &cfg("error_INVALID_CREDENTIALS"))
                .failure
                .unwrap()
                .code,
            "INVALID_CREDENTIALS"
        );
        assert!(outcome(&s, &cfg("slow")).slow);
        assert_eq!(outcome(&s, &cfg("ghp_real")), Outcome::default());
    }
}
