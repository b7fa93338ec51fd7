//! Simulated replication: when a source is created and connection templates apply, a connection
//! from the source to the template's destination, on the template's cron schedule; a scheduler on a
//! compressible clock runs sync jobs (pending → running → succeeded with per-stream record and byte
//! counts from the seeded generator, or failed when the source's configuration holds `fail` or
//! `sync_fail`).
//!
//! The simulated clock ([`SimClock`]) is wall-clock time at start, plus real elapsed time times
//! `--time-scale`, plus whatever `POST /_mock/clock/advance` added (`--time-scale 0` stops it at
//! the seed time, 2026-01-01T00:00:00Z, for deterministic tests). Jobs and connections are in
//! [`Data`] (so `--state-file` keeps them); the clock itself restarts from the wall clock.

use std::sync::Mutex;
use std::time::Instant;

use airbyte_embedded::TagSelectionMode;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::store::{Data, SourceRecord, Store};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::ids::Ids;

/// `clock::SEED_TIME` in Unix seconds.
const SEED_UNIX: u64 = 1_767_225_600;

/// Simulated seconds a job waits before it runs.
pub(crate) const PENDING_SECS: u64 = 5;
/// Simulated seconds a job runs.
pub(crate) const RUNNING_SECS: u64 = 60;

/// A connection: a source replicated to a connection template's destination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Connection {
    pub(crate) id: Uuid,
    pub(crate) source_id: Uuid,
    pub(crate) workspace_id: Uuid,
    pub(crate) connection_template_id: Uuid,
    pub(crate) destination_name: CompactString,
    pub(crate) cron_expression: CompactString,
    /// `active`.
    pub(crate) status: CompactString,
    pub(crate) created_at: CompactString,
    /// Simulated Unix seconds of the next scheduled sync.
    pub(crate) next_sync_at: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JobStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StreamStats {
    pub(crate) name: String,
    pub(crate) records: u64,
    pub(crate) bytes: u64,
}

/// A sync job of a connection. Times are simulated Unix seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Job {
    pub(crate) id: Uuid,
    pub(crate) connection_id: Uuid,
    pub(crate) status: JobStatus,
    pub(crate) created_at: u64,
    pub(crate) started_at: Option<u64>,
    pub(crate) ended_at: Option<u64>,
    pub(crate) records: u64,
    pub(crate) bytes: u64,
    pub(crate) streams: Vec<StreamStats>,
    pub(crate) failure: Option<String>,
}

/// The compressible clock.
#[derive(Debug)]
pub(crate) struct SimClock {
    start_wall: u64,
    start: Instant,
    scale: f64,
    offset: Mutex<u64>,
}

impl SimClock {
    /// A clock at `scale` simulated seconds per real second, from the wall clock; a stopped one
    /// (`scale` 0, the tests') starts at the seed time, 2026-01-01T00:00:00Z, so runs repeat exactly.
    pub(crate) fn new(scale: f64) -> Self {
        let moving = scale.is_finite() && scale > 0.0;
        Self {
            start_wall: if moving { clock::unix_now() } else { SEED_UNIX },
            start: Instant::now(),
            scale: if moving { scale } else { 0.0 },
            offset: Mutex::new(0),
        }
    }

    pub(crate) fn scale(&self) -> f64 {
        self.scale
    }

    /// Simulated Unix seconds now.
    pub(crate) fn now(&self) -> u64 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let scaled = (self.start.elapsed().as_secs_f64() * self.scale) as u64;
        let offset = *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.start_wall + scaled + offset
    }

    /// Moves the simulated clock `seconds` ahead.
    pub(crate) fn advance(&self, seconds: u64) {
        let mut o = self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *o = o.saturating_add(seconds);
    }
}

/// RFC 3339 of simulated Unix seconds.
pub(crate) fn rfc3339(secs: u64) -> String {
    clock::format_unix(secs).unwrap_or_default()
}

/// One field of a Quartz cron expression: `*`/`?` (any) or a number.
fn field(raw: Option<&str>) -> Option<Option<u64>> {
    match raw {
        None | Some("*" | "?") => Some(None),
        Some(n) => n.parse().ok().map(Some),
    }
}

