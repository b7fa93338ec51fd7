//! What the journal must never record: secrets and tokens in request and response bodies and in
//! query strings, replaced by `**********` before an entry is stored or streamed.
//!
//! Three nets, because a journal that leaks a credential once is worse than no journal:
//! - by key: any value under a key that names a credential (`client_secret`, `access_token`,
//!   `scopedAuthToken`, anything containing `secret`, `password`, `token`, `api_key`, …), and inside
//!   a source configuration (`source_config`, `*_config`, `*configuration`) also every property the
//!   catalog's connector specs mark `airbyte_secret` (such as `service_account_info`);
//! - by shape: every JWT and every widget token (Base64 of `{token, widgetUrl}`) anywhere in a string:
//!   both are Base64 of a JSON object, so they start with `eyJ`;
//! - by value: the configured client secret wherever it appears.
//!
//! The journal replaces what it finds by the mask; the cassette recorder (`crate::cassette`) walks
//! the same nets with [`Redactor::json_with`] and [`Redactor::query_with`] and chooses its own
//! placeholders, so there is one definition of what counts as a secret.

use std::collections::BTreeSet;

use airbyte_embedded::SECRET_MASK;
use serde_json::Value;

use crate::catalog::Catalog;

/// Masks secrets in what the journal records.
#[derive(Debug)]
pub(crate) struct Redactor {
    /// Values masked wherever they appear (the client secret).
    literals: Vec<String>,
    /// Property names marked `airbyte_secret` in some connector spec, masked inside configurations.
    config_secrets: BTreeSet<String>,
}

impl Redactor {
    pub(crate) fn new(client_secret: &str, catalog: &Catalog) -> Self {
        let mut config_secrets = BTreeSet::new();
        for definition in &catalog.sources {
            collect_secret_names(
                &definition.user_config_spec.connection_specification,
                &mut config_secrets,
            );
        }
        let literals = if client_secret.is_empty() {
            Vec::new()
        } else {
            vec![client_secret.to_owned()]
        };
        Self {
            literals,
            config_secrets,
        }
    }

    /// Masks a JSON document in place.
    pub(crate) fn json(&self, value: &mut Value) {
        self.json_with(value, &mut |_| SECRET_MASK.to_owned());
    }

    /// Replaces every secret in a JSON document by what `replace` makes of it.
    pub(crate) fn json_with(&self, value: &mut Value, replace: Replace<'_>) {
        self.walk(value, false, replace);
    }

