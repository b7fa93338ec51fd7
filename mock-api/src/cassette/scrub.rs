//! Scrubbing for cassettes: every secret, credential and token in a request or a response replaced
//! by a stable placeholder before anything is written or matched. What counts as a secret is the
//! journal's definition (`control::redact::Redactor`, walked with a replacement of our own); this
//! file only chooses the placeholders:
//!
//! - `{{client-id}}`, `{{client-secret}}`: the configured client credentials, and at record time
//!   the ones the upstream accepted on a token request;
//! - `{{jwt-N}}`: the N-th distinct JWT, its claims kept in the cassette's `tokens` table (claims
//!   are no credential: without the signature a token is useless), so replay can mint a fresh one;
//! - `{{widget-token-N}}`: a widget token, with its `widgetUrl` and the `{{jwt-N}}` inside it;
//! - `{{secret}}`: any other secret (a source configuration's `airbyte_secret` fields, a wrong
//!   client secret, an opaque bearer token).
//!
//! `**********` (Airbyte's redaction mask) is no secret and stays as it is: sending it back means
//! "keep the stored secret", which replay must tell apart from sending a new one.

use std::collections::{BTreeMap, HashMap};

use airbyte_embedded::{SECRET_MASK, WidgetToken};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::control::redact::{Found, Redactor};

pub(crate) const CLIENT_ID: &str = "{{client-id}}";
pub(crate) const CLIENT_SECRET: &str = "{{client-secret}}";
pub(crate) const SECRET: &str = "{{secret}}";

/// A token's tier, from its claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Tier {
    Application,
    Scoped,
}

impl Tier {
    /// Scoped when the claims carry a workspace scope or the end-user role; application otherwise.
    pub(crate) fn of(claims: &Value) -> Self {
        let end_user = claims
            .get("roles")
            .and_then(Value::as_array)
            .is_some_and(|roles| roles.iter().any(|r| r == crate::auth::END_USER_ROLE));
        if end_user
            || claims.get("io.airbyte.auth.workspace_scope").is_some()
            || claims.get("typ").and_then(Value::as_str) == Some(crate::auth::SCOPED_TYP)
        {
            Self::Scoped
        } else {
            Self::Application
        }
    }
}

/// One entry of the cassette's `tokens` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum TokenEntry {
    /// A JWT: its tier and claims (the header and the signature are not kept).
    Jwt { tier: Tier, claims: Value },
    /// A widget token: the placeholder of the JWT inside it and its `widgetUrl`.
    WidgetToken {
        token: String,
        #[serde(rename = "widgetUrl")]
        widget_url: String,
    },
}

/// The tokens seen so far: placeholders by raw token (kept in memory only) and the table.
#[derive(Default)]
pub(crate) struct Tokens {
    pub entries: BTreeMap<String, TokenEntry>,
    seen: HashMap<String, String>,
}

/// Never the raw tokens, whatever prints the state.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} placeholders)", self.entries.len())
    }
}

