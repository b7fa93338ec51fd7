//! The state file behind `--state-file`: the mock's state kept on disk so that it survives a
//! restart, a crash or a `kill -9`.
//!
//! The file is an append-only log of newline-delimited JSON records. Each record is the whole state
//! after one write, `{"revision": N, "ids": {"seed": S, "word_pos": P}, "state": {...}}`: the
//! revision the write produced, where the id generator stood (so a restarted mock never hands out an
//! id it already stored) and the state itself, secrets in the clear (the file is created `0600`).
//! A whole state per record costs more bytes than a diff, but makes replay trivial (the last good
//! record *is* the state) and keeps the format independent of which operation wrote it.
//!
//! Durability: [`StateFile::append`] runs inside `Store::write`, under the state's write lock, and
//! returns only after `fdatasync`; the handler answers after `Store::write` returns, so a
//! mutation is on disk before its response leaves. Records are appended in revision order because
//! the lock serialises them.
//!
//! Replay ([`replay`]): every line must parse. A bad line that is not the last one stops the start
//! with an error naming the file, the line, the byte and serde_json's message: the mock never
//! starts silently from less than the file holds. The last line alone may be cut short (no newline,
//! or unparsable): that is what a crash in the middle of an append leaves, and that record was
//! never acknowledged, so it is dropped with a warning and everything before it kept.
//!
//! Compaction: on start, and whenever the file grows past [`COMPACT_AT`], the file is rewritten
//! with just the last record (write a temporary file next to it, `fsync`, rename over the file,
//! `fsync` the directory), so at any instant the path holds either the old log or the new one.
//!
//! The state is `Data`'s own serde form, so a field added to `Data` later needs `#[serde(default)]`
//! (on `Stored` too) for files written before it to keep loading; without it they stop the start
//! with "missing field".
//!
//! Not kept: values drawn from the generator but never stored (check job ids, OAuth consent
//! credentials) after the last write; a restart may draw them again, which is harmless because
//! nothing holds them.
//!
//! An I/O error while appending is logged with the file named and remembered
//! ([`StateFile::failure`]); from then on nothing more is appended (a half-written line followed
//! by more records would be a corrupt middle line) and the HTTP layer answers every request 500,
//! because the state in memory is ahead of the file and no further write can be made durable.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};

use super::store::Data;
use crate::ids::Position;

/// Past this size the log is compacted to its last record. A state larger than this is rewritten on
/// every write, which stays correct, only slower.
pub(crate) const COMPACT_AT: u64 = 8 * 1024 * 1024;

/// One line of the file, as written.
#[derive(Serialize)]
struct RecordRef<'a> {
    revision: u64,
    ids: Position,
    state: &'a Data,
}

/// One line of the file, as read back.
#[derive(Debug, Deserialize)]
pub(crate) struct Record {
    pub(crate) revision: u64,
    pub(crate) ids: Position,
    pub(crate) state: Data,
}

/// The last line, dropped because a crash cut it short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// 1-based line number.
    pub(crate) line: usize,
    /// Where the line starts in the file.
    pub(crate) offset: usize,
    /// How many bytes were dropped.
    pub(crate) bytes: usize,
    pub(crate) reason: String,
}

/// What [`replay`] found.
#[derive(Debug)]
pub(crate) struct Replay {
    /// The last good record: the state to start from (`None` for a missing or empty file).
    pub(crate) last: Option<Record>,
    /// How many good records the file held.
    pub(crate) records: usize,
    pub(crate) dropped: Option<Dropped>,
}