/// The next time after `after` that the seconds, minutes and hours of `cron` match (the day
/// fields are treated as "every day"); a day later when the expression is not understood.
pub(crate) fn next_run(cron: &str, after: u64) -> u64 {
    let mut parts = cron.split_whitespace();
    let (Some(sec), Some(min), Some(hour)) = (
        field(parts.next()),
        field(parts.next()),
        field(parts.next()),
    ) else {
        return after + 86_400;
    };
    let sec = sec.unwrap_or(0);
    let mut minute_start = after - after % 60;
    for _ in 0..(2 * 24 * 60) {
        let t = minute_start + sec;
        let m = (minute_start / 60) % 60;
        let h = (minute_start / 3600) % 24;
        if t > after && min.is_none_or(|x| x == m) && hour.is_none_or(|x| x == h) {
            return t;
        }
        minute_start += 60;
    }
    after + 86_400
}

/// The streams a connector's sync reports.
fn stream_names(connector: &str) -> &'static [&'static str] {
    let c = connector.to_lowercase();
    if c.contains("github") {
        &["issues", "pull_requests", "repositories"]
    } else if c.contains("stripe") {
        &["customers", "charges", "invoices"]
    } else if c.contains("hubspot") {
        &["contacts", "companies", "deals"]
    } else if c.contains("salesforce") {
        &["accounts", "opportunities"]
    } else if c.contains("sheets") {
        &["sheet1"]
    } else if c.contains("postgres") {
        &["public.users", "public.orders"]
    } else {
        &["users", "products", "purchases"]
    }
}

/// What can fail a sync job whose source is fine: the control plane's fault rules that target its
/// connection (`control::faults`). The domain asks through this trait so it never reaches into the
/// control plane.
pub(crate) trait SyncFaults {
    /// The failure text when a rule fires for a job of `connection_id` ending now; `draw` gives the
    /// seeded numbers a rule's `probability` needs.
    fn sync_failure(&self, connection_id: Uuid, draw: &mut dyn FnMut() -> f64) -> Option<String>;
}

/// No fault rules (unit tests).
impl SyncFaults for () {
    fn sync_failure(&self, _: Uuid, _: &mut dyn FnMut() -> f64) -> Option<String> {
        None
    }
}

/// Whether a source's configuration asks its syncs to fail: a string `fail` or `sync_fail`
/// anywhere in it (`fail` in a secret field refuses the create itself, so `sync_fail` is the one
/// to type there).
fn fails(config: &serde_json::Map<String, Value>) -> bool {
    fn walk(v: &Value) -> bool {
        match v {
            Value::String(s) => s == "fail" || s == "sync_fail",
            Value::Array(a) => a.iter().any(walk),
            Value::Object(o) => o.values().any(walk),
            _ => false,
        }
    }
    config.values().any(walk)
}

/// Which connection templates a create applies: the scoped token's selection, or all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionSelection<'a> {
    pub(crate) tags: &'a [String],
    pub(crate) mode: TagSelectionMode,
}

impl ConnectionSelection<'_> {
    pub(crate) const ALL: ConnectionSelection<'static> = ConnectionSelection {
        tags: &[],
        mode: TagSelectionMode::Any,
    };
}

impl Data {
    /// The connections for a new source, one per applying connection template; a first job
    /// pending at once for templates with `sync_on_create`.
    pub(in crate::domain) fn connect_source(
        &mut self,
        source: &SourceRecord,
        selection: ConnectionSelection<'_>,
        ids: &mut Ids,
        now: u64,
    ) -> Vec<Uuid> {
        let templates: Vec<_> = self
            .connection_templates
            .values()
            .filter(|t| selection.mode.matches(selection.tags, &t.tags))
            .cloned()
            .collect();
        let mut made = Vec::new();
        for t in templates {
            let cron = t
                .cron_expression
                .clone()
                .unwrap_or_else(|| "0 0 0 * * ?".into());
            let id = ids.uuid();
            self.connections.insert(
                id,
                Connection {
                    id,
                    source_id: source.id,
                    workspace_id: source.workspace_id,
                    connection_template_id: t.id,
                    destination_name: t.destination_name.clone().into(),
                    next_sync_at: next_run(&cron, now),
                    cron_expression: cron.into(),
                    status: "active".into(),
                    created_at: rfc3339(now).into(),
                },
            );
            if t.sync_on_create.unwrap_or(true) {
                self.new_job(id, ids, now);
            }
            made.push(id);
        }
        made
    }

