//! Small display helpers: timestamps and connector icons. Pure functions (no browser calls) except
//! [`clock_time`], so they are unit-tested on the host.

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
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters.to_uppercase()
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
    }
}