    fn walk(&self, value: &mut Value, in_config: bool, replace: Replace<'_>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let secret = sensitive_key(key)
                        || (in_config && self.config_secrets.contains(key.as_str()));
                    if secret && mask_scalars(key, child, replace) {
                        continue;
                    }
                    self.walk(child, in_config || is_config_key(key), replace);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, in_config, replace);
                }
            }
            Value::String(text) => {
                if let Some(masked) = self.masked_text(text, replace) {
                    *text = masked;
                }
            }
            _ => {}
        }
    }

    /// Masks tokens and known secret values in free text (a non-JSON body, a string value).
    pub(crate) fn text(&self, text: &str) -> String {
        self.text_with(text, &mut |_| SECRET_MASK.to_owned())
    }

    /// Replaces tokens and known secret values in free text by what `replace` makes of them.
    pub(crate) fn text_with(&self, text: &str, replace: Replace<'_>) -> String {
        self.masked_text(text, replace)
            .unwrap_or_else(|| text.to_owned())
    }

    /// `None` when there is nothing to mask (the common case allocates nothing).
    fn masked_text(&self, text: &str, replace: Replace<'_>) -> Option<String> {
        let mut out: Option<String> = None;
        for literal in &self.literals {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(literal.as_str()) {
                out = Some(current.replace(literal.as_str(), &replace(Found::Literal)));
            }
        }
        let current = out.as_deref().unwrap_or(text);
        if let Some(masked) = mask_base64_json(current, replace) {
            out = Some(masked);
        }
        let current = out.as_deref().unwrap_or(text);
        if let Some(masked) = mask_quoted_pairs(current, replace) {
            out = Some(masked);
        }
        out
    }

    /// A query string (or a form-encoded body) with every sensitive parameter's value masked; the
    /// other parameters are kept as they were sent.
    pub(crate) fn query(&self, query: &str) -> String {
        self.query_with(query, &mut |_| SECRET_MASK.to_owned())
    }

    /// [`Redactor::query`] with the replacement chosen by `replace`.
    pub(crate) fn query_with(&self, query: &str, replace: Replace<'_>) -> String {
        query
            .split('&')
            .map(|pair| {
                let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
                let key = decode(raw_key);
                let value = decode(raw_value);
                if sensitive_key(&key) && !value.is_empty() {
                    let found = Found::Keyed {
                        key: &key,
                        value: &Value::String(value.clone()),
                    };
                    return format!("{raw_key}={}", replace(found));
                }
                // A value with a token in it goes whole: an unencoded `+` in a widget token
                // decodes to a space, which would leave the token's tail behind a partial mask.
                match self.masked_text(&value, replace) {
                    Some(_) => format!("{raw_key}={}", replace(Found::Encoded(&value))),
                    None if pair.contains('=') => pair.to_owned(),
                    None => match self.masked_text(&key, replace) {
                        Some(masked) => masked,
                        None => pair.to_owned(),
                    },
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// What the redactor found, handed to the caller's replacement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found<'a> {
    /// A scalar under a key that names a credential (or an `airbyte_secret` property inside a
    /// configuration); a string inside text for a quoted `"key": "value"` pair.
    Keyed { key: &'a str, value: &'a Value },
    /// The configured client secret inside some text.
    Literal,
    /// A run of Base64 JSON (a JWT, a widget token) inside some text.
    Encoded(&'a str),
}

/// Makes the replacement for what was found.
pub(crate) type Replace<'r> = &'r mut dyn FnMut(Found<'_>) -> String;

fn decode(raw: &str) -> String {
    url::form_urlencoded::parse(format!("x={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Whether a key names a credential, whatever its case or style (`client_secret`, `clientSecret`,
/// `scopedAuthToken`, `X-Api-Key`).
pub(crate) fn sensitive_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace('-', "_");
    [
        "secret",
        "password",
        "passwd",
        "token",
        "api_key",
        "apikey",
        "authorization",
        "private_key",
        "credential_json",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// Keys whose value is a connector configuration.
fn is_config_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "config" || key.ends_with("_config") || key.ends_with("configuration")
}

/// Masks a secret-keyed value: a scalar becomes the mask, an array of scalars is masked item by
/// item. Objects are left to the walk (a key such as `password` also names a property's schema in
/// a template, which is no secret); returns whether the value was dealt with.
fn mask_scalars(key: &str, value: &mut Value, replace: Replace<'_>) -> bool {
    match value {
        Value::String(_) | Value::Number(_) => {
            *value = Value::String(replace(Found::Keyed { key, value }));
            true
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            for item in items.iter_mut() {
                if !item.is_null() && !item.is_boolean() {
                    *item = Value::String(replace(Found::Keyed { key, value: item }));
                }
            }
            true
        }
        Value::Null | Value::Bool(_) => true,
        _ => false,
    }
}

/// The shortest run starting with `eyJ` that is masked: JWT headers alone are longer than this.
const MIN_TOKEN_LEN: usize = 16;

/// Replaces every run of Base64 (standard or URL-safe, with JWT dots) that starts with `eyJ` (Base64
/// of `{"`): JWTs, widget tokens, and any other encoded JSON, which is never worth the risk.
fn mask_base64_json(text: &str, replace: Replace<'_>) -> Option<String> {
    if !text.contains("eyJ") {
        return None;
    }
    let is_token_byte =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.');
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    let mut copied = 0;
    while let Some(offset) = text[i..].find("eyJ") {
        let start = i + offset;
        // A token starts a run: `xeyJ...` is the middle of some other word.
        let starts_run = start == 0 || !is_token_byte(bytes[start - 1]);
        let mut end = start;
        while end < bytes.len() && is_token_byte(bytes[end]) {
            end += 1;
        }
        if starts_run && end - start >= MIN_TOKEN_LEN {
            out.push_str(&text[copied..start]);
            out.push_str(&replace(Found::Encoded(&text[start..end])));
            copied = end;
            changed = true;
        }
        i = end.max(start + 3);
    }
    if !changed {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// In text that is not itself a JSON document (JSON inside an HTML page, a string holding JSON),
/// masks the value of every `"key": "value"` whose key names a credential; a value cut short by
/// the end of the text is masked to the end.
fn mask_quoted_pairs(text: &str, replace: Replace<'_>) -> Option<String> {
    // The index of the quote closing a string that starts at `from`.
    fn closing_quote(bytes: &[u8], from: usize) -> Option<usize> {
        let mut k = from;
        while k < bytes.len() {
            match bytes[k] {
                b'\\' => k += 2,
                b'"' => return Some(k),
                _ => k += 1,
            }
        }
        None
    }
    if !text.contains('"') {
        return None;
    }
    let bytes = text.as_bytes();
    let skip_space = |mut k: usize| {
        while k < bytes.len() && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        k
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(offset) = text[i..].find('"') {
        let key_start = i + offset + 1;
        let Some(key_end) = closing_quote(bytes, key_start) else {
            break;
        };
        i = key_end + 1;
        let colon = skip_space(key_end + 1);
        if bytes.get(colon) != Some(&b':') {
            continue;
        }
        let value = skip_space(colon + 1);
        if bytes.get(value) != Some(&b'"') || !sensitive_key(&text[key_start..key_end]) {
            continue;
        }
        let value_end = closing_quote(bytes, value + 1).unwrap_or(bytes.len());
        if value_end > value + 1 {
            out.push_str(&text[copied..=value]);
            let found = Value::String(text[value + 1..value_end].to_owned());
            out.push_str(&replace(Found::Keyed {
                key: &text[key_start..key_end],
                value: &found,
            }));
            copied = value_end;
        }
        i = (value_end + 1).min(bytes.len());
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Every property name marked `airbyte_secret` anywhere in a connector spec.
fn collect_secret_names(schema: &Value, names: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, property) in properties {
                    if property.get("airbyte_secret").and_then(Value::as_bool) == Some(true) {
                        names.insert(name.clone());
                    }
                }
            }
            for child in map.values() {
                collect_secret_names(child, names);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_secret_names(item, names);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn redactor() -> Redactor {
        Redactor::new("the-client-secret", &Catalog::load().unwrap())
    }

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn keys_shapes_and_literals_are_masked() {
        let r = redactor();
        let mut body = json!({
            "client_id": "id",
            "client_secret": "s",
            "clientSecret": "s",
            "scopedAuthToken": "t",
            "note": format!("Bearer {JWT} and the-client-secret"),
            "source_config": {"service_account_info": "{...}", "client_id": "3MVG", "credentials": {"refresh_token": "r"}},
            "password": {"type": "string", "airbyte_secret": true},
            "flag": true,
        });
        r.json(&mut body);
        assert_eq!(
            body,
            json!({
                "client_id": "id",
                "client_secret": SECRET_MASK,
                "clientSecret": SECRET_MASK,
                "scopedAuthToken": SECRET_MASK,
                "note": format!("Bearer {SECRET_MASK} and {SECRET_MASK}"),
                "source_config": {"service_account_info": SECRET_MASK, "client_id": SECRET_MASK, "credentials": {"refresh_token": SECRET_MASK}},
                "password": {"type": "string", "airbyte_secret": true},
                "flag": true,
            })
        );
    }

    #[test]
    fn widget_tokens_are_masked_in_text_and_queries() {
        let r = redactor();
        let widget =
            airbyte_embedded::WidgetToken::new(JWT, "http://x/embedded-widget?a=b").encode();
        assert_eq!(
            r.text(&format!("got {widget}.")),
            format!("got {SECRET_MASK}")
        );
        let encoded: String = url::form_urlencoded::byte_serialize(widget.as_bytes()).collect();
        assert_eq!(
            r.query(&format!("a=1&t={encoded}&access_token=x&flag")),
            format!("a=1&t={SECRET_MASK}&access_token={SECRET_MASK}&flag")
        );
        assert_eq!(
            r.text("no eyJ here, xeyJabcdefghijklmnopq"),
            "no eyJ here, xeyJabcdefghijklmnopq"
        );
        assert_eq!(
            r.text(
                r#"<script>{"a": "b", "credentials.refresh_token": "r1", "x\"y": 1, "token":"cut"#
            ),
            format!(
                r#"<script>{{"a": "b", "credentials.refresh_token": "{SECRET_MASK}", "x\"y": 1, "token":"{SECRET_MASK}"#
            )
        );
    }
}
