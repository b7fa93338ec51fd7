//! Normalisation of JSON for comparisons that must not depend on one run's ids, times or tokens:
//! the contract suite's snapshots and the mock's replay matching (`--replay`) use this one
//! implementation, so a cassette matches exactly what the contract suite considers equal.

use serde_json::{Value, json};

/// Ids, times, tokens, the API's own origin (`api_origin`; empty for none) and generated workspace
/// names (`contract-…`) replaced by placeholders, so two runs of the same calls compare equal.
pub fn normalise(value: &Value, api_origin: &str) -> Value {
    match value {
        Value::String(s) => Value::String(normalise_str(s, api_origin)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| normalise(v, api_origin)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "exp" | "iat" | "timestamp" => json!("[unix-time]"),
                        _ => normalise(v, api_origin),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

fn normalise_str(s: &str, api_origin: &str) -> String {
    if is_uuid(s) {
        return "[uuid]".into();
    }
    if s.len() > 40 && s.starts_with("eyJ") {
        return if s.split('.').count() == 3 {
            "[jwt]".into()
        } else {
            "[widget-token]".into()
        };
    }
    if s.len() >= 20 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T') {
        return "[timestamp]".into();
    }
    let mut out = if api_origin.is_empty() {
        s.to_owned()
    } else {
        s.replace(api_origin, "[api-origin]")
    };
    // Generated workspace names, wherever they appear.
    while let Some(start) = out.find("contract-") {
        let end = out[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(out.len(), |e| start + e);
        out.replace_range(start..end, "[workspace-name]");
    }
    // Embedded uuids ("Stripe - <uuid>", query strings).
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = (0..rest.len())
        .find(|&i| rest.is_char_boundary(i) && rest.get(i..i + 36).is_some_and(is_uuid))
    {
        result.push_str(&rest[..i]);
        result.push_str("[uuid]");
        rest = &rest[i + 36..];
    }
    result.push_str(rest);
    result
}
