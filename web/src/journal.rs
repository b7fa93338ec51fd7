//! The "Mock control" panel's view of the mock's request journal: the newest entries first, each
//! once (the backlog and the live stream may overlap), at most [`MAX_JOURNAL`] of them. A reducer,
//! so entries streaming in back to back are never lost to a stale copy of the list.

use std::collections::VecDeque;
use std::rc::Rc;

use serde_json::Value;
use yew::Reducible;

use crate::services::mock::JournalEntry;

/// How many entries the panel keeps; older ones fall off (the mock keeps its own, larger journal).
pub const MAX_JOURNAL: usize = 100;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journal {
    /// Newest (highest id) first.
    pub entries: VecDeque<JournalEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JournalAction {
    /// One entry from the stream.
    Arrived(Box<JournalEntry>),
    /// Entries fetched with `GET /_mock/requests`, in any order.
    Backlog(Vec<JournalEntry>),
    Clear,
}

impl Journal {
    fn insert(&mut self, entry: JournalEntry) {
        // Usually the newest: the front, in O(1).
        let position = self.entries.iter().position(|e| e.id <= entry.id);
        match position {
            Some(i) if self.entries[i].id == entry.id => self.entries[i] = entry,
            Some(i) => self.entries.insert(i, entry),
            None => self.entries.push_back(entry),
        }
    }
}

impl Reducible for Journal {
    type Action = JournalAction;

    fn reduce(self: Rc<Self>, action: JournalAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            JournalAction::Arrived(entry) => next.insert(*entry),
            JournalAction::Backlog(entries) => {
                for entry in entries {
                    next.insert(entry);
                }
            }
            JournalAction::Clear => next.entries.clear(),
        }
        next.entries.truncate(MAX_JOURNAL);
        Rc::new(next)
    }
}

/// A body for display: JSON pretty-printed, text as is, nothing for an empty body.
pub fn body_text(body: Option<&Value>) -> Option<String> {
    match body? {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        // `{:#}` is serde_json's pretty form (what `to_string_pretty` writes), through the same
        // formatter as the compact `{}` used elsewhere, so the wasm carries one JSON writer less.
        json => Some(format!("{json:#}")),
    }
}

/// `HH:MM:SS` of an RFC 3339 time (UTC as the mock writes it), or the text unchanged.
pub fn short_time(time: &str) -> String {
    time.split_once('T')
        .and_then(|(_, rest)| rest.get(..8))
        .filter(|hms| hms.as_bytes().get(2) == Some(&b':'))
        .map_or_else(|| time.to_owned(), str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(id: u64) -> JournalEntry {
        crate::services::mock::parse_entry(&format!(r#"{{"id":{id},"path":"/p{id}"}}"#)).unwrap()
    }

    fn ids(journal: &Journal) -> Vec<u64> {
        journal.entries.iter().map(|e| e.id).collect()
    }

    #[test]
    fn newest_first_each_once_and_bounded() {
        let mut journal = Rc::new(Journal::default());
        // The stream delivers 5 and 6 while the backlog (1..=5) is in flight.
        journal = journal.reduce(JournalAction::Arrived(Box::new(entry(5))));
        journal = journal.reduce(JournalAction::Arrived(Box::new(entry(6))));
        journal = journal.reduce(JournalAction::Backlog((1..=5).rev().map(entry).collect()));
        assert_eq!(ids(&journal), vec![6, 5, 4, 3, 2, 1]);

        for id in 7..=(MAX_JOURNAL as u64 + 20) {
            journal = journal.reduce(JournalAction::Arrived(Box::new(entry(id))));
        }
        assert_eq!(journal.entries.len(), MAX_JOURNAL);
        assert_eq!(journal.entries.front().unwrap().id, MAX_JOURNAL as u64 + 20);
        assert_eq!(journal.entries.back().unwrap().id, 21);

        journal = journal.reduce(JournalAction::Clear);
        assert!(journal.entries.is_empty());
    }

    #[test]
    fn bodies_and_times_for_display() {
        assert_eq!(body_text(None), None);
        assert_eq!(body_text(Some(&Value::Null)), None);
        assert_eq!(
            body_text(Some(&Value::String("plain".into()))).as_deref(),
            Some("plain")
        );
        assert_eq!(
            body_text(Some(&serde_json::json!({"a": 1}))).as_deref(),
            Some("{\n  \"a\": 1\n}")
        );
        // The same text as `serde_json::to_string_pretty`, nesting and empty containers included.
        let nested = serde_json::json!({"b": [1, {"c": null}, [], {}], "a": "é\n", "n": -1.5});
        assert_eq!(
            body_text(Some(&nested)),
            serde_json::to_string_pretty(&nested).ok()
        );
        assert_eq!(short_time("2026-12-03T08:01:02.345Z"), "08:01:02");
        assert_eq!(short_time("soon"), "soon");
    }
}
