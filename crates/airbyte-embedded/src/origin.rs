//! The rules for `allowed_origin`: it must be an origin exactly as a browser writes `event.origin`,
//! because the authentication module compares the two as strings. Each problem comes with the fix.

use url::Url;

/// Why a string is not a usable `allowed_origin`, and what to send instead when that can be worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginProblem {
    /// A full sentence naming the problem and the fix, e.g.
    /// `allowed_origin must not end with '/': use 'http://localhost:3000'`.
    pub message: String,
    /// The origin the caller most likely meant.
    pub suggestion: Option<String>,
    /// The problem alone, after `allowed_origin ` and before the fix, e.g. `must not end with '/'`.
    pub what: String,
}

impl OriginProblem {
    /// The warning for an `allowed_origin` Airbyte's API accepts anyway (it types the field as a plain
    /// string): what is wrong, what it does to the widget, and the fix. `field` is the name the request
    /// used (`allowed_origin`, or `allowedOrigin` on the OLD platform path); `raw` the value sent.
    pub fn warning(&self, field: &str, raw: &str) -> String {
        let fix = match &self.suggestion {
            Some(s) => format!("use '{s}'"),
            None => "use the host page's window.location.origin".to_owned(),
        };
        let raw = clip(raw);
        format!(
            "{field} '{raw}' {}; Airbyte accepts it, but the widget will hang (the browser's \
             event.origin never equals it): {fix}",
            self.what
        )
    }
}

impl std::fmt::Display for OriginProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OriginProblem {}

/// A header-sized echo of what was sent: enough to recognise it, never a wall of text.
fn clip(s: &str) -> String {
    if s.chars().count() > 100 {
        s.chars().take(97).chain("...".chars()).collect()
    } else {
        s.to_owned()
    }
}

fn problem(what: &str, suggestion: Option<String>) -> OriginProblem {
    let message = match &suggestion {
        Some(s) => format!("allowed_origin {what}: use '{s}'"),
        None => format!("allowed_origin {what}"),
    };
    OriginProblem {
        message,
        suggestion,
        what: what.to_owned(),
    }
}

