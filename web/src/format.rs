//! Small display helpers: timestamps, latencies and connector icons. Pure functions (no browser
//! calls), so they are unit-tested on the host, except [`clock_time`] and the wasm side of
//! [`milliseconds`] and [`initials`], which leave number formatting and Unicode tables to the
//! browser.

/// `2026-11-30T06:42:05.123Z` → `30 Nov 2026, 06:42 UTC`. Anything else comes back unchanged, so an
/// unexpected format is shown rather than hidden.
pub fn format_timestamp(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parsed = (|| {
        let (date, time) = iso.split_once(['T', ' '])?;
        let mut parts = date.splitn(3, '-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        let month: usize = month.parse().ok()?;
        let day: u32 = day.parse().ok()?;
        let hh_mm = time.get(..5)?;
        let valid_time = hh_mm.as_bytes()[2] == b':'
            && hh_mm[..2].parse::<u8>().is_ok()
            && hh_mm[3..].parse::<u8>().is_ok();
        if year.len() != 4 || !(1..=12).contains(&month) || !valid_time {
            return None;
        }
        let zone = if time.ends_with('Z') || time.ends_with("+00:00") {
            " UTC"
        } else {
            ""
        };
        Some(format!("{day} {} {year}, {hh_mm}{zone}", MONTHS[month - 1]))
    })();
    parsed.unwrap_or_else(|| iso.to_owned())
}

/// Seconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SS…Z` (UTC only); `None` otherwise.
fn unix_seconds(iso: &str) -> Option<i64> {
    let (date, time) = iso.split_once('T')?;
    if !iso.ends_with('Z') {
        return None;
    }
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time.get(..8)?.splitn(3, ':').map(str::parse::<i64>);
    let (hh, mm, ss) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `1204` → `1,204`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How long before `now` `then` was, in words: `just now`, `2 min ago`, `3 h ago`, `2 days ago`.
pub fn ago(then: &str, now: &str) -> Option<String> {
    let secs = (unix_seconds(now)? - unix_seconds(then)?).max(0);
    Some(match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ if secs < 2 * 86_400 => "1 day ago".to_owned(),
        _ => format!("{} days ago", secs / 86_400),
    })
}

/// The line a connected source shows about its replication: "Syncing…", "Last sync: 1,204
/// records, 2 min ago", "Last sync failed, 2 min ago", "Sync scheduled". `None`: nothing to say.
pub fn sync_label(
    state: &str,
    last_records: Option<u64>,
    last_sync_at: Option<&str>,
    last_failed: bool,
    now: Option<&str>,
) -> Option<String> {
    if state == "syncing" {
        return Some("Syncing…".to_owned());
    }
    let when = last_sync_at
        .zip(now)
        .and_then(|(at, now)| ago(at, now))
        .map(|a| format!(", {a}"))
        .unwrap_or_default();
    match (last_sync_at, last_failed, last_records) {
        (Some(_), true, _) => Some(format!("Last sync failed{when}")),
        (Some(_), false, Some(n)) => Some(format!(
            "Last sync: {} record{}{when}",
            group_thousands(n),
            if n == 1 { "" } else { "s" }
        )),
        _ if state == "pending" => Some("Sync starting…".to_owned()),
        _ => None,
    }
}

/// An `<img src>` for a template icon. Airbyte sends a URL, a data URL or raw SVG markup; markup is
/// wrapped in a data URL (rendered by `<img>`, so any script in it never runs).
pub fn icon_src(icon: Option<&str>) -> Option<String> {
    let icon = icon?.trim();
    if icon.is_empty() {
        None
    } else if icon.starts_with("<svg") || icon.starts_with("<?xml") {
        Some(format!(
            "data:image/svg+xml;utf8,{}",
            percent_encode_svg(icon)
        ))
    } else {
        Some(icon.to_owned())
    }
}

/// The initials shown when a source has no icon.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|&c| is_alphanumeric(c)))
        .take(2)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        uppercase(&letters)
    }
}

/// Unicode upper case (`ß` → `SS`). In the browser `String.prototype.toUpperCase` does it: Rust's
/// `to_uppercase` would ship core's case-mapping tables (about 7 KB of the gzipped wasm) for two
/// letters. Both apply Unicode's default full case mapping.
#[cfg(target_arch = "wasm32")]
fn uppercase(text: &str) -> String {
    js_sys::JsString::from(text).to_upper_case().into()
}

/// Host builds (tests): Rust's own mapping.
#[cfg(not(target_arch = "wasm32"))]
fn uppercase(text: &str) -> String {
    text.to_uppercase()
}

/// `char::is_alphanumeric` (Unicode `Alphabetic` or `N*`). Outside ASCII the browser answers, with
/// a regular expression on the same two properties: Rust's own answer would ship core's
/// `Alphabetic` and `Numeric` tables (about 2 KB of the gzipped wasm) for the initials.
#[cfg(target_arch = "wasm32")]
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    js_sys::RegExp::new(r"^[\p{Alphabetic}\p{N}]$", "u").test(c.encode_utf8(&mut [0; 4]))
}