    fn new_job(&mut self, connection_id: Uuid, ids: &mut Ids, now: u64) {
        let id = ids.uuid();
        self.jobs.insert(
            id,
            Job {
                id,
                connection_id,
                status: JobStatus::Pending,
                created_at: now,
                started_at: None,
                ended_at: None,
                records: 0,
                bytes: 0,
                streams: Vec::new(),
                failure: None,
            },
        );
    }

    /// Drops the connections (and their jobs) of sources that no longer exist.
    pub(in crate::domain) fn prune_connections(&mut self) {
        let sources = &self.sources;
        self.connections
            .retain(|_, c| sources.contains_key(&c.source_id));
        let connections = &self.connections;
        self.jobs
            .retain(|_, j| connections.contains_key(&j.connection_id));
    }

    /// Every event still to come, with its time: a job to start or finish, a connection to sync;
    /// jobs first, then connections, each in insertion order.
    fn scheduled(&self) -> impl Iterator<Item = (u64, Event)> + '_ {
        let jobs = self.jobs.values().filter_map(|j| match j.status {
            JobStatus::Pending => Some((j.created_at + PENDING_SECS, Event::Start(j.id))),
            JobStatus::Running => Some((
                j.started_at.unwrap_or(j.created_at) + RUNNING_SECS,
                Event::Finish(j.id),
            )),
            _ => None,
        });
        let syncs = self
            .connections
            .values()
            .map(|c| (c.next_sync_at, Event::Sync(c.id)));
        jobs.chain(syncs)
    }

    /// The earliest event due at or before `until` (the first of equals, in `scheduled` order).
    fn next_event(&self, until: u64) -> Option<(u64, Event)> {
        self.scheduled()
            .filter(|(t, _)| *t <= until)
            .min_by_key(|(t, _)| *t)
    }

    /// Every event due exactly at `t`, in the order `next_event` would pick them one by one.
    /// Applying one never makes another due at the same second (a job starts 5 s after it is made,
    /// ends 60 s after it starts, and a schedule's next run is later than now), so applying the whole
    /// list is the same as picking them one at a time.
    fn events_at(&self, t: u64) -> Vec<Event> {
        self.scheduled()
            .filter(|(due, _)| *due == t)
            .map(|(_, event)| event)
            .collect()
    }

    /// Applies every event due up to `until`, in time order. Returns how many. One scan per second
    /// that has events, not per event: with many connections due together (a large state, a long
    /// clock advance) a scan per event would hold the write lock for a time quadratic in their number.
    pub(in crate::domain) fn run_until(
        &mut self,
        until: u64,
        ids: &mut Ids,
        faults: &dyn SyncFaults,
    ) -> usize {
        // Connections with a pending or running job (never more than one each: a sync starts a job
        // only when its connection has none).
        let mut busy: std::collections::HashSet<Uuid> = self
            .jobs
            .values()
            .filter(|j| matches!(j.status, JobStatus::Pending | JobStatus::Running))
            .map(|j| j.connection_id)
            .collect();
        let mut applied = 0;
        while applied < 100_000 {
            let Some((t, _)) = self.next_event(until) else {
                break;
            };
            for event in self.events_at(t) {
                applied += 1;
                match event {
                    Event::Start(id) => {
                        if let Some(j) = self.jobs.get_mut(&id) {
                            j.status = JobStatus::Running;
                            j.started_at = Some(t);
                        }
                    }
                    Event::Finish(id) => {
                        if let Some(j) = self.jobs.get(&id) {
                            busy.remove(&j.connection_id);
                        }
                        self.finish(id, t, ids, faults);
                    }
                    Event::Sync(id) => {
                        if let Some(c) = self.connections.get_mut(&id) {
                            c.next_sync_at = next_run(&c.cron_expression, t);
                        }
                        if busy.insert(id) {
                            self.new_job(id, ids, t);
                        }
                    }
                }
            }
        }
        applied
    }

    fn finish(&mut self, job_id: Uuid, t: u64, ids: &mut Ids, faults: &dyn SyncFaults) {
        let Some(job) = self.jobs.get(&job_id) else {
            return;
        };
        let connection_id = job.connection_id;
        let source = self
            .connections
            .get(&job.connection_id)
            .and_then(|c| self.sources.get(&c.source_id));
        let failure = if source.is_some_and(|s| fails(&s.config.map())) {
            Some("Sync failed: the source rejected the credentials (outcome input 'fail' in its configuration)".to_owned())
        } else {
            faults.sync_failure(connection_id, &mut || ids.fraction())
        };
        let connector = source
            .and_then(|s| self.source_templates.get(&s.template_id))
            .map(|t| t.template.name.clone())
            .unwrap_or_default();
        let Some(job) = self.jobs.get_mut(&job_id) else {
            return;
        };
        job.ended_at = Some(t);
        if let Some(failure) = failure {
            job.status = JobStatus::Failed;
            job.failure = Some(failure);
            return;
        }
        job.status = JobStatus::Succeeded;
        job.streams = stream_names(&connector)
            .iter()
            .map(|name| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let records = 50 + (ids.fraction() * 1950.0) as u64;
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let per_record = 200 + (ids.fraction() * 800.0) as u64;
                StreamStats {
                    name: (*name).to_owned(),
                    records,
                    bytes: records * per_record,
                }
            })
            .collect();
        job.records = job.streams.iter().map(|s| s.records).sum();
        job.bytes = job.streams.iter().map(|s| s.bytes).sum();
    }

    pub(in crate::domain) fn connection_list(&self) -> Vec<Connection> {
        self.connections.values().cloned().collect()
    }

    pub(in crate::domain) fn job_list(&self) -> Vec<Job> {
        self.jobs.values().cloned().collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Start(Uuid),
    Finish(Uuid),
    Sync(Uuid),
}

