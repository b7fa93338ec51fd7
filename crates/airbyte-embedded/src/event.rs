//! The events the authentication module posts to the host page (`onEvent`).

use serde_json::Value;

use crate::SourceRead;

/// One message the widget hands to `onEvent`, decoded. The iframe posts
/// `{type: "end_user_action_result", message, data | error}`; anything else stays [`WidgetEvent::Other`].
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetEvent {
    SourceCreated(Box<SourceRead>),
    SourceUpdated(Box<SourceRead>),
    SourceCreateError { message: String },
    SourceUpdateError { message: String },
    Other(Value),
}

impl WidgetEvent {
    pub const TYPE: &'static str = "end_user_action_result";

    /// Decodes a raw event. Unknown types, unknown messages and a `data` that is not a `SourceRead` are
    /// all kept as `Other`, so no event is ever lost.
    pub fn from_json(raw: Value) -> Self {
        if raw.get("type").and_then(Value::as_str) != Some(Self::TYPE) {
            return Self::Other(raw);
        }
        let message = raw
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // `data` is read back from its JSON text rather than with `serde_json::from_value`: the
        // Yew SPA (wasm) parses every HTTP body from text already, so this reuses that
        // deserializer instead of compiling every `SourceRead` visitor a second time for `Value`
        // (about 5 KB of the gzipped wasm). The outcome is the same, a `SourceRead` or `None`.
        let source = || {
            raw.get("data")
                .and_then(|d| serde_json::from_str::<SourceRead>(&d.to_string()).ok())
        };
        let error_text = || error_message(raw.get("error"));
        match message {
            "source_created" | "partial_user_config_created" => match source() {
                Some(s) => Self::SourceCreated(Box::new(s)),
                None => Self::Other(raw),
            },
            "source_updated" | "partial_user_config_updated" => match source() {
                Some(s) => Self::SourceUpdated(Box::new(s)),
                None => Self::Other(raw),
            },
            "source_create_error" | "partial_user_config_create_error" => Self::SourceCreateError {
                message: error_text(),
            },
            "source_update_error" | "partial_user_config_update_error" => Self::SourceUpdateError {
                message: error_text(),
            },
            _ => Self::Other(raw),
        }
    }

    /// The wire name of the event (`source_created`, ...), or the raw `type` for other events.
    pub fn name(&self) -> String {
        match self {
            Self::SourceCreated(_) => "source_created".into(),
            Self::SourceUpdated(_) => "source_updated".into(),
            Self::SourceCreateError { .. } => "source_create_error".into(),
            Self::SourceUpdateError { .. } => "source_update_error".into(),
            Self::Other(v) => v
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
        }
    }
}

/// A JS `Error` survives `postMessage` as an object with `message` (and `name`); be lenient with strings.
fn error_message(error: Option<&Value>) -> String {
    match error {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string()),
        None => "unknown error".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn source_json() -> Value {
        json!({
            "id": "fba81218-3467-4588-a8d5-a8396cde6c03",
            "name": "My Stripe",
            "source_template": {
                "id": "6f1a2c3e-1111-4a4a-8b8b-000000000001",
                "name": "Stripe",
                "source_definition_id": "e094cb9a-26de-4645-8761-65c0c425d1de",
                "user_config_spec": {"connectionSpecification": {"type": "object"}},
                "partial_default_config": {"ratio": 0.1, "start_date": "2024-01-01"},
                "customization": {
                    "stream_selection_mode": "whitelist",
                    "stream_whitelist": ["charges"],
                    "stream_customizations": {"charges": {"cursor_field": ["created"]}}
                },
                "mode": "DIRECT"
            },
            "replication_config": {"client_secret": "**********", "lookback_days": 7},
            "entities": [{"name": "charges"}],
            "created_at": "2026-01-01T00:00:00Z"
        })
    }

    fn result(message: &str, data: Value) -> Value {
        json!({"type": WidgetEvent::TYPE, "message": message, "data": data})
    }

    #[test]
    fn a_source_in_data_is_decoded_in_full() {
        let data = source_json();
        let expected: SourceRead = serde_json::from_value(data.clone()).expect("fixture");
        assert_eq!(
            WidgetEvent::from_json(result("source_created", data.clone())),
            WidgetEvent::SourceCreated(Box::new(expected.clone()))
        );
        assert_eq!(
            WidgetEvent::from_json(result("partial_user_config_updated", data)),
            WidgetEvent::SourceUpdated(Box::new(expected))
        );
    }

    #[test]
    fn data_that_is_not_a_source_keeps_the_event_raw() {
        let mut data = source_json();
        data["id"] = json!("not-a-uuid");
        for data in [data, json!(null), json!("text"), json!({})] {
            let raw = result("source_created", data);
            assert_eq!(WidgetEvent::from_json(raw.clone()), WidgetEvent::Other(raw));
        }
        let raw = json!({"type": WidgetEvent::TYPE, "message": "source_created"});
        assert_eq!(WidgetEvent::from_json(raw.clone()), WidgetEvent::Other(raw));
    }

    #[test]
    fn errors_and_other_events() {
        let raw = json!({"type": WidgetEvent::TYPE, "message": "source_create_error",
                         "error": {"name": "Error", "message": "boom"}});
        assert_eq!(
            WidgetEvent::from_json(raw),
            WidgetEvent::SourceCreateError {
                message: "boom".into()
            }
        );
        let raw = json!({"type": "CLOSE_DIALOG"});
        assert_eq!(WidgetEvent::from_json(raw.clone()).name(), "CLOSE_DIALOG");
        assert_eq!(WidgetEvent::from_json(raw.clone()), WidgetEvent::Other(raw));
    }
}