/// Reads the log at `path`. A missing file is an empty log (the first start); anything else that
/// cannot be read, or a bad line before the last, is an error that names the file and the place.
pub(crate) fn replay(path: &Path) -> Result<Replay, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Replay {
                last: None,
                records: 0,
                dropped: None,
            });
        }
        Err(e) => {
            return Err(format!(
                "state file {}: cannot read it: {e}",
                path.display()
            ));
        }
    };
    let mut replay = Replay {
        last: None,
        records: 0,
        dropped: None,
    };
    let mut offset = 0;
    let mut line = 0;
    while offset < bytes.len() {
        line += 1;
        let rest = &bytes[offset..];
        let (text, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        let next = offset + text.len() + usize::from(complete);
        let is_last = next >= bytes.len();
        let parsed = if complete {
            serde_json::from_slice::<Record>(text).map_err(|e| Where::of(&e, offset))
        } else {
            Err(Where {
                byte: bytes.len(),
                column: text.len() + 1,
                message: "no newline at the end: the write was cut short".into(),
            })
        };
        match parsed {
            Ok(record) => {
                replay.last = Some(record);
                replay.records += 1;
            }
            Err(place) if is_last => {
                replay.dropped = Some(Dropped {
                    line,
                    offset,
                    bytes: rest.len(),
                    reason: place.message,
                });
            }
            Err(place) => {
                return Err(format!(
                    "state file {}: line {line}, column {} (byte {}) is corrupt: {}; every line \
                     before the last must be a whole record, so the mock will not start from it \
                     (repair or delete that line, or move the file away to start from the seeded \
                     state)",
                    path.display(),
                    place.column,
                    place.byte,
                    place.message
                ));
            }
        }
        offset = next;
    }
    Ok(replay)
}

/// Where in the file a line failed to parse, and serde_json's message without its own position
/// (which counts within the line, not the file).
struct Where {
    byte: usize,
    column: usize,
    message: String,
}

impl Where {
    fn of(e: &serde_json::Error, line_start: usize) -> Self {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        Self {
            byte: line_start + e.column().saturating_sub(1),
            column: e.column(),
            message,
        }
    }
}

/// The open log, appended to by `Store::write`.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    compact_at: u64,
    log: Mutex<Log>,
    /// The first I/O error; once set, nothing more is written.
    failure: OnceLock<String>,
}

#[derive(Debug)]
struct Log {
    file: File,
    len: u64,
}

impl StateFile {
    /// Compacts the file at `path` to one record (the state the store starts from) and opens it for
    /// appending.
    pub(crate) fn create(
        path: &Path,
        revision: u64,
        ids: Position,
        state: &Data,
    ) -> Result<Self, String> {
        Self::with_limit(path, revision, ids, state, COMPACT_AT)
    }

    /// [`Self::create`] with another compaction size (tests).
    pub(crate) fn with_limit(
        path: &Path,
        revision: u64,
        ids: Position,
        state: &Data,
        compact_at: u64,
    ) -> Result<Self, String> {
        let line = encode(revision, ids, state).map_err(|e| named(path, &e))?;
        let log = rewrite(path, &line).map_err(|e| named(path, &e))?;
        Ok(Self {
            path: path.to_owned(),
            compact_at,
            log: Mutex::new(log),
            failure: OnceLock::new(),
        })
    }

    /// The I/O error that stopped persistence, if one did.
    pub(crate) fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    /// Appends the state after write `revision` and waits until it is on disk; compacts the log
    /// when it has grown too large. An error is logged and remembered (see the module docs), not
    /// returned: the caller is `Store::write`, whose callers cannot do anything better with it.
    pub(crate) fn append(&self, revision: u64, ids: Position, state: &Data) {
        if self.failure.get().is_some() {
            return;
        }
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = self.append_locked(&mut log, revision, ids, state) {
            let message = named(&self.path, &e);
            tracing::error!(
                "{message}; revision {revision} is not durable, so the mock now answers every \
                 request 500 until it is restarted"
            );
            let _ = self.failure.set(message);
        }
    }

    fn append_locked(
        &self,
        log: &mut Log,
        revision: u64,
        ids: Position,
        state: &Data,
    ) -> std::io::Result<()> {
        let line = encode(revision, ids, state)?;
        let len = line.len() as u64;
        if log.len + len > self.compact_at {
            // The new record alone is the compacted log: no need to append it first.
            *log = rewrite(&self.path, &line)?;
            tracing::debug!(file = %self.path.display(), bytes = len, "state file compacted");
            return Ok(());
        }
        // One write call per record, so a crash leaves at most one partial line, at the end.
        log.file.write_all(&line)?;
        // fdatasync: the data and the new length, without the timestamps fsync would also flush.
        log.file.sync_data()?;
        log.len += len;
        Ok(())
    }
}