/// A connection as the mock-only reads show it: with its source, its last job and its jobs count.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConnectionView {
    pub(crate) id: Uuid,
    pub(crate) source_id: Uuid,
    pub(crate) source_name: String,
    pub(crate) workspace_id: Uuid,
    pub(crate) connection_template_id: Uuid,
    pub(crate) destination_name: String,
    pub(crate) cron_expression: String,
    pub(crate) status: String,
    pub(crate) created_at: String,
    pub(crate) next_sync_at: String,
    pub(crate) jobs_count: usize,
    pub(crate) last_job: Option<JobView>,
    /// The last job that ended, if the last one has not.
    pub(crate) last_completed_job: Option<JobView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JobView {
    pub(crate) id: Uuid,
    pub(crate) connection_id: Uuid,
    pub(crate) status: JobStatus,
    pub(crate) created_at: String,
    pub(crate) started_at: Option<String>,
    pub(crate) ended_at: Option<String>,
    pub(crate) records: u64,
    pub(crate) bytes: u64,
    pub(crate) streams: Vec<StreamStats>,
    pub(crate) failure: Option<String>,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        Self {
            id: j.id,
            connection_id: j.connection_id,
            status: j.status,
            created_at: rfc3339(j.created_at),
            started_at: j.started_at.map(rfc3339),
            ended_at: j.ended_at.map(rfc3339),
            records: j.records,
            bytes: j.bytes,
            streams: j.streams.clone(),
            failure: j.failure.clone(),
        }
    }
}

/// `GET /_mock/workspaces/{name}/connections` and `GET /_mock/connections`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConnectionsResponse {
    /// The simulated clock, RFC 3339 (for "2 min ago").
    pub(crate) now: String,
    pub(crate) time_scale: f64,
    pub(crate) data: Vec<ConnectionView>,
}

