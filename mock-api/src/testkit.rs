//! What every test suite of the workspace shares, next to [`crate::TestServer`]: JWT decoding,
//! the assertion on Airbyte's error shape, unique names and the constants tests compare against.
//! The helpers panic with the offending value in the message; they are meant for tests.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use serde_json::Value;

/// Airbyte's regions and the redaction mask, from `airbyte-embedded` (not redeclared).
pub use airbyte_embedded::{REGION_EU, REGION_US, SECRET_MASK};

/// The claims (payload) of a JWT, decoded without verifying the signature.
///
/// # Panics
/// If `jwt` is not three dot-separated parts or its payload is not base64url JSON.
pub fn jwt_claims(jwt: &str) -> Value {
    jwt_part(jwt, 1, "claims")
}

/// The header of a JWT (`alg`, `typ`), decoded without verification.
///
/// # Panics
/// As [`jwt_claims`].
pub fn jwt_header(jwt: &str) -> Value {
    jwt_part(jwt, 0, "header")
}

fn jwt_part(jwt: &str, index: usize, what: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {jwt:?}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[index].trim_end_matches('='))
        .unwrap_or_else(|e| panic!("the JWT {what} is not base64url ({e}): {jwt:?}"));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the JWT {what} is not JSON ({e}): {jwt:?}"))
}

/// Asserts `body` is Airbyte's `ApiErrorResponse` as the API sends it: a string `message` and a
/// non-empty `errors` array whose entries all have `field` (string or null), `message` (string),
/// `error_code` (string) and `details`. Returns the `message`.
///
/// # Panics
/// Naming what is missing, with the whole body.
pub fn assert_error_shape(body: &Value) -> String {
    let message = body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("error body without a message: {body}"));
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("error body without an errors array: {body}"));
    assert!(!errors.is_empty(), "errors is empty: {body}");
    for e in errors {
        for key in ["field", "message", "error_code", "details"] {
            assert!(e.get(key).is_some(), "error entry without {key}: {body}");
        }
        assert!(
            e["field"].is_null() || e["field"].is_string(),
            "field must be a string or null: {body}"
        );
        assert!(e["message"].is_string(), "entry without a message: {body}");
        assert!(e["error_code"].is_string(), "entry without a code: {body}");
    }
    message.to_owned()
}

/// The `field` of every entry of an error body that names one.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The error entry about `field`, if any.
pub fn error_for<'a>(body: &'a Value, field: &str) -> Option<&'a Value> {
    body["errors"]
        .as_array()?
        .iter()
        .find(|e| e["field"].as_str() == Some(field))
}

/// A name no other test, test binary or earlier run uses: `<prefix>-<pid>-<run>-<n>`, with a
/// per-process counter and a random run id (a live API keeps workspaces between runs, and pids are
/// reused). Only ASCII letters, digits and dashes are added.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static RUN: OnceLock<String> = OnceLock::new();
    let run = RUN.get_or_init(|| {
        let mut id = uuid::Uuid::new_v4().simple().to_string();
        id.truncate(8);
        id
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{run}-{n}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unique_names_differ() {
        let a = unique("ws");
        let b = unique("ws");
        assert_ne!(a, b);
        assert!(a.starts_with("ws-"), "{a}");
        assert!(
            a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'),
            "{a}"
        );
    }

    #[test]
    fn decodes_a_jwt() {
        let enc =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let jwt = format!(
            "{}.{}.sig",
            enc(&json!({"alg": "HS256"})),
            enc(&json!({"sub": "x"}))
        );
        assert_eq!(jwt_header(&jwt)["alg"], "HS256");
        assert_eq!(jwt_claims(&jwt)["sub"], "x");
    }

    #[test]
    fn the_error_shape() {
        let body = json!({"message": "m", "errors": [
            {"field": "workspace_name", "message": "required", "error_code": "x", "details": null},
        ]});
        assert_eq!(assert_error_shape(&body), "m");
        assert_eq!(error_fields(&body), ["workspace_name"]);
        assert!(error_for(&body, "workspace_name").is_some());
        let empty = json!({"message": "m", "errors": []});
        assert!(std::panic::catch_unwind(|| assert_error_shape(&empty)).is_err());
    }
}

/// A directory of its own under the system's temp dir (for state files, fixtures), removed with
/// everything in it when dropped.
#[derive(Debug)]
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// Creates `airbyte-mock-<name>-<unique>` under the temp dir.
    ///
    /// # Panics
    /// If the directory cannot be created.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(unique(&format!("airbyte-mock-{name}")));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Self(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// `state.ndjson` inside it: where a test's `--state-file` goes.
    pub fn file(&self) -> std::path::PathBuf {
        self.0.join("state.ndjson")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
