//! A request or response body as the journal keeps it: the bytes that went over the wire, parsed
//! and redacted only when the journal is read, and then once.
//!
//! Recording is on every request's path and reading is rare (an operator's console, a test checking
//! what was sent), so the work goes to the reader: parsing, redacting and re-serialising both bodies
//! on every request cost more than most handlers (see BENCHMARKS.md, "The gap to the floor").
//! Bodies over [`BODY_CAP`] are rendered at once, so an entry never holds more than about twice the
//! cap, and what a reader gets is the same either way.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::BODY_CAP;
use super::redact::Redactor;

/// A body in a journal entry; serialises as its redacted JSON (or text, or a note), or `null`.
#[derive(Debug)]
pub(crate) struct Recorded {
    pending: Option<Pending>,
    rendered: OnceLock<Option<Value>>,
}

/// The bytes still to render, and how.
#[derive(Debug)]
struct Pending {
    bytes: Bytes,
    /// Form-encoded: redacted as a query string when it is not JSON.
    form: bool,
    redactor: Arc<Redactor>,
}

impl Recorded {
    /// No body, or an empty one.
    pub(crate) fn none() -> Self {
        Self::rendered(None)
    }

    /// A note in place of the body (it was too large, or it failed).
    pub(crate) fn note(text: String) -> Self {
        Self::rendered(Some(Value::String(text)))
    }

    /// `bytes` as sent with `headers`; redacted by `redactor` when first read.
    pub(crate) fn bytes(bytes: Bytes, headers: &HeaderMap, redactor: &Arc<Redactor>) -> Self {
        if bytes.is_empty() {
            return Self::none();
        }
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if bytes.len() > BODY_CAP {
            // Keeping a large body whole until someone reads it would grow the ring by the body's
            // size; its rendering is cut at the cap anyway.
            return Self::rendered(render(&bytes, form, redactor));
        }
        Self {
            pending: Some(Pending {
                bytes,
                form,
                redactor: Arc::clone(redactor),
            }),
            rendered: OnceLock::new(),
        }
    }

    fn rendered(value: Option<Value>) -> Self {
        Self {
            pending: None,
            rendered: OnceLock::from(value),
        }
    }

    /// The body as the journal shows it: redacted, and cut at [`BODY_CAP`] with a note.
    pub(crate) fn get(&self) -> Option<&Value> {
        self.rendered
            .get_or_init(|| {
                self.pending
                    .as_ref()
                    .and_then(|p| render(&p.bytes, p.form, &p.redactor))
            })
            .as_ref()
    }
}

impl Serialize for Recorded {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

/// JSON redacted as JSON; otherwise text (form parameters by name), or a note for binary content.
fn render(bytes: &[u8], form: bool, redactor: &Redactor) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if let Ok(mut json) = serde_json::from_slice::<Value>(bytes) {
        redactor.json(&mut json);
        return Some(capped_json(json));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(Value::String(format!(
            "[{} bytes of binary content]",
            bytes.len()
        )));
    };
    let redacted = if form {
        redactor.query(text)
    } else {
        redactor.text(text)
    };
    Some(Value::String(capped_text(&redacted)))
}

/// A JSON body as is, or, when its redacted text is over [`BODY_CAP`], that text cut with a note.
fn capped_json(json: Value) -> Value {
    let text = serde_json::to_string(&json).unwrap_or_default();
    if text.len() <= BODY_CAP {
        json
    } else {
        Value::String(capped_text(&text))
    }
}

fn capped_text(text: &str) -> String {
    if text.len() <= BODY_CAP {
        return text.to_owned();
    }
    let mut end = BODY_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated: {} bytes in all]", &text[..end], text.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use airbyte_embedded::SECRET_MASK;
    use axum::http::HeaderValue;
    use serde_json::json;

    use super::*;
    use crate::catalog::Catalog;

    fn redactor() -> Arc<Redactor> {
        Arc::new(Redactor::new(
            "the-client-secret",
            &Catalog::load().unwrap(),
        ))
    }

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        headers
    }

    #[test]
    fn bodies_are_redacted_when_read_and_rendered_once() {
        let r = redactor();
        let json = Recorded::bytes(
            Bytes::from_static(br#"{"client_secret": "s", "name": "n"}"#),
            &headers("application/json"),
            &r,
        );
        assert!(
            json.rendered.get().is_none(),
            "nothing is rendered before a read"
        );
        assert_eq!(
            json.get(),
            Some(&json!({"client_secret": SECRET_MASK, "name": "n"}))
        );
        assert!(std::ptr::eq(json.get().unwrap(), json.get().unwrap()));

        let form = Recorded::bytes(
            Bytes::from_static(b"grant_type=x&client_secret=s"),
            &headers("application/x-www-form-urlencoded"),
            &r,
        );
        assert_eq!(
            form.get(),
            Some(&Value::String(format!(
                "grant_type=x&client_secret={SECRET_MASK}"
            )))
        );
        let text = Recorded::bytes(
            Bytes::from_static(b"the-client-secret is here"),
            &HeaderMap::new(),
            &r,
        );
        assert_eq!(
            text.get(),
            Some(&Value::String(format!("{SECRET_MASK} is here")))
        );
        let binary = Recorded::bytes(Bytes::from_static(&[0xff, 0xfe]), &HeaderMap::new(), &r);
        assert_eq!(
            binary.get(),
            Some(&Value::String("[2 bytes of binary content]".into()))
        );
        assert_eq!(
            Recorded::bytes(Bytes::new(), &HeaderMap::new(), &r).get(),
            None
        );
    }

    #[test]
    fn large_bodies_are_rendered_at_once_and_cut_at_the_cap() {
        let r = redactor();
        let big = serde_json::to_vec(&json!({"items": vec!["x".repeat(100); 1000]})).unwrap();
        let recorded = Recorded::bytes(Bytes::from(big), &headers("application/json"), &r);
        assert!(recorded.pending.is_none(), "a large body is not kept raw");
        let Some(Value::String(text)) = recorded.get() else {
            panic!("a body over the cap is recorded as cut text");
        };
        assert!(
            text.ends_with("bytes in all]"),
            "{}",
            &text[text.len() - 40..]
        );
        assert!(text.len() < BODY_CAP + 100);
    }
}