fn view(d: &Data, c: &Connection) -> ConnectionView {
    let jobs: Vec<&Job> = d
        .jobs
        .values()
        .filter(|j| j.connection_id == c.id)
        .collect();
    ConnectionView {
        id: c.id,
        source_id: c.source_id,
        source_name: d
            .sources
            .get(&c.source_id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
            .to_string(),
        workspace_id: c.workspace_id,
        connection_template_id: c.connection_template_id,
        destination_name: c.destination_name.to_string(),
        cron_expression: c.cron_expression.to_string(),
        status: c.status.to_string(),
        created_at: c.created_at.to_string(),
        next_sync_at: rfc3339(c.next_sync_at),
        jobs_count: jobs.len(),
        last_job: jobs.last().map(|j| JobView::from(*j)),
        last_completed_job: jobs
            .iter()
            .rev()
            .find(|j| j.ended_at.is_some())
            .map(|j| JobView::from(*j)),
    }
}

/// The connections of workspace `workspace_name` (every workspace when `None`); 404 for an
/// unknown name.
pub(crate) fn connections(
    store: &Store,
    sim: &SimClock,
    workspace_name: Option<&str>,
) -> AppResult<ConnectionsResponse> {
    store.read(|d| {
        let ws = match workspace_name {
            None => None,
            Some(name) => Some(
                d.workspace_by_name(name)
                    .map(|w| w.workspace.id)
                    .ok_or_else(|| {
                        AppError::new(
                            axum::http::StatusCode::NOT_FOUND,
                            format!("no workspace called '{name}'"),
                        )
                    })?,
            ),
        };
        Ok(ConnectionsResponse {
            now: rfc3339(sim.now()),
            time_scale: sim.scale(),
            data: d
                .connections
                .values()
                .filter(|c| ws.is_none_or(|w| c.workspace_id == w))
                .map(|c| view(d, c))
                .collect(),
        })
    })
}

/// The jobs of one connection, oldest first; 404 for an unknown connection.
pub(crate) fn jobs(store: &Store, connection_id: Uuid) -> AppResult<Vec<JobView>> {
    store.read(|d| {
        if !d.connections.contains_key(&connection_id) {
            return Err(AppError::not_found("Connection", connection_id));
        }
        Ok(d.jobs
            .values()
            .filter(|j| j.connection_id == connection_id)
            .map(JobView::from)
            .collect())
    })
}

/// Runs every event due by the simulated clock's now, writing only when one is due.
pub(crate) fn tick(store: &Store, sim: &SimClock, faults: &dyn SyncFaults) -> usize {
    let now = sim.now();
    if store.read(|d| d.next_event(now).is_none()) {
        return 0;
    }
    store.write(|d, ids| d.run_until(now, ids, faults))
}

/// `POST /_mock/clock/advance`: the simulated clock `seconds` ahead, and what fell due run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Advanced {
    pub(crate) now: String,
    pub(crate) events: usize,
}

pub(crate) fn advance(
    store: &Store,
    sim: &SimClock,
    faults: &dyn SyncFaults,
    seconds: u64,
) -> Advanced {
    sim.advance(seconds);
    let events = tick(store, sim, faults);
    Advanced {
        now: rfc3339(sim.now()),
        events,
    }
}

impl Store {
    /// Connects a just-created source (see [`Data::connect_source`]); the unit tests use it.
    #[cfg(test)]
    pub(crate) fn connect_source(
        &self,
        source_id: Uuid,
        selection: ConnectionSelection<'_>,
        now: u64,
    ) -> Vec<Uuid> {
        self.write(|d, ids| {
            let Some(source) = d.sources.get(&source_id).cloned() else {
                return Vec::new();
            };
            d.connect_source(&source, selection, ids, now)
        })
    }
}