fn named(path: &Path, e: &std::io::Error) -> String {
    format!("state file {}: cannot write it: {e}", path.display())
}

/// One record as a line, newline included.
fn encode(revision: u64, ids: Position, state: &Data) -> std::io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(&RecordRef {
        revision,
        ids,
        state,
    })?;
    line.push(b'\n');
    Ok(line)
}

/// Replaces the file at `path` with `contents` atomically and returns it opened for appending.
fn rewrite(path: &Path, contents: &[u8]) -> std::io::Result<Log> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut file = private_file(&tmp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    // The rename itself is durable only once the directory is.
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()?;
    // `file` now is the file at `path`; appends go after what it holds.
    Ok(Log {
        file,
        len: contents.len() as u64,
    })
}

/// Creates (or truncates) a file only its owner can read: it holds secrets in the clear.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    use super::{StateFile, replay};
    use crate::domain::tests::store;
    use crate::ids::Position;
    use crate::testkit::TempDir;

    const IDS: Position = Position {
        seed: 7,
        word_pos: 12,
    };

    /// A log of three records (revisions 1, 2, 3, one more workspace each) at `path`.
    fn three_records(path: &std::path::Path) {
        let store = store();
        let file = StateFile::create(path, 0, IDS, &store.snapshot()).unwrap();
        for (revision, name) in [(1, "a"), (2, "b"), (3, "c")] {
            store.workspace_for(name, uuid::Uuid::nil());
            file.append(revision, IDS, &store.snapshot());
        }
        assert_eq!(file.failure(), None);
    }

    fn line_starts(bytes: &[u8]) -> Vec<usize> {
        std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect()
    }

    #[test]
    fn a_missing_file_replays_as_empty() {
        let dir = TempDir::new("missing");
        let replay = replay(&dir.file()).unwrap();
        assert!(replay.last.is_none());
        assert_eq!(replay.records, 0);
    }

    #[test]
    fn replay_returns_the_last_record() {
        let dir = TempDir::new("replay");
        three_records(&dir.file());
        let replay = replay(&dir.file()).unwrap();
        assert_eq!(replay.records, 4);
        assert_eq!(replay.dropped, None);
        let last = replay.last.unwrap();
        assert_eq!(last.revision, 3);
        assert_eq!(last.ids, IDS);
        assert_eq!(last.state.counts().workspaces, 3);
        assert!(last.state.workspace_by_name("c").is_some());
    }

    #[test]
    fn a_truncated_last_record_is_dropped_and_reported() {
        let dir = TempDir::new("truncated");
        let path = dir.file();
        three_records(&path);
        let bytes = std::fs::read(&path).unwrap();
        let starts = line_starts(&bytes);
        // Cut the last record in the middle, as a crash during its write would.
        let last_start = starts[3];
        let cut = last_start + (bytes.len() - last_start) / 2;
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let replay = replay(&path).unwrap();
        assert_eq!(replay.records, 3);
        assert_eq!(replay.last.unwrap().revision, 2);
        let dropped = replay.dropped.unwrap();
        assert_eq!(dropped.line, 4);
        assert_eq!(dropped.offset, last_start);
        assert_eq!(dropped.bytes, cut - last_start);
        assert!(dropped.reason.contains("no newline"), "{}", dropped.reason);
    }

    #[test]
    fn an_unparsable_last_line_is_dropped_too() {
        let dir = TempDir::new("garbage-tail");
        let path = dir.file();
        three_records(&path);
        let mut bytes = std::fs::read(&path).unwrap();
        // What a crash can leave on some file systems: the length grew, the data is zeros.
        bytes.extend_from_slice(&[0; 64]);
        bytes.push(b'\n');
        std::fs::write(&path, &bytes).unwrap();
        let replay = replay(&path).unwrap();
        assert_eq!(replay.records, 4);
        assert_eq!(replay.last.unwrap().revision, 3);
        assert_eq!(replay.dropped.unwrap().line, 5);
    }

    #[test]
    fn a_corrupt_middle_line_is_an_error_naming_the_file_line_and_byte() {
        let dir = TempDir::new("corrupt");
        let path = dir.file();
        three_records(&path);
        let mut bytes = std::fs::read(&path).unwrap();
        let starts = line_starts(&bytes);
        // Line 2's first colon (after `{"revision"`).
        let at = starts[1] + 11;
        assert_eq!(bytes[at], b':');
        bytes[at] = b'#';
        std::fs::write(&path, &bytes).unwrap();
        let error = replay(&path).unwrap_err();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("line 2, column 12"), "{error}");
        assert!(error.contains(&format!("(byte {at})")), "{error}");
        // serde_json's own words about what is wrong.
        assert!(error.contains("expected"), "{error}");
    }

    #[test]
    fn a_record_of_the_wrong_shape_is_an_error_too() {
        let dir = TempDir::new("shape");
        let path = dir.file();
        std::fs::write(&path, "{\"revision\": 1}\n{\"revision\": 2}\n").unwrap();
        let error = replay(&path).unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        assert!(error.contains("missing field"), "{error}");
    }

    #[test]
    fn an_unreadable_file_is_an_error_naming_it() {
        let dir = TempDir::new("unreadable");
        // A directory where the file should be.
        std::fs::create_dir(dir.file()).unwrap();
        let error = replay(&dir.file()).unwrap_err();
        assert!(error.contains(&dir.file().display().to_string()), "{error}");
    }

    #[test]
    fn compaction_keeps_the_last_state() {
        let dir = TempDir::new("compact");
        let path = dir.file();
        let store = store();
        let first = serde_json::to_vec(&store.snapshot()).unwrap().len() as u64;
        // Room for about two and a half records: the fourth append compacts.
        let file =
            StateFile::with_limit(&path, 0, IDS, &store.snapshot(), first * 5 / 2 + 1000).unwrap();
        for revision in 1..=10 {
            store.workspace_for(&format!("w{revision}"), uuid::Uuid::nil());
            file.append(revision, IDS, &store.snapshot());
            let len = std::fs::metadata(&path).unwrap().len();
            assert!(len < first * 4, "revision {revision}: {len} bytes");
        }
        assert_eq!(file.failure(), None);
        let replay = replay(&path).unwrap();
        assert!(replay.records < 4, "{} records", replay.records);
        let last = replay.last.unwrap();
        assert_eq!(last.revision, 10);
        assert_eq!(last.state.counts(), store.counts());
        assert!(last.state.workspace_by_name("w10").is_some());
        // No temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn starting_compacts_to_one_record() {
        let dir = TempDir::new("start");
        let path = dir.file();
        three_records(&path);
        let last = replay(&path).unwrap().last.unwrap();
        let _file = StateFile::create(&path, last.revision, last.ids, &last.state).unwrap();
        let again = replay(&path).unwrap();
        assert_eq!(again.records, 1);
        assert_eq!(again.last.unwrap().state.counts().workspaces, 3);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("mode");
        three_records(&dir.file());
        let mode = std::fs::metadata(dir.file()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_error_is_remembered_with_the_file_named_and_stops_appending() {
        let store = store();
        // /dev/full: opening works, every write fails with "No space left on device".
        let file = StateFile {
            path: "/dev/full".into(),
            compact_at: u64::MAX,
            log: std::sync::Mutex::new(super::Log {
                file: std::fs::OpenOptions::new()
                    .append(true)
                    .open("/dev/full")
                    .unwrap(),
                len: 0,
            }),
            failure: std::sync::OnceLock::new(),
        };
        file.append(1, IDS, &store.snapshot());
        let failure = file.failure().unwrap().to_owned();
        assert!(failure.contains("/dev/full"), "{failure}");
        file.append(2, IDS, &store.snapshot());
        assert_eq!(file.failure(), Some(failure.as_str()));
    }
}