impl Tokens {
    /// The placeholder (`{{jwt-N}}`, `{{widget-token-N}}`) of a raw token, or `None` when it is
    /// neither a JWT nor a widget token.
    /// Known credentials in the claims (an application token's subject is the client id) are
    /// replaced by their placeholders too.
    pub(crate) fn placeholder(
        &mut self,
        raw: &str,
        literals: &[(String, &'static str)],
    ) -> Option<String> {
        if let Some(name) = self.seen.get(raw) {
            return Some(name.clone());
        }
        let entry = if let Some(mut claims) = jwt_claims(raw) {
            literal_value(literals, &mut claims);
            TokenEntry::Jwt {
                tier: Tier::of(&claims),
                claims,
            }
        } else {
            let widget = WidgetToken::decode(raw).ok()?;
            let inner = widget
                .token
                .as_deref()
                .filter(|t| jwt_claims(t).is_some())?;
            TokenEntry::WidgetToken {
                token: self.placeholder(inner, literals)?,
                widget_url: widget.widget_url,
            }
        };
        let kind = match entry {
            TokenEntry::Jwt { .. } => "jwt",
            TokenEntry::WidgetToken { .. } => "widget-token",
        };
        let name = format!("{{{{{kind}-{}}}}}", self.entries.len() + 1);
        self.entries.insert(name.clone(), entry);
        self.seen.insert(raw.to_owned(), name.clone());
        Some(name)
    }
}

/// The claims of something shaped like a JWT (three parts, a JSON header and a JSON object payload),
/// decoded without verifying anything.
pub(crate) fn jwt_claims(raw: &str) -> Option<Value> {
    let mut parts = raw.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    };
    decode(header)?;
    decode(payload).filter(Value::is_object)
}

/// Scrubs with one redactor, a set of known credential values and a token table.
pub(crate) struct Scrubber<'a> {
    pub redactor: &'a Redactor,
    /// Exact values and their placeholders (the client id and secret).
    pub literals: &'a [(String, &'static str)],
    pub tokens: &'a mut Tokens,
}

impl Scrubber<'_> {
    fn replacement(&mut self, found: Found<'_>) -> String {
        match found {
            Found::Literal => CLIENT_SECRET.to_owned(),
            Found::Encoded(run) => self
                .tokens
                .placeholder(run, self.literals)
                .unwrap_or_else(|| SECRET.into()),
            // OAuth's `token_type: "Bearer"` is under a credential-sounding key but names a scheme.
            Found::Keyed { key, value } if key.eq_ignore_ascii_case("token_type") => match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            Found::Keyed { value, .. } => match value {
                Value::String(s) if s == SECRET_MASK || is_placeholder(s) => s.clone(),
                Value::String(s) => self
                    .literal(s)
                    .map(str::to_owned)
                    .or_else(|| self.tokens.placeholder(s, self.literals))
                    .unwrap_or_else(|| SECRET.into()),
                _ => SECRET.into(),
            },
        }
    }

    fn literal(&self, value: &str) -> Option<&'static str> {
        self.literals
            .iter()
            .find(|(known, _)| known == value)
            .map(|(_, placeholder)| *placeholder)
    }

    /// A JSON document, in place.
    pub(crate) fn json(&mut self, value: &mut Value) {
        let redactor = self.redactor;
        redactor.json_with(value, &mut |found| self.replacement(found));
        literal_value(self.literals, value);
    }

    /// Free text (a non-JSON body).
    pub(crate) fn text(&mut self, text: &str) -> String {
        let redactor = self.redactor;
        let scrubbed = redactor.text_with(text, &mut |found| self.replacement(found));
        literal_text(self.literals, &scrubbed)
    }

    /// A query string.
    pub(crate) fn query(&mut self, query: &str) -> String {
        let redactor = self.redactor;
        let scrubbed = redactor.query_with(query, &mut |found| self.replacement(found));
        literal_text(self.literals, &scrubbed)
    }

    /// An `Authorization` header: the scheme kept, the credential replaced.
    pub(crate) fn authorization(&mut self, value: &str) -> String {
        let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
        let credential = credential.trim();
        if credential.is_empty() {
            return scheme.to_owned();
        }
        let placeholder = if scheme.eq_ignore_ascii_case("bearer") {
            self.tokens.placeholder(credential, self.literals)
        } else {
            None
        };
        format!("{scheme} {}", placeholder.unwrap_or_else(|| SECRET.into()))
    }
}

