//! `POST /api/v1/integrations/templates/connections/cron/describe`: a Quartz cron expression
//! (`sec min hour day-of-month month day-of-week [year]`) checked and described in plain English.
//!
//! Parsing is `croner`'s, in its Quartz mode (seconds required, an optional year, `1`–`7` =
//! Sunday–Saturday, `?`, `L`, `W`, `#`). On top of it the rules Quartz adds: exactly 6 or 7
//! fields, and `?` in one of the two day fields. The description is written here from the parsed
//! fields for the common shapes ("At 02:00, every day", "Every hour, at minute 0",
//! "At 09:30, Monday through Friday"); other shapes get croner's own generic description.

use croner::parser::{CronParser, Seconds, Year};
use croner::{CronComponent, CronPattern};

/// The outcome: `CronExpressionDescribeResponse`'s two fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Described {
    pub(crate) description: String,
    pub(crate) is_valid: bool,
}

impl Described {
    fn invalid(reason: impl Into<String>) -> Self {
        Self {
            description: reason.into(),
            is_valid: false,
        }
    }
}

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Checks and describes `expression`. Never fails: an invalid expression is `is_valid: false`
/// with the reason as its description.
pub(crate) fn describe(expression: &str) -> Described {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if !(6..=7).contains(&fields.len()) {
        return Described::invalid(format!(
            "Invalid cron expression: a Quartz expression has 6 or 7 fields \
             (seconds minutes hours day-of-month month day-of-week [year]), this one has {}",
            fields.len()
        ));
    }
    if fields.iter().any(|f| f.contains('@') || f.contains('+')) {
        return Described::invalid(
            "Invalid cron expression: '@' nicknames and the '+' modifier are not Quartz syntax",
        );
    }
    let (dom, dow) = (fields[3], fields[5]);
    if dom != "?" && dow != "?" {
        return Described::invalid(
            "Invalid cron expression: support for specifying both a day-of-week and a \
             day-of-month parameter is not implemented; use '?' in one of them",
        );
    }
    if dom == "?" && dow == "?" {
        return Described::invalid(
            "Invalid cron expression: '?' can only be used in one of day-of-month and day-of-week",
        );
    }
    let parser = CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Optional)
        .alternative_weekdays(true)
        // Quartz writes steps as `0/15` as often as `*/15`.
        .sloppy_ranges(true)
        .build();
    match parser.parse(expression) {
        Ok(cron) => Described {
            description: plain_english(&cron.pattern, fields.len() == 7)
                .unwrap_or_else(|| cron.describe()),
            is_valid: true,
        },
        Err(e) => Described::invalid(format!("Invalid cron expression: {e}")),
    }
}

/// Every value of the field is allowed (`*`, `?`, or a list that happens to cover them all).
fn is_all(c: &CronComponent) -> bool {
    !c.has_modifiers() && c.values().len() == usize::from(c.max - c.min) + 1
}

/// `*/n` (or `0/n`, `a-b/n` covering the whole range from its minimum): `Some(n)`.
fn every_nth(c: &CronComponent) -> Option<u16> {
    let values = c.values();
    if c.has_modifiers() || values.len() < 2 || values[0] != c.min {
        return None;
    }
    let step = values[1] - values[0];
    let regular = values.windows(2).all(|w| w[1] - w[0] == step);
    let reaches_end = values.last().is_some_and(|last| c.max - last < step);
    (step > 1 && regular && reaches_end).then_some(step)
}

fn single(c: &CronComponent) -> Option<u16> {
    let values = c.values();
    (!c.has_modifiers() && values.len() == 1).then(|| values[0])
}

/// "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Monday through Friday" for a run of consecutive values, "a, b and c" otherwise.
fn names(values: &[u16], name: impl Fn(u16) -> String) -> String {
    let consecutive = values.windows(2).all(|w| w[1] == w[0] + 1);
    match values {
        [first, .., last] if consecutive && values.len() > 2 => {
            format!("{} through {}", name(*first), name(*last))
        }
        _ => join(&values.iter().map(|v| name(*v)).collect::<Vec<_>>()),
    }
}

