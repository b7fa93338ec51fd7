//! The event log's state: every widget event as a display-ready entry, newest first. A reducer, so
//! events arriving back to back are never lost to a stale copy of the list.

use std::rc::Rc;

use serde_json::Value;
use yew::Reducible;
use yew_airbyte_widget::{ReceivedEvent, WidgetEvent};

/// How many entries the panel keeps; older ones fall off (a demo can run for hours).
pub const MAX_ENTRIES: usize = 200;

/// Colour coding in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Success,
    Error,
    Other,
}

impl EntryKind {
    pub fn class(self) -> &'static str {
        match self {
            Self::Success => "kind-success",
            Self::Error => "kind-error",
            Self::Other => "kind-other",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub id: u64,
    /// Local time of arrival, `HH:MM:SS`.
    pub time: String,
    /// The wire name: `source_created`, ..., or the raw `message` / `type` of other events.
    pub name: String,
    /// The raw `type` field (`end_user_action_result` for the widget's results).
    pub event_type: String,
    /// One line for people: the source name or the error text.
    pub summary: String,
    /// The customer (workspace name) the widget was opened for.
    pub customer: String,
    pub kind: EntryKind,
    /// The raw event, pretty-printed.
    pub json: String,
}

impl LogEntry {
    /// Builds the entry for one received event (`id` is assigned by the log).
    pub fn new(received: &ReceivedEvent, customer: &str, time: String) -> Self {
        let (kind, summary) = match &received.event {
            WidgetEvent::SourceCreated(source) => (
                EntryKind::Success,
                format!(
                    "{} connected ({})",
                    source.name, source.source_template.name
                ),
            ),
            WidgetEvent::SourceUpdated(source) => (
                EntryKind::Success,
                format!("{} updated ({})", source.name, source.source_template.name),
            ),
            WidgetEvent::SourceCreateError { message }
            | WidgetEvent::SourceUpdateError { message } => (EntryKind::Error, message.clone()),
            WidgetEvent::Other(raw) => (EntryKind::Other, other_summary(raw)),
        };
        Self {
            id: 0,
            time,
            name: received.name(),
            event_type: received
                .raw
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            summary,
            customer: customer.to_owned(),
            kind,
            // serde_json's pretty form (`{:#}`), as `journal::body_text` writes it.
            json: format!("{:#}", received.raw),
        }
    }
}

/// A line for events the decoder did not recognise: say what was unusual about them.
fn other_summary(raw: &Value) -> String {
    match raw.get("type").and_then(Value::as_str) {
        Some(WidgetEvent::TYPE) => match raw.get("message").and_then(Value::as_str) {
            Some(message @ ("source_created" | "source_updated")) => {
                format!("{message} without a readable source in data")
            }
            Some(message) => format!("unrecognised message {message:?}"),
            None => "result without a message".into(),
        },
        Some(_) => "not an end_user_action_result; passed through as is".into(),
        None => "event without a type".into(),
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct EventLog {
    next_id: u64,
    /// Newest first.
    pub entries: Vec<LogEntry>,
}

#[derive(Debug)]
pub enum LogAction {
    Push(LogEntry),
    Clear,
}

impl Reducible for EventLog {
    type Action = LogAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut log = (*self).clone();
        match action {
            LogAction::Push(mut entry) => {
                log.next_id += 1;
                entry.id = log.next_id;
                log.entries.insert(0, entry);
                log.entries.truncate(MAX_ENTRIES);
            }
            LogAction::Clear => log.entries.clear(),
        }
        Rc::new(log)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn received(raw: Value) -> ReceivedEvent {
        ReceivedEvent::from_json(raw)
    }

    #[test]
    fn entries_name_and_summarise_each_kind() {
        let error = received(
            json!({"type": "end_user_action_result", "message": "source_create_error",
                                    "error": {"name": "Error", "message": "bad key"}}),
        );
        let entry = LogEntry::new(&error, "user_123", "10:00:00".into());
        assert_eq!(entry.name, "source_create_error");
        assert_eq!(entry.event_type, "end_user_action_result");
        assert_eq!(entry.summary, "bad key");
        assert_eq!(entry.kind, EntryKind::Error);
        assert_eq!(entry.customer, "user_123");
        assert!(entry.json.contains("\"bad key\""));

        let other =
            received(json!({"type": "end_user_action_result", "message": "source_deleted"}));
        let entry = LogEntry::new(&other, "u", String::new());
        assert_eq!(entry.name, "source_deleted");
        assert_eq!(entry.kind, EntryKind::Other);
        assert_eq!(entry.summary, "unrecognised message \"source_deleted\"");

        let foreign = received(json!({"type": "resize", "height": 3}));
        assert_eq!(LogEntry::new(&foreign, "u", String::new()).name, "resize");
    }

    #[test]
    fn log_keeps_newest_first_and_caps() {
        let mut log = Rc::new(EventLog::default());
        let raw = received(json!({"type": "x"}));
        for _ in 0..(MAX_ENTRIES + 5) {
            log = log.reduce(LogAction::Push(LogEntry::new(&raw, "u", String::new())));
        }
        assert_eq!(log.entries.len(), MAX_ENTRIES);
        assert_eq!(log.entries[0].id, (MAX_ENTRIES + 5) as u64);
        assert!(log.entries[0].id > log.entries[1].id);
        let log = log.reduce(LogAction::Clear);
        assert!(log.entries.is_empty());
    }
}