/// Runs the scheduler every real second while the clock moves (`--time-scale` above 0).
pub(crate) fn spawn_ticker(state: crate::AppState) {
    if state.sim.scale() <= 0.0 {
        return;
    }
    let weak = std::sync::Arc::downgrade(&state.0);
    drop(state);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            interval.tick().await;
            let Some(shared) = weak.upgrade() else { break };
            tick(&shared.store, &shared.sim, &shared.control.faults);
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::tests::{first_template_id, source_for, store};

    #[test]
    fn cron_next_run_matches_the_fields() {
        // 2026-01-01T00:00:00Z
        let t0 = 1_767_225_600;
        assert_eq!(next_run("0 0 * * * ?", t0), t0 + 3600);
        assert_eq!(next_run("0 0 * * * ?", t0 + 10), t0 + 3600);
        assert_eq!(next_run("0 30 2 * * ?", t0), t0 + 2 * 3600 + 1800);
        assert_eq!(next_run("nonsense here x", t0), t0 + 86_400);
    }

    #[test]
    fn connections_due_together_each_run_one_job_per_schedule() {
        let store = store();
        let template = first_template_id(&store);
        let t0 = 1_767_225_600;
        for _ in 0..300 {
            let source = source_for(&store, template);
            store.connect_source(source, ConnectionSelection::ALL, t0);
        }
        let connections = store.read(|d| d.connections.len());
        assert!(connections >= 300);
        // Two hours and a bit: the job made on creation, then one per hour, all finished.
        store.write(|d, ids| d.run_until(t0 + 2 * 3600 + 120, ids, &()));
        store.read(|d| {
            for c in d.connections.values() {
                let jobs: Vec<_> = d
                    .jobs
                    .values()
                    .filter(|j| j.connection_id == c.id)
                    .collect();
                assert_eq!(jobs.len(), 3, "{:?}", c.id);
                assert!(jobs.iter().all(|j| j.status == JobStatus::Succeeded));
            }
        });
    }

    #[test]
    fn a_source_gets_a_connection_and_its_jobs_advance() {
        let store = store();
        let source = source_for(&store, first_template_id(&store));
        let t0 = 1_767_225_600;
        let made = store.connect_source(source, ConnectionSelection::ALL, t0);
        assert_eq!(made.len(), 1);
        let status =
            |store: &Store| store.read(|d| d.jobs.values().map(|j| j.status).collect::<Vec<_>>());
        assert_eq!(status(&store), [JobStatus::Pending]);
        store.write(|d, ids| d.run_until(t0 + PENDING_SECS, ids, &()));
        assert_eq!(status(&store), [JobStatus::Running]);
        store.write(|d, ids| d.run_until(t0 + PENDING_SECS + RUNNING_SECS, ids, &()));
        assert_eq!(status(&store), [JobStatus::Succeeded]);
        let records = store.read(|d| d.jobs.values().next().unwrap().records);
        assert!(records > 0);
        // The hourly schedule starts the next one.
        store.write(|d, ids| d.run_until(t0 + 3600, ids, &()));
        assert_eq!(status(&store)[1], JobStatus::Pending);
        // Deleting the source takes its connection and jobs.
        store.write(|d, _| {
            d.sources.shift_remove(&source);
            d.prune_connections();
        });
        assert_eq!(store.read(|d| (d.connections.len(), d.jobs.len())), (0, 0));
    }

    #[test]
    fn the_token_selection_can_exclude_every_template() {
        let store = store();
        let source = source_for(&store, first_template_id(&store));
        let tags = vec!["no-such-tag".to_owned()];
        let selection = ConnectionSelection {
            tags: &tags,
            mode: TagSelectionMode::Any,
        };
        assert!(store.connect_source(source, selection, 0).is_empty());
    }

    #[test]
    fn same_seed_same_counts_and_fail_fails() {
        let run = |fail: bool| {
            let store = store();
            let source = source_for(&store, first_template_id(&store));
            if fail {
                store.write(|d, _| {
                    let stored = &mut d.sources.get_mut(&source).unwrap().config;
                    let mut config = stored.map();
                    config.insert("token".into(), "sync_fail".into());
                    *stored = config.into();
                });
            }
            store.connect_source(source, ConnectionSelection::ALL, 100);
            store.write(|d, ids| d.run_until(1000, ids, &()));
            store.read(|d| d.jobs.values().next().cloned().unwrap())
        };
        assert_eq!(run(false), run(false));
        let failed = run(true);
        assert_eq!(failed.status, JobStatus::Failed);
        assert!(failed.failure.is_some());
    }
}
