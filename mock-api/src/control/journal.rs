//! The request journal: a bounded ring of what the mock answered (`GET /_mock/requests`), the filters
//! over it, and the live feed of new entries (`GET /_mock/requests/stream`, server-sent events).
//!
//! Bounded because an unbounded journal is a memory leak in a long demo or soak test: when full, the
//! oldest entry goes and `dropped` counts it. Entries arrive with their bodies as sent, and each
//! body is redacted (see `redact.rs`) the first time it is served (see `recorded.rs`): nothing
//! leaves the journal unredacted, and nothing is redacted that nobody reads.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::response::sse::Event;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{broadcast, watch};

use super::recorded::Recorded;
use crate::error::AppError;
use crate::extract::QueryPairs;

/// How far a slow SSE reader may fall behind before it skips entries (it is told how many).
const FEED_BUFFER: usize = 256;

/// Which tier of token a request carried; `none` also covers tokens that did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenKind {
    Application,
    Scoped,
    None,
}

/// One answered request, as `GET /_mock/requests` and the stream show it.
#[derive(Debug, Serialize)]
pub(crate) struct Entry {
    /// Increasing, never reused (not even after `DELETE /_mock/requests`), so `since=<id>` pages.
    pub id: u64,
    /// When the request arrived (RFC 3339, UTC, milliseconds).
    pub time: String,
    #[serde(skip)]
    pub at: OffsetDateTime,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The status answered; `0` when a fault closed the connection without an answer.
    pub status: u16,
    pub latency_ms: f64,
    pub token_kind: TokenKind,
    pub workspace: Option<String>,
    /// The fault rule that shaped the answer, or `X-Mock-Scenario: …` for the header.
    pub fault: Option<String>,
    /// The answer's `Warning` headers (leniencies, validation findings), as text; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub request_body: Recorded,
    pub response_body: Recorded,
}

impl Entry {
    /// The arrival time as the journal writes it.
    pub(crate) fn format_time(at: OffsetDateTime) -> String {
        let at = at
            .replace_nanosecond(at.nanosecond() / 1_000_000 * 1_000_000)
            .unwrap_or(at);
        at.format(&Rfc3339).unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<Arc<Entry>>,
    next_id: u64,
    dropped: u64,
}

/// The journal: the ring, its capacity, and the channels that feed the stream.
#[derive(Debug)]
pub(crate) struct Journal {
    ring: Mutex<Ring>,
    capacity: usize,
    feed: broadcast::Sender<Arc<Entry>>,
    /// Set when the server shuts down, so open streams end and graceful shutdown does not wait on
    /// them forever.
    closing: watch::Sender<bool>,
}

/// A page of the journal: `{data, dropped, capacity}`.
#[derive(Debug, Serialize)]
pub(crate) struct Page {
    pub data: Vec<Arc<Entry>>,
    pub dropped: u64,
    pub capacity: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                next_id: 1,
                ..Ring::default()
            }),
            capacity,
            feed: broadcast::channel(FEED_BUFFER).0,
            closing: watch::channel(false).0,
        }
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores `entry` under the next id (whatever id it carries) and tells the streams.
    pub(crate) fn record(&self, mut entry: Entry) {
        let entry = {
            let mut ring = self.ring();
            entry.id = ring.next_id;
            ring.next_id += 1;
            let entry = Arc::new(entry);
            ring.entries.push_back(Arc::clone(&entry));
            while ring.entries.len() > self.capacity {
                ring.entries.pop_front();
                ring.dropped += 1;
            }
            entry
        };
        // No subscriber is not an error: the stream is optional.
        let _ = self.feed.send(entry);
    }

    /// The entries `filter` selects, oldest first.
    pub(crate) fn page(&self, filter: &Filter) -> Page {
        let ring = self.ring();
        let matching = ring
            .entries
            .iter()
            .filter(|e| filter.matches(e))
            .map(Arc::clone);
        let data: Vec<Arc<Entry>> = match (filter.limit, &filter.since) {
            // Paging forward from `since`: the first `limit` after it.
            (Some(limit), Some(_)) => matching.take(limit).collect(),
            // Otherwise the latest `limit`.
            (Some(limit), None) => {
                let mut all: Vec<Arc<Entry>> = matching.collect();
                all.drain(..all.len().saturating_sub(limit));
                all
            }
            (None, _) => matching.collect(),
        };
        Page {
            data,
            dropped: ring.dropped,
            capacity: self.capacity,
        }
    }

    /// Forgets every entry and the dropped count; ids keep increasing.
    pub(crate) fn clear(&self) {
        let mut ring = self.ring();
        ring.entries.clear();
        ring.dropped = 0;
    }

    /// Ends every open stream (at shutdown).
    pub(crate) fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// New entries that `filter` selects, as server-sent events: `event: request` with the entry,
    /// or `event: lagged` with `{skipped}` when this reader fell too far behind.
    pub(crate) fn events(
        &self,
        filter: Filter,
    ) -> impl futures::Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let feed = self.feed.subscribe();
        let closing = self.closing.subscribe();
        futures::stream::unfold(
            (feed, closing, filter),
            |(mut feed, mut closing, filter)| async move {
                loop {
                    if *closing.borrow() {
                        return None;
                    }
                    let received = tokio::select! {
                        received = feed.recv() => received,
                        _ = closing.changed() => return None,
                    };
                    let event = match received {
                        Ok(entry) if filter.matches(&entry) => Event::default()
                            .event("request")
                            .data(serde_json::to_string(&*entry).unwrap_or_default()),
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(skipped)) => Event::default()
                            .event("lagged")
                            .data(format!("{{\"skipped\":{skipped}}}")),
                        Err(broadcast::error::RecvError::Closed) => return None,
                    };
                    return Some((Ok(event), (feed, closing, filter)));
                }
            },
        )
    }
}