/// Host builds (tests): Rust's own tables.
#[cfg(not(target_arch = "wasm32"))]
fn is_alphanumeric(c: char) -> bool {
    c.is_alphanumeric()
}

fn percent_encode_svg(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    for c in svg.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '"' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The local wall-clock time, `HH:MM:SS`, for the event log.
#[cfg(target_arch = "wasm32")]
pub fn clock_time() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:02}:{:02}:{:02}",
        now.get_hours(),
        now.get_minutes(),
        now.get_seconds()
    )
}

/// Host builds (tests) have no browser clock; the log is only shown in a browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn clock_time() -> String {
    "00:00:00".into()
}

/// A latency with one decimal: `1.04` → `1.0 ms`.
///
/// The browser's `Number.prototype.toFixed` does the rounding: Rust's `{:.1}` on an `f64` would pull
/// core's exact float printing (Grisu, Dragon4 and their tables, about 8 KB of the gzipped wasm)
/// into the page for this one label. Both round the exact binary value, so they agree except on
/// exact ties, which `toFixed` rounds up (`1.25` → `1.3`) and Rust to even (`1.2`).
#[cfg(target_arch = "wasm32")]
pub fn milliseconds(ms: f64) -> String {
    // `toFixed` only throws for a digit count outside 0..=100.
    let fixed = js_sys::Number::from(ms).to_fixed(1).unwrap_or_default();
    format!("{fixed} ms")
}

/// Host builds (tests): no browser, so Rust's own formatting.
#[cfg(not(target_arch = "wasm32"))]
pub fn milliseconds(ms: f64) -> String {
    format!("{ms:.1} ms")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sync_labels() {
        let now = Some("2026-01-01T01:02:05Z");
        assert_eq!(
            sync_label("syncing", None, None, false, now).unwrap(),
            "Syncing…"
        );
        assert_eq!(
            sync_label(
                "succeeded",
                Some(1204),
                Some("2026-01-01T01:00:05Z"),
                false,
                now
            )
            .unwrap(),
            "Last sync: 1,204 records, 2 min ago"
        );
        assert_eq!(
            sync_label("pending", Some(1), Some("2025-12-31T01:00:00Z"), false, now).unwrap(),
            "Last sync: 1 record, 1 day ago"
        );
        assert_eq!(
            sync_label("failed", None, Some("2026-01-01T01:02:00Z"), true, now).unwrap(),
            "Last sync failed, just now"
        );
        assert_eq!(
            sync_label("pending", None, None, false, now).unwrap(),
            "Sync starting…"
        );
        assert_eq!(sync_label("none", None, None, false, now), None);
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(
            ago("2026-03-01T00:00:00Z", "2026-03-01T05:00:00Z").unwrap(),
            "5 h ago"
        );
        assert_eq!(ago("x", "2026-03-01T05:00:00Z"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            format_timestamp("2026-11-30T06:42:05.123Z"),
            "30 Nov 2026, 06:42 UTC"
        );
        assert_eq!(
            format_timestamp("2026-01-02T23:59:00+00:00"),
            "2 Jan 2026, 23:59 UTC"
        );
        assert_eq!(
            format_timestamp("2026-01-02T23:59:00+02:00"),
            "2 Jan 2026, 23:59"
        );
        assert_eq!(format_timestamp("yesterday"), "yesterday");
        assert_eq!(
            format_timestamp("2026-13-02T23:59:00Z"),
            "2026-13-02T23:59:00Z"
        );
        assert_eq!(format_timestamp(""), "");
    }

    #[test]
    fn latencies_have_one_decimal() {
        assert_eq!(milliseconds(1.04), "1.0 ms");
        assert_eq!(milliseconds(12.345), "12.3 ms");
        assert_eq!(milliseconds(0.0), "0.0 ms");
    }

    #[test]
    fn icons() {
        assert_eq!(icon_src(None), None);
        assert_eq!(icon_src(Some("  ")), None);
        assert_eq!(
            icon_src(Some("data:image/svg+xml;base64,PHN2Zy8+")).as_deref(),
            Some("data:image/svg+xml;base64,PHN2Zy8+")
        );
        assert_eq!(
            icon_src(Some(r##"<svg fill="#fff">100%</svg>"##)).as_deref(),
            Some("data:image/svg+xml;utf8,<svg fill='%23fff'>100%25</svg>")
        );
        assert_eq!(initials("Google Sheets"), "GS");
        assert_eq!(initials("stripe"), "S");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("ßeta «Ünïcode» ١٢"), "SSÜ");
        assert_eq!(initials("-- 9lives"), "9");
    }
}
