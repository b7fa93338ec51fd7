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
        let source = || {
            raw.get("data")
                .and_then(|d| serde_json::from_value::<SourceRead>(d.clone()).ok())
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
