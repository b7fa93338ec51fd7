//! `Warning` response headers (RFC 7234's `299` warn-code form): how the mock says "Airbyte accepts
//! this, but it is probably not what you meant" without refusing what Airbyte accepts, and how
//! runtime validation reports a contract violation without changing the answer.
//!
//! Anything in the mock that warns appends a header with [`append`]; the control layer copies every
//! `Warning` of the final answer into the journal entry and the log, so a warning needs no other
//! plumbing.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// The warn-agent the mock signs its warnings with.
pub(crate) const AGENT: &str = "airbyte-mock";

/// `299 airbyte-mock "<text>"`, with `"` and `\` escaped and anything outside visible ASCII
/// replaced, so every text makes a valid header value.
pub(crate) fn header_value(text: &str) -> HeaderValue {
    let mut quoted = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            ' '..='~' => quoted.push(c),
            _ => quoted.push('?'),
        }
    }
    HeaderValue::from_str(&format!("299 {AGENT} \"{quoted}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("299 airbyte-mock \"(unprintable warning)\""))
}

/// Adds one warning to `response`, after any it already has.
pub(crate) fn append(response: &mut Response, text: &str) {
    response
        .headers_mut()
        .append(header::WARNING, header_value(text));
}

/// The texts of the mock's own warnings in `headers` (others' warnings, for example an upstream's
/// in proxy mode, are returned whole).
pub(crate) fn texts(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::WARNING)
        .iter()
        .map(|value| {
            let raw = String::from_utf8_lossy(value.as_bytes());
            let prefix = format!("299 {AGENT} \"");
            match raw.strip_prefix(&prefix).and_then(|s| s.strip_suffix('"')) {
                Some(text) => text.replace("\\\"", "\"").replace("\\\\", "\\"),
                None => raw.into_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_quotes_and_backslashes() {
        let mut response = Response::new(axum::body::Body::empty());
        append(&mut response, r#"use "http://localhost:3000" \ not this"#);
        append(&mut response, "second");
        let values: Vec<_> = response.headers().get_all(header::WARNING).iter().collect();
        assert_eq!(
            values[0].to_str().unwrap(),
            r#"299 airbyte-mock "use \"http://localhost:3000\" \\ not this""#
        );
        assert_eq!(
            texts(response.headers()),
            [r#"use "http://localhost:3000" \ not this"#, "second"]
        );
    }

    #[test]
    fn non_ascii_never_breaks_the_header() {
        let value = header_value("café\nnext");
        assert_eq!(value.to_str().unwrap(), "299 airbyte-mock \"caf??next\"");
    }
}
