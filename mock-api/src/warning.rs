//! `Warning` response headers (RFC 7234's `299` warn-code form): how the mock says "Airbyte accepts
//! this, but it is probably not what you meant" without refusing what Airbyte accepts, and how
//! runtime validation reports a contract violation without changing the answer.
//!
//! Anything in the mock that warns appends a header with [`append`]; the control layer copies every
//! `Warning` of the final answer into the journal entry and the log, so a warning needs no other
//! plumbing. A handler that may be lenient collects its [`Leniency`]s in [`Warnings`]: by default each
//! becomes a warning on the answer Airbyte would give; under `--strict` the first one is the 422.

use airbyte_embedded::{ApiError, CheckStatus, SourceCheckResponse};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::error::{AppError, AppResult};

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

/// One thing the mock accepts because Airbyte accepts it (or may: where Airbyte's behaviour is
/// unknown, the mock does not refuse), although it is probably a mistake.
#[derive(Debug, Clone)]
pub(crate) struct Leniency {
    /// The request field at fault, as the request spelled it.
    pub(crate) field: String,
    /// The warning by default: what is wrong, what it leads to, and the fix.
    pub(crate) warning: String,
    /// The 422's message under `--strict`: names the field and the fix.
    pub(crate) refusal: String,
    /// The 422's `error_code`.
    pub(crate) code: &'static str,
    /// What to send instead, as the 422's `details.suggestion`.
    pub(crate) suggestion: Option<String>,
}

impl Leniency {
    fn into_error(self) -> AppError {
        AppError::invalid_many(vec![ApiError {
            field: Some(self.field),
            message: Some(self.refusal),
            error_code: Some(self.code.to_owned()),
            details: self.suggestion.map(|s| {
                let mut m = serde_json::Map::new();
                m.insert("suggestion".into(), serde_json::Value::String(s));
                m
            }),
        }])
    }
}

/// The text of [`Warnings::simulated_check`].
pub(crate) const SIMULATED_CHECK: &str = "this check only validated the configuration against the \
     connector's schema (the mock cannot reach the service, so the credentials were not tried); \
     Airbyte runs the connector's real check, which fails for credentials the service rejects: put \
     'fail' or 'error_<CODE>' in a secret field to rehearse a failed check";

/// The warnings one answer collects, and whether leniencies are refused instead (`--strict`).
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    strict: bool,
    texts: Vec<String>,
}

impl Warnings {
    pub(crate) fn new(strict: bool) -> Self {
        Self {
            strict,
            texts: Vec::new(),
        }
    }

    /// Under `--strict` the 422 for `leniency`; otherwise its warning, kept for [`Self::apply`].
    pub(crate) fn lenient(&mut self, leniency: Leniency) -> AppResult<()> {
        if self.strict {
            return Err(leniency.into_error());
        }
        self.texts.push(leniency.warning);
        Ok(())
    }

    /// A warning in every mode: something the client cannot fix, only needs to know.
    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.texts.push(text.into());
    }

    /// The warning on a simulated check that passed. The mock cannot reach the service, so it passes
    /// every configuration its connector's schema accepts; Airbyte runs the connector's real check,
    /// which fails for made-up credentials. Not refused under `--strict` either: the request is fine,
    /// and refusing it would refuse what Airbyte accepts (a check answers 200 with its status).
    pub(crate) fn simulated_check(&mut self, check: &SourceCheckResponse) {
        if check.status == Some(CheckStatus::Succeeded) {
            self.note(SIMULATED_CHECK);
        }
    }

    /// `response` with every collected warning.
    pub(crate) fn apply(self, mut response: Response) -> Response {
        for text in &self.texts {
            append(&mut response, text);
        }
        response
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn leniency() -> Leniency {
        Leniency {
            field: "allowed_origin".into(),
            warning: "has a trailing slash; use http://localhost:3000".into(),
            refusal: "allowed_origin must not end with '/': use 'http://localhost:3000'".into(),
            code: "invalid_origin",
            suggestion: Some("http://localhost:3000".into()),
        }
    }

    #[test]
    fn lenient_warns_by_default_and_refuses_when_strict() {
        let mut warnings = Warnings::new(false);
        warnings.lenient(leniency()).unwrap();
        warnings.note("a note");
        let response = warnings.apply(Response::new(axum::body::Body::empty()));
        assert_eq!(
            texts(response.headers()),
            ["has a trailing slash; use http://localhost:3000", "a note"]
        );

        let err = Warnings::new(true).lenient(leniency()).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        let e = &err.body.errors[0];
        assert_eq!(e.field.as_deref(), Some("allowed_origin"));
        assert_eq!(e.error_code.as_deref(), Some("invalid_origin"));
        assert_eq!(
            e.details.as_ref().unwrap()["suggestion"],
            "http://localhost:3000"
        );
    }

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
