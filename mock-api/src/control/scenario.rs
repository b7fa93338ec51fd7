//! The `X-Mock-Scenario` request header: shapes one answer without touching shared state, for tests
//! that run in parallel against one mock (like Prism's `Prefer` header).
//!
//! `status=503`, `delay=250ms` (or `1.5s`, or a bare number of milliseconds) and `drop`, combined with
//! commas: `delay=2s, status=504`. It is honoured from loopback peers only, unless
//! `--allow-scenario-header`: a mock reachable from a network should not let any client make it fail.
//! The header is never echoed, and the CORS layer does not list it in `Access-Control-Allow-Headers`,
//! so a browser page cannot send it cross-origin.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;

use super::faults::{Answer, Effect, MAX_DELAY_MS};
use crate::error::AppError;

/// The header's name.
pub(crate) const HEADER: &str = "x-mock-scenario";

/// Whether a request from `peer` may use the header: always with `allow_any_peer`, else only from
/// a loopback address (an IPv4-mapped IPv6 loopback too). An unknown peer (a request handed to the
/// router in-process) is not trusted.
pub(crate) fn honoured(peer: Option<SocketAddr>, allow_any_peer: bool) -> bool {
    allow_any_peer || peer.is_some_and(|peer| peer.ip().to_canonical().is_loopback())
}

/// Parses the header's value; a bad part is a 422 naming the header.
pub(crate) fn parse(value: &str) -> Result<Effect, AppError> {
    let bad = |message: String| AppError::invalid(HEADER, message);
    let mut status = None;
    let mut delay = None;
    let mut drop = false;
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, arg) = match part.split_once('=') {
            Some((key, arg)) => (key.trim().to_ascii_lowercase(), Some(arg.trim())),
            None => (part.to_ascii_lowercase(), None),
        };
        match (key.as_str(), arg) {
            ("drop", None) if !drop => drop = true,
            ("status", Some(arg)) if status.is_none() => {
                status = Some(
                    arg.parse::<u16>()
                        .ok()
                        .filter(|s| (200..=599).contains(s))
                        .and_then(|s| StatusCode::from_u16(s).ok())
                        .ok_or_else(|| {
                            bad(format!(
                                "status '{arg}' is not an HTTP status from 200 to 599"
                            ))
                        })?,
                );
            }
            ("delay", Some(arg)) if delay.is_none() => {
                delay = Some(parse_delay(arg).ok_or_else(|| {
                    bad(format!(
                        "delay '{arg}' is not a duration such as 250ms or 2s (at most {MAX_DELAY_MS}ms)"
                    ))
                })?);
            }
            _ => {
                return Err(bad(format!(
                    "'{part}' is not understood (or repeated): use status=<code>, delay=<ms>ms and drop, comma-separated"
                )));
            }
        }
    }
    let answer = match (status, drop) {
        (Some(_), true) => {
            return Err(bad(
                "drop closes the connection without an answer, so it takes no status".into(),
            ));
        }
        (Some(status), false) => Answer::Respond {
            status,
            body: None,
            retry_after: None,
        },
        (None, true) => Answer::Drop,
        (None, false) if delay.is_some() => Answer::Pass,
        (None, false) => return Err(bad("the header is empty".into())),
    };
    Ok(Effect { delay, answer })
}

fn parse_delay(arg: &str) -> Option<Duration> {
    let ms = if let Some(ms) = arg.strip_suffix("ms") {
        ms.trim().parse::<u64>().ok()?
    } else if let Some(secs) = arg.strip_suffix('s') {
        let secs = secs.trim().parse::<f64>().ok()?;
        if !(secs.is_finite() && secs >= 0.0) {
            return None;
        }
        (secs * 1000.0).round() as u64
    } else {
        arg.parse::<u64>().ok()?
    };
    (ms <= MAX_DELAY_MS).then(|| Duration::from_millis(ms))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    #[test]
    fn only_loopback_peers_unless_allowed() {
        let lan = SocketAddr::from((Ipv4Addr::new(192, 168, 1, 20), 50_000));
        let public6 = SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 50_000));
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 50_000));
        let loopback6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 50_000));
        let mapped = SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 50_000));
        for peer in [loopback, loopback6, mapped] {
            assert!(honoured(Some(peer), false), "{peer}");
        }
        for peer in [lan, public6] {
            assert!(!honoured(Some(peer), false), "{peer}");
            assert!(honoured(Some(peer), true), "{peer} when allowed");
        }
        assert!(!honoured(None, false));
    }

    #[test]
    fn values_combine_and_bad_ones_are_named() {
        assert_eq!(
            parse("status=503").unwrap().answer,
            Answer::Respond {
                status: StatusCode::SERVICE_UNAVAILABLE,
                body: None,
                retry_after: None
            }
        );
        let slow_drop = parse(" delay=1.5s , DROP ").unwrap();
        assert_eq!(slow_drop.delay, Some(Duration::from_millis(1500)));
        assert_eq!(slow_drop.answer, Answer::Drop);
        assert_eq!(
            parse("delay=250").unwrap().delay,
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse("delay=250ms").unwrap().answer, Answer::Pass);
        for bad in [
            "",
            "status=99",
            "status=503,drop",
            "delay=soon",
            "teapot",
            "drop,drop",
            "delay=-1s",
        ] {
            let error = parse(bad).unwrap_err();
            assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(error.body.errors[0].field.as_deref(), Some(HEADER), "{bad}");
        }
    }
}
