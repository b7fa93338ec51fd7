//! Wall-clock helpers: Unix seconds for JWTs and RFC 3339 strings for bodies.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn unix_now() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or_default()
}

pub(crate) fn now_rfc3339() -> String {
    format_time(OffsetDateTime::now_utc())
}

pub(crate) fn format_unix(secs: u64) -> Option<String> {
    let secs = i64::try_from(secs).ok()?;
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .map(format_time)
}

/// The fixed creation time of everything seeded, so seeded state is identical run to run.
pub(crate) const SEED_TIME: &str = "2026-01-01T00:00:00Z";

fn format_time(t: OffsetDateTime) -> String {
    let t = t
        .replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}