/// A status filter: one code (`404`) or a class (`5xx`).
#[derive(Debug, Clone, Copy)]
enum StatusFilter {
    Exact(u16),
    Class(u16),
}

#[derive(Debug, Clone)]
enum Since {
    Id(u64),
    Time(OffsetDateTime),
}

/// The query of `GET /_mock/requests` (and of the stream, where `limit` does not apply).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    path: Option<String>,
    method: Option<String>,
    status: Option<StatusFilter>,
    since: Option<Since>,
    limit: Option<usize>,
}

impl Filter {
    /// Reads `path` (a prefix), `method`, `status` (`404` or `4xx`), `since` (an entry id: entries
    /// after it; or an RFC 3339 time: entries from then on) and `limit`; a bad value is a 422 naming
    /// the parameter.
    pub(crate) fn from_query(query: &QueryPairs) -> Result<Self, AppError> {
        let status = query
            .get("status")
            .map(|raw| {
                let bad = || {
                    AppError::invalid(
                        "status",
                        format!(
                            "'{raw}' is not a status: use a code such as 404 or a class such as 5xx"
                        ),
                    )
                };
                let lower = raw.to_ascii_lowercase();
                if let Some(class) = lower.strip_suffix("xx") {
                    match class.parse::<u16>() {
                        Ok(c @ 1..=5) if class.len() == 1 => Ok(StatusFilter::Class(c)),
                        _ => Err(bad()),
                    }
                } else {
                    match raw.parse::<u16>() {
                        Ok(code @ 0..=599) => Ok(StatusFilter::Exact(code)),
                        _ => Err(bad()),
                    }
                }
            })
            .transpose()?;
        let since = query
            .get("since")
            .map(|raw| {
                if let Ok(id) = raw.parse::<u64>() {
                    return Ok(Since::Id(id));
                }
                // An unencoded `+01:00` arrives as ` 01:00`.
                OffsetDateTime::parse(&raw.replace(' ', "+"), &Rfc3339)
                    .map(Since::Time)
                    .map_err(|_| {
                        AppError::invalid(
                            "since",
                            format!("'{raw}' is neither an entry id nor an RFC 3339 time"),
                        )
                    })
            })
            .transpose()?;
        let limit = query
            .get("limit")
            .map(|raw| {
                raw.parse::<usize>().map_err(|_| {
                    AppError::invalid("limit", format!("'{raw}' is not a non-negative integer"))
                })
            })
            .transpose()?;
        Ok(Self {
            path: query.get("path").map(str::to_owned),
            method: query.get("method").map(str::to_ascii_uppercase),
            status,
            since,
            limit,
        })
    }

    fn matches(&self, entry: &Entry) -> bool {
        self.path
            .as_deref()
            .is_none_or(|prefix| entry.path.starts_with(prefix))
            && self.method.as_deref().is_none_or(|m| entry.method == m)
            && self.status.is_none_or(|s| match s {
                StatusFilter::Exact(code) => entry.status == code,
                StatusFilter::Class(class) => entry.status / 100 == class,
            })
            && self.since.as_ref().is_none_or(|s| match s {
                Since::Id(id) => entry.id > *id,
                Since::Time(t) => entry.at >= *t,
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(path: &str, status: u16) -> Entry {
        let at = OffsetDateTime::now_utc();
        Entry {
            id: 0,
            time: Entry::format_time(at),
            at,
            method: "GET".into(),
            path: path.into(),
            query: None,
            status,
            latency_ms: 0.0,
            token_kind: TokenKind::None,
            workspace: None,
            fault: None,
            warnings: Vec::new(),
            request_body: Recorded::none(),
            response_body: Recorded::none(),
        }
    }

    fn filter(query: &str) -> Filter {
        Filter::from_query(&QueryPairs(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
        .unwrap()
    }

    #[test]
    fn the_ring_keeps_the_newest_and_counts_the_rest() {
        let journal = Journal::new(2);
        for status in [200, 404, 503] {
            journal.record(entry("/a", status));
        }
        let page = journal.page(&Filter::default());
        assert_eq!(page.dropped, 1);
        assert_eq!(
            page.data
                .iter()
                .map(|e| (e.id, e.status))
                .collect::<Vec<_>>(),
            [(2, 404), (3, 503)]
        );
        assert_eq!(journal.page(&filter("status=5xx")).data.len(), 1);
        assert_eq!(journal.page(&filter("since=2")).data[0].id, 3);
        assert_eq!(journal.page(&filter("limit=1")).data[0].id, 3);
        assert_eq!(journal.page(&filter("since=0&limit=1")).data[0].id, 2);
        journal.clear();
        journal.record(entry("/a", 200));
        let page = journal.page(&Filter::default());
        assert_eq!((page.dropped, page.data[0].id), (0, 4));
    }
}