fn plural(n: u16, unit: &str) -> String {
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The time of day part, or `None` for a shape this does not phrase.
fn time_of_day(p: &CronPattern) -> Option<String> {
    let (sec, min, hour) = (&p.seconds, &p.minutes, &p.hours);
    let second = single(sec);
    if second.is_none() {
        // Only "every N seconds" (all minutes and hours) is phrased; the rest falls back.
        return (is_all(min) && is_all(hour))
            .then(|| {
                if is_all(sec) {
                    Some("every second".to_owned())
                } else {
                    every_nth(sec).map(|n| plural(n, "second"))
                }
            })
            .flatten();
    }
    let second = second.unwrap_or(0);
    let at_second = if second == 0 {
        String::new()
    } else {
        format!(", at second {second}")
    };
    let hours = hour.values();
    if hour.has_modifiers() || min.has_modifiers() {
        return None;
    }
    if let Some(m) = single(min) {
        if hours.len() <= 6 && !is_all(hour) && every_nth(hour).is_none() {
            let times: Vec<String> = hours
                .iter()
                .map(|h| {
                    if second == 0 {
                        format!("{h:02}:{m:02}")
                    } else {
                        format!("{h:02}:{m:02}:{second:02}")
                    }
                })
                .collect();
            return Some(format!("at {}", join(&times)));
        }
        let every = if is_all(hour) {
            "every hour".to_owned()
        } else if let Some(n) = every_nth(hour) {
            plural(n, "hour")
        } else {
            return None;
        };
        return Some(format!("{every}, at minute {m}{at_second}"));
    }
    if !is_all(hour) {
        return None;
    }
    let every = if is_all(min) {
        "every minute".to_owned()
    } else {
        plural(every_nth(min)?, "minute")
    };
    Some(format!("{every}{at_second}"))
}

/// The days part: ", every day", ", Monday through Friday", ", on day 1 of the month", with
/// months and years appended; `None` for `L`, `W` and `#`, which the fallback describes.
fn days(p: &CronPattern, with_year: bool) -> Option<String> {
    let (dom, month, dow) = (&p.days, &p.months, &p.days_of_week);
    if dom.has_modifiers() || dow.has_modifiers() || month.has_modifiers() {
        return None;
    }
    // croner keeps days of week 0–6 (Sunday = 0), and may also set 7 for Sunday.
    let mut weekdays: Vec<u16> = dow.values().into_iter().map(|d| d % 7).collect();
    weekdays.sort_unstable();
    weekdays.dedup();
    let mut out = if is_all(dom) && (is_all(dow) || weekdays.len() == 7) {
        ", every day".to_owned()
    } else if is_all(dom) {
        format!(
            ", {}",
            names(&weekdays, |d| WEEKDAYS[usize::from(d % 7)].to_owned())
        )
    } else if let Some(n) = every_nth(dom) {
        format!(", {} of the month", plural(n, "day"))
    } else {
        let list = names(&dom.values(), |d| d.to_string());
        let noun = if dom.values().len() == 1 {
            "day"
        } else {
            "days"
        };
        format!(", on {noun} {list} of the month")
    };
    if !is_all(month) {
        out.push_str(&format!(
            ", only in {}",
            names(&month.values(), |m| MONTHS[usize::from(m.clamp(1, 12) - 1)]
                .to_owned())
        ));
    }
    if with_year && !is_all(&p.years) {
        let years = p.years.values();
        if years.len() > 10 {
            return None;
        }
        out.push_str(&format!(", in {}", names(&years, |y| y.to_string())));
    }
    Some(out)
}

fn plain_english(p: &CronPattern, with_year: bool) -> Option<String> {
    let time = time_of_day(p)?;
    let mut days = days(p, with_year)?;
    // "Every hour, at minute 0" already says it runs every day.
    if time.starts_with("every")
        && let Some(rest) = days.strip_prefix(", every day")
    {
        days = rest.to_owned();
    }
    Some(capitalise(&format!("{time}{days}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_shapes_read_as_plain_english() {
        let table = [
            ("0 0 2 * * ?", "At 02:00, every day"),
            ("0 0 * * * ?", "Every hour, at minute 0"),
            ("0 30 9 ? * MON-FRI", "At 09:30, Monday through Friday"),
            ("0 30 9 ? * 2-6", "At 09:30, Monday through Friday"),
            ("0 15 * * * ?", "Every hour, at minute 15"),
            ("0 0 */6 * * ?", "Every 6 hours, at minute 0"),
            ("0 0 0/2 * * ?", "Every 2 hours, at minute 0"),
            ("0 */15 * * * ?", "Every 15 minutes"),
            ("0 * * * * ?", "Every minute"),
            ("*/30 * * * * ?", "Every 30 seconds"),
            ("0 0 12 ? * SUN", "At 12:00, Sunday"),
            (
                "0 0 8 ? * MON,WED,FRI",
                "At 08:00, Monday, Wednesday and Friday",
            ),
            ("0 0 0 1 * ?", "At 00:00, on day 1 of the month"),
            ("0 0 6,18 * * ?", "At 06:00 and 18:00, every day"),
            ("15 45 23 * * ?", "At 23:45:15, every day"),
            (
                "0 0 2 1 JAN ?",
                "At 02:00, on day 1 of the month, only in January",
            ),
            ("0 0 2 * * ? 2027", "At 02:00, every day, in 2027"),
            ("0 0 9 ? * *", "At 09:00, every day"),
        ];
        for (expression, want) in table {
            let got = describe(expression);
            assert!(got.is_valid, "{expression}: {got:?}");
            assert_eq!(got.description, want, "{expression}");
        }
    }

    #[test]
    fn other_valid_shapes_get_a_generic_description() {
        for expression in ["0 0 12 L * ?", "0 0 12 ? * 6#3", "0 5-10 9 * * ?"] {
            let got = describe(expression);
            assert!(got.is_valid, "{expression}: {got:?}");
            assert!(!got.description.is_empty(), "{expression}");
        }
    }

    #[test]
    fn invalid_expressions_say_why() {
        let table = [
            ("", "6 or 7 fields"),
            ("0 2 * * *", "6 or 7 fields"),
            ("@daily", "6 or 7 fields"),
            ("0 0 2 * * *", "'?'"),
            ("0 0 2 ? * ?", "'?'"),
            ("0 0 25 * * ?", "Invalid cron expression"),
            ("0 61 2 * * ?", "Invalid cron expression"),
            ("0 0 2 * * ? 1 2", "6 or 7 fields"),
            ("x 0 2 * * ?", "Invalid cron expression"),
            ("0 0 2 ? * MOO", "Invalid cron expression"),
        ];
        for (expression, reason) in table {
            let got = describe(expression);
            assert!(!got.is_valid, "{expression} should be invalid: {got:?}");
            assert!(
                got.description.contains(reason),
                "{expression}: {}",
                got.description
            );
        }
    }
}
