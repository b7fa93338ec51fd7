//! The widget token: standard padded Base64 of the ASCII JSON `{"token": <scoped JWT>, "widgetUrl": <url>}`.
//!
//! Encoding is byte-compatible with what Airbyte issues. Decoding reproduces the 0.4.5 widget exactly,
//! quirks included: it pads with `=` to a multiple of four, maps the URL-safe alphabet, runs the
//! browser's forgiving `atob`, reads the bytes as Latin-1 and parses JSON, so a token the real widget
//! rejects is rejected here with the same message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The two halves of a widget token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetToken {
    /// The scoped JWT the iframe receives by `postMessage`. `None` when a decoded token lacks it:
    /// the real widget does not check, and posts `{scopedAuthToken: undefined}`.
    pub token: Option<String>,
    /// The iframe's URL, used verbatim as its `src`.
    pub widget_url: String,
}

/// A decode failure; `Display` gives the exact text of the real widget's `Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// `Token is required to initialize AirbyteEmbeddedWidget`
    Missing,
    /// `atob` threw.
    Base64,
    /// The JSON has no truthy `widgetUrl`.
    MissingWidgetUrl,
    /// The JSON was `null`.
    Null,
    /// `JSON.parse` threw; the payload is the parser's message.
    Json(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("Token is required to initialize AirbyteEmbeddedWidget"),
            Self::Base64 => {
                f.write_str("Failed to decode token: Invalid token format: could not decode base64")
            }
            Self::MissingWidgetUrl => {
                f.write_str("Failed to decode token: Invalid token: missing widgetUrl")
            }
            Self::Null => f.write_str(
                "Failed to decode token: Cannot read properties of null (reading 'widgetUrl')",
            ),
            Self::Json(msg) => write!(f, "Failed to decode token: {msg}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl WidgetToken {
    pub fn new(token: impl Into<String>, widget_url: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            widget_url: widget_url.into(),
        }
    }

    /// Standard padded Base64 of `{"token":…,"widgetUrl":…}`, keys in that order, JSON escaped to ASCII
    /// because the widget decodes with `atob` and never UTF-8-decodes.
    pub fn encode(&self) -> String {
        let mut json = String::from("{\"token\":");
        push_ascii_json_string(&mut json, self.token.as_deref().unwrap_or_default());
        json.push_str(",\"widgetUrl\":");
        push_ascii_json_string(&mut json, &self.widget_url);
        json.push('}');
        STANDARD.encode(json)
    }

    /// Decodes as `AirbyteEmbeddedWidget` 0.4.5 does.
    pub fn decode(raw: &str) -> Result<Self, DecodeError> {
        if raw.is_empty() {
            return Err(DecodeError::Missing);
        }
        // JS pads by string length (UTF-16 units), whitespace included.
        let len16 = raw.encode_utf16().count();
        let mut padded: String = raw
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        padded.extend(std::iter::repeat_n('=', (4 - len16 % 4) % 4));
        let bytes = atob(&padded).ok_or(DecodeError::Base64)?;
        // atob yields one char per byte (Latin-1); JSON.parse then sees those chars.
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        let value: Value =
            serde_json::from_str(&text).map_err(|e| DecodeError::Json(e.to_string()))?;
        if value.is_null() {
            return Err(DecodeError::Null);
        }
        let widget_url = match value.get("widgetUrl") {
            Some(v) if is_truthy(v) => match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            _ => return Err(DecodeError::MissingWidgetUrl),
        };
        let token = match value.get("token") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        Ok(Self { token, widget_url })
    }
}

/// The HTML "forgiving-base64 decode" behind `atob`: ASCII whitespace removed, one or two `=` allowed
/// only as padding of a multiple of four, missing padding tolerated, anything else fails.
fn atob(input: &str) -> Option<Vec<u8>> {
    let mut s: String = input
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' '))
        .collect();
    if s.len().is_multiple_of(4) {
        if s.ends_with("==") {
            s.truncate(s.len() - 2);
        } else if s.ends_with('=') {
            s.truncate(s.len() - 1);
        }
    }
    if s.len() % 4 == 1
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return None;
    }
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&s)
        .or_else(|_| {
            // atob ignores non-zero trailing bits, which the strict engine rejects.
            let lenient = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
            );
            lenient.decode(&s)
        })
        .ok()
}

fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn push_ascii_json_string(out: &mut String, s: &str) {
    // Printable ASCII other than `"` and `\` goes as is, in runs: a widget token is hundreds of such
    // bytes, and minting one is on the mock's hottest path.
    let plain = |b: u8| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\';
    out.reserve(s.len() + 2);
    out.push('"');
    let mut rest = s;
    while let Some(at) = rest.bytes().position(|b| !plain(b)) {
        out.push_str(&rest[..at]);
        let Some(c) = rest[at..].chars().next() else {
            break;
        };
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use proptest::prelude::*;

    const URL: &str = "http://127.0.0.1:8001/embedded-widget?workspaceId=fba81218-3467-4588-a8d5-a8396cde6c03&allowedOrigin=http%3A%2F%2Flocalhost%3A3000";

    #[test]
    fn encodes_like_airbyte() {
        let t = WidgetToken::new("a.b.c", URL);
        let encoded = t.encode();
        let json = String::from_utf8(STANDARD.decode(&encoded).unwrap()).unwrap();
        assert_eq!(
            json,
            format!("{{\"token\":\"a.b.c\",\"widgetUrl\":\"{URL}\"}}")
        );
        assert_eq!(encoded.len() % 4, 0, "padded");
    }

    #[test]
    fn encoded_json_is_ascii_and_round_trips_non_ascii() {
        let t = WidgetToken::new("jwt", "http://h/é?x=漢😀");
        let bytes = STANDARD.decode(t.encode()).unwrap();
        assert!(bytes.is_ascii());
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back["widgetUrl"], "http://h/é?x=漢😀");
        assert_eq!(WidgetToken::decode(&t.encode()).unwrap(), t);
    }

    #[test]
    fn tolerates_missing_padding_and_url_safe_alphabet() {
        // `?>` in the JSON makes `+`/`/` appear in standard base64.
        let json = r#"{"token":"t??>>","widgetUrl":"http://x/?a=>>>"}"#;
        let std = STANDARD.encode(json);
        assert!(std.contains('+') || std.contains('/'));
        for variant in [
            std.clone(),
            STANDARD_NO_PAD.encode(json),
            URL_SAFE_NO_PAD.encode(json),
        ] {
            let t = WidgetToken::decode(&variant).unwrap();
            assert_eq!(t.widget_url, "http://x/?a=>>>");
            assert_eq!(t.token.as_deref(), Some("t??>>"));
        }
    }

    #[test]
    fn whitespace_fails_when_padding_is_added() {
        // Every minted token has a length that is a multiple of four, so a trailing newline makes the
        // widget add `===` after it, which atob rejects.
        let minted = WidgetToken::new("a.b.c", URL).encode();
        assert_eq!(
            WidgetToken::decode(&format!("{minted}\n")),
            Err(DecodeError::Base64)
        );
        assert_eq!(
            WidgetToken::decode(&format!(" {minted}")),
            Err(DecodeError::Base64)
        );
        // ...but when the whitespace happens to complete the length, no padding is added and atob
        // strips it: the real widget accepts that one.
        let json = r#"{"token":"t","widgetUrl":"http://x/abcd"}"#;
        let unpadded = STANDARD_NO_PAD.encode(json);
        assert_eq!(unpadded.len() % 4, 3);
        assert!(WidgetToken::decode(&format!("{unpadded}\n")).is_ok());
        assert_eq!(
            DecodeError::Base64.to_string(),
            "Failed to decode token: Invalid token format: could not decode base64"
        );
    }

    #[test]
    fn real_widget_messages() {
        assert_eq!(
            WidgetToken::decode("").unwrap_err().to_string(),
            "Token is required to initialize AirbyteEmbeddedWidget"
        );
        assert_eq!(
            WidgetToken::decode(&STANDARD.encode(r#"{"token":"x"}"#)),
            Err(DecodeError::MissingWidgetUrl)
        );
        assert_eq!(
            WidgetToken::decode(&STANDARD.encode(r#"{"widgetUrl":""}"#)),
            Err(DecodeError::MissingWidgetUrl)
        );
        assert_eq!(
            WidgetToken::decode(&STANDARD.encode("null")),
            Err(DecodeError::Null)
        );
        assert!(matches!(
            WidgetToken::decode(&STANDARD.encode("{nope")),
            Err(DecodeError::Json(_))
        ));
        assert_eq!(WidgetToken::decode("%%%%"), Err(DecodeError::Base64));
        // E8: a missing `token` key is not checked.
        let t = WidgetToken::decode(&STANDARD.encode(r#"{"widgetUrl":"http://x"}"#)).unwrap();
        assert_eq!(t.token, None);
    }

    #[test]
    fn raw_utf8_json_comes_out_as_latin1_like_atob() {
        let t = WidgetToken::decode(&STANDARD.encode(r#"{"token":"t","widgetUrl":"http://x/é"}"#))
            .unwrap();
        assert_eq!(t.widget_url, "http://x/Ã©");
    }

    proptest! {
        #[test]
        fn round_trip(token in "(\\PC|[\\x00-\\x1f\\x7f\"\\\\]){0,40}", url in "\\PC{1,80}") {
            let t = WidgetToken::new(token, url);
            let encoded = t.encode();
            prop_assert!(encoded.is_ascii());
            prop_assert_eq!(WidgetToken::decode(&encoded).unwrap(), t.clone());
            let unpadded = encoded.trim_end_matches('=');
            prop_assert_eq!(WidgetToken::decode(unpadded).unwrap(), t);
        }
    }
}