/// Known credentials left anywhere in a document (a client id is under no secret-sounding key).
fn literal_value(literals: &[(String, &'static str)], value: &mut Value) {
    match value {
        Value::String(s) => {
            let replaced = literal_text(literals, s);
            if replaced != *s {
                *s = replaced;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| literal_value(literals, v)),
        Value::Object(map) => map.values_mut().for_each(|v| literal_value(literals, v)),
        _ => {}
    }
}

fn literal_text(literals: &[(String, &'static str)], text: &str) -> String {
    if let Some((_, placeholder)) = literals.iter().find(|(known, _)| known == text) {
        return (*placeholder).to_owned();
    }
    let mut out = text.to_owned();
    for (known, placeholder) in literals {
        // Short values only whole: "id" inside a word is no credential.
        if known.len() >= 8 && out.contains(known.as_str()) {
            out = out.replace(known.as_str(), placeholder);
        }
    }
    out
}

/// Whether a string is one of our placeholders as a whole.
pub(crate) fn is_placeholder(s: &str) -> bool {
    s.starts_with("{{") && s.ends_with("}}") && !s[2..s.len() - 2].contains("{{")
}

/// The `{{name}}` placeholders in a string, with their byte ranges.
pub(crate) fn placeholders(s: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = s[from..].find("{{").map(|i| from + i) {
        let Some(end) = s[start + 2..].find("}}").map(|i| start + 2 + i + 2) else {
            break;
        };
        found.push((start..end, &s[start..end]));
        from = end;
    }
    found
}

/// The placeholders without their numbers (`{{jwt-3}}` → `{{jwt}}`): what matching compares, since
/// the numbering depends on what a session saw before.
pub(crate) fn without_numbers(value: &Value) -> Value {
    match value {
        Value::String(s) if s.contains("{{") => {
            let mut out = String::with_capacity(s.len());
            let mut copied = 0;
            for (range, name) in placeholders(s) {
                out.push_str(&s[copied..range.start]);
                let trimmed =
                    name[2..name.len() - 2].trim_end_matches(|c: char| c.is_ascii_digit());
                match trimmed.strip_suffix('-') {
                    Some(kind) => out.push_str(&format!("{{{{{kind}}}}}")),
                    None => out.push_str(name),
                }
                copied = range.end;
            }
            out.push_str(&s[copied..]);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(without_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), without_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::Catalog;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn secrets_become_stable_placeholders() {
        let redactor = Redactor::new("the-client-secret", &Catalog::load().unwrap());
        let literals = [
            ("the-client-id".to_owned(), CLIENT_ID),
            ("the-client-secret".to_owned(), CLIENT_SECRET),
        ];
        let mut tokens = Tokens::default();
        let widget = WidgetToken::new(JWT, "https://x/embedded-widget?a=b").encode();
        let mut body = json!({
            "client_id": "the-client-id",
            "client_secret": "the-client-secret",
            "wrong": {"client_secret": "guess"},
            "access_token": JWT,
            "token_type": "Bearer",
            "token": widget,
            "source_config": {"client_secret": "sk_live", "kept": SECRET_MASK, "account_id": "a"},
            "note": "secret is the-client-secret",
        });
        let mut scrubber = Scrubber {
            redactor: &redactor,
            literals: &literals,
            tokens: &mut tokens,
        };
        scrubber.json(&mut body);
        assert_eq!(
            body,
            json!({
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "wrong": {"client_secret": SECRET},
                "access_token": "{{jwt-1}}",
                "token_type": "Bearer",
                "token": "{{widget-token-2}}",
                "source_config": {"client_secret": SECRET, "kept": SECRET_MASK, "account_id": "a"},
                "note": format!("secret is {CLIENT_SECRET}"),
            })
        );
        assert_eq!(
            scrubber.authorization(&format!("Bearer {JWT}")),
            "Bearer {{jwt-1}}"
        );
        assert_eq!(scrubber.authorization("Bearer opaque"), "Bearer {{secret}}");
        assert_eq!(
            tokens.entries["{{widget-token-2}}"],
            TokenEntry::WidgetToken {
                token: "{{jwt-1}}".into(),
                widget_url: "https://x/embedded-widget?a=b".into()
            }
        );
        assert_eq!(
            without_numbers(&json!(["{{jwt-12}} and {{widget-token-3}}", "{{secret}}"])),
            json!(["{{jwt}} and {{widget-token}}", "{{secret}}"])
        );
    }
}