/// Checks that `raw` is an origin as a browser serialises it (`scheme://host[:port]`, lowercase, no
/// default port, no path, no trailing slash, no wildcard) and returns it unchanged when it is.
pub fn validate_allowed_origin(raw: &str) -> Result<&str, OriginProblem> {
    const EXAMPLE: &str = "e.g. 'https://app.example.com' or 'http://localhost:3000'";
    if raw.is_empty() {
        return Err(problem(
            &format!(
                "must not be empty: pass the origin of the page that embeds the widget, {EXAMPLE}"
            ),
            None,
        ));
    }
    if raw.trim() != raw || raw.chars().any(char::is_whitespace) {
        let trimmed: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let suggestion = validate_allowed_origin(&trimmed).ok().map(str::to_owned);
        return Err(problem("must not contain whitespace", suggestion));
    }
    if raw == "null" {
        return Err(problem(
            "is 'null', the origin of sandboxed iframes and file:// pages, which the widget cannot trust; \
             serve the page over http(s) and pass its origin",
            None,
        ));
    }
    if raw.contains('*') {
        return Err(problem(
            &format!(
                "must not contain a wildcard ('*'): mint one widget token per exact origin, {EXAMPLE}"
            ),
            None,
        ));
    }
    if !raw.contains("://") {
        let host = raw.trim_end_matches('/');
        let scheme = if is_loopback_host(host) {
            "http"
        } else {
            "https"
        };
        let suggestion = validate_allowed_origin(&format!("{scheme}://{host}"))
            .ok()
            .map(str::to_owned);
        return Err(problem(
            "must include the scheme (http:// or https://)",
            suggestion,
        ));
    }
    let url = Url::parse(raw)
        .map_err(|e| problem(&format!("is not a valid URL origin ({e}); {EXAMPLE}"), None))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(problem(
            &format!("must use http or https, not '{}:'; {EXAMPLE}", url.scheme()),
            None,
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(problem(&format!("must name a host; {EXAMPLE}"), None));
    }
    let canonical = url.origin().ascii_serialization();
    if raw == canonical {
        return Ok(raw);
    }
    let suggestion = Some(canonical.clone());
    let after_scheme = &raw[raw.find("://").map_or(0, |i| i + 3)..];
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    let rest = &after_scheme[authority_end..];

    if !url.username().is_empty() || url.password().is_some() {
        return Err(problem(
            "must not contain a user name or password",
            suggestion,
        ));
    }
    if rest == "/" {
        return Err(problem("must not end with '/'", suggestion));
    }
    if !rest.is_empty() {
        let what = if rest.starts_with('?') {
            "must not contain a query string"
        } else if rest.starts_with('#') {
            "must not contain a fragment"
        } else {
            "must not contain a path"
        };
        return Err(problem(
            &format!("{what} ('{}'); it is only scheme://host[:port]", clip(rest)),
            suggestion,
        ));
    }
    let default_port = match url.scheme() {
        "https" => ":443",
        _ => ":80",
    };
    if authority.ends_with(default_port) && url.port().is_none() {
        return Err(problem(
            &format!(
                "must not include the default port {default_port}: browsers omit it from event.origin, so it never matches"
            ),
            suggestion,
        ));
    }
    if raw.to_ascii_lowercase() == canonical {
        return Err(problem(
            "must be lowercase, as browsers write origins",
            suggestion,
        ));
    }
    Err(problem(
        "must be written exactly as the browser writes the origin",
        suggestion,
    ))
}

fn is_loopback_host(host_and_port: &str) -> bool {
    let host = host_and_port
        .rsplit_once(':')
        .map_or(host_and_port, |(h, _)| h);
    is_loopback_name(host)
}

/// A host name (no port; IPv6 in brackets) that always means this machine.
fn is_loopback_name(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.ends_with(".localhost")
}

/// How two origins differ, part by part (scheme, host, port), in the words a developer needs to
/// spot why a browser treats them as different; empty when either does not parse or they agree.
pub fn origin_differences(expected: &str, received: &str) -> Vec<String> {
    let (Ok(a), Ok(b)) = (Url::parse(expected), Url::parse(received)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if a.scheme() != b.scheme() {
        out.push(format!(
            "Scheme: expected {}, the page uses {}.",
            a.scheme(),
            b.scheme()
        ));
    }
    let (host_a, host_b) = (
        a.host_str().unwrap_or_default(),
        b.host_str().unwrap_or_default(),
    );
    if host_a != host_b {
        let why = if is_loopback_name(host_a) && is_loopback_name(host_b) {
            " localhost, 127.0.0.1 and [::1] reach the same machine but are three different origins to a browser."
        } else {
            ""
        };
        out.push(format!(
            "Host: expected '{host_a}', the page uses '{host_b}'.{why}"
        ));
    }
    if a.scheme() == b.scheme()
        && let (Some(port_a), Some(port_b)) = (a.port_or_known_default(), b.port_or_known_default())
        && port_a != port_b
    {
        out.push(format!("Port: expected {port_a}, the page uses {port_b}."));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_part_that_differs() {
        assert!(origin_differences("http://localhost:3000", "http://localhost:3000").is_empty());
        let d = origin_differences("http://localhost:3000", "https://127.0.0.1:3001");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("Scheme: expected http"));
        assert!(d[1].starts_with("Host: expected 'localhost'"));
        let d = origin_differences("http://localhost:3000", "http://127.0.0.1:3000");
        assert!(d[0].contains("three different origins"), "{d:?}");
        let d = origin_differences("https://app.example", "https://app.example:8443");
        assert_eq!(
            d,
            vec!["Port: expected 443, the page uses 8443.".to_owned()]
        );
        assert!(origin_differences("junk", "http://a").is_empty());
    }

    #[test]
    fn the_warning_names_the_value_the_hang_and_the_fix() {
        let problem = validate_allowed_origin("http://localhost:3000/").unwrap_err();
        let text = problem.warning("allowed_origin", "http://localhost:3000/");
        assert!(
            text.starts_with("allowed_origin 'http://localhost:3000/' must not end with '/';"),
            "{text}"
        );
        assert!(text.contains("the widget will hang"), "{text}");
        assert!(text.ends_with(": use 'http://localhost:3000'"), "{text}");
        let wildcard = validate_allowed_origin("https://*.x.com").unwrap_err();
        assert!(
            wildcard
                .warning("allowedOrigin", "https://*.x.com")
                .ends_with("use the host page's window.location.origin")
        );
        let long = "https://x.com/".to_owned() + &"a".repeat(500);
        let text = validate_allowed_origin(&long)
            .unwrap_err()
            .warning("allowed_origin", &long);
        assert!(text.len() < 400, "{text}");
    }

    #[test]
    fn accepts_browser_origins() {
        for ok in [
            "http://localhost:3000",
            "https://app.example.com",
            "http://127.0.0.1:8080",
            "http://[::1]:3000",
            "https://x.com:8443",
        ] {
            assert_eq!(validate_allowed_origin(ok), Ok(ok), "{ok}");
        }
    }

    #[test]
    fn names_each_problem_and_the_fix() {
        let cases = [
            (
                "http://localhost:3000/",
                "must not end with '/': use 'http://localhost:3000'",
            ),
            ("https://x.com:443", "default port :443"),
            ("http://x.com:80", "default port :80"),
            ("https://x.com/app", "must not contain a path ('/app')"),
            ("https://*.x.com", "wildcard"),
            (
                "localhost:3000",
                "must include the scheme (http:// or https://): use 'http://localhost:3000'",
            ),
            ("app.example.com", "use 'https://app.example.com'"),
            ("HTTPS://X.com", "lowercase"),
            ("https://x.com?a=1", "query string"),
            ("ftp://x.com", "http or https"),
            ("", "must not be empty"),
            (
                " http://localhost:3000",
                "whitespace: use 'http://localhost:3000'",
            ),
            ("null", "sandboxed"),
            ("https://user@x.com", "user name"),
        ];
        for (input, expected) in cases {
            let err = validate_allowed_origin(input).expect_err(input);
            assert!(err.message.contains(expected), "{input}: {}", err.message);
            assert!(
                err.message.starts_with("allowed_origin "),
                "{}",
                err.message
            );
        }
        assert_eq!(
            validate_allowed_origin("https://x.com:443/")
                .unwrap_err()
                .suggestion
                .as_deref(),
            Some("https://x.com")
        );
    }
}
