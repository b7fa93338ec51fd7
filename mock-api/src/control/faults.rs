//! Fault rules (`/_mock/faults`): make matching requests fail, slow down or lose their connection,
//! for the next `times` matches or with a `probability` drawn from the mock's seeded generator.
//!
//! A rule is the flat JSON of issue #9, e.g. `{"method": "POST", "path":
//! "/api/v1/embedded/widget-token", "status": 503, "times": 1}`. Rules are tried in the order they
//! were added; the first one that matches and fires shapes the answer. The effects are shared with
//! the `X-Mock-Scenario` header ([`Effect`]).
//!
//! A rule with a `connection_id` instead of a `path` targets replication: the connection's next
//! sync jobs (as many as `times`, or each with a `probability`) end `failed` with the rule's
//! `failure` text, whatever their source's configuration says.

use std::sync::Mutex;
use std::time::Duration;

use airbyte_embedded::ApiError;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::AppError;

/// The longest delay a rule or the header may ask for: long enough for any client timeout.
pub(crate) const MAX_DELAY_MS: u64 = 10 * 60 * 1000;

/// What shapes one answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Effect {
    pub delay: Option<Duration>,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// The mock answers as usual (after the delay).
    Pass,
    /// This status, with `body` or else an `ApiErrorResponse`; `Retry-After` when given.
    Respond {
        status: StatusCode,
        body: Option<Value>,
        retry_after: Option<u32>,
    },
    /// Close the connection without an answer.
    Drop,
}

/// A rule that fired for a request: its label for the journal and its effect.
#[derive(Debug, Clone)]
pub(crate) struct Fired {
    pub label: String,
    pub effect: Effect,
}

/// A stored rule, as `GET /_mock/faults` shows it: the keys it was given, its id and how often it
/// fired.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Rule {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Empty for a rule that targets a connection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    /// The connection whose sync jobs the rule fails (instead of requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<uuid::Uuid>,
    /// The failure text of a job a connection rule fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_max_ms: Option<u64>,
    pub drop: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    pub fired: u64,
}

/// The body of `POST /_mock/faults`, before validation.
#[derive(Debug, Deserialize)]
struct RuleInput {
    method: Option<String>,
    path: Option<String>,
    workspace_name: Option<String>,
    connection_id: Option<String>,
    failure: Option<String>,
    status: Option<u16>,
    body: Option<Value>,
    delay_ms: Option<u64>,
    delay_max_ms: Option<u64>,
    drop: Option<bool>,
    retry_after: Option<u32>,
    times: Option<u64>,
    probability: Option<f64>,
}

const KEYS: [&str; 13] = [
    "method",
    "path",
    "workspace_name",
    "connection_id",
    "failure",
    "status",
    "body",
    "delay_ms",
    "delay_max_ms",
    "drop",
    "retry_after",
    "times",
    "probability",
];

/// `times` and `probability`, which request and connection rules share.
fn check_how_often(times: Option<u64>, probability: Option<f64>, errors: &mut Vec<ApiError>) {
    if times == Some(0) {
        errors.push(ApiError::new(
            Some("times"),
            "must be at least 1 (leave it out for a rule that always fires)",
            "invalid",
        ));
    }
    if probability.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
        errors.push(ApiError::new(
            Some("probability"),
            "must be greater than 0 and at most 1",
            "invalid",
        ));
    }
}

impl Rule {
    /// Validates a rule's JSON; every bad key is named in one 422 (an unknown key too, since a typo
    /// such as `delayms` would otherwise make a rule that silently does less than asked).
    pub(crate) fn parse(body: Map<String, Value>) -> Result<Self, AppError> {
        let mut errors: Vec<ApiError> = body
            .keys()
            .filter(|key| !KEYS.contains(&key.as_str()))
            .map(|key| {
                ApiError::new(
                    Some(key),
                    format!("unknown key; a rule has {}", KEYS.join(", ")),
                    "unknown_field",
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let input: RuleInput = crate::extract::parse_json(&bytes)?;
        fn invalid(field: &str, message: &str) -> ApiError {
            ApiError::new(Some(field), message, "invalid")
        }
        if input.connection_id.is_some() {
            return Self::parse_connection_rule(&body, input);
        }
        if input.failure.is_some() {
            return Err(AppError::invalid_many(vec![invalid(
                "failure",
                "only a rule with a connection_id fails sync jobs; a request rule answers with status and body",
            )]));
        }

        let method = input.method.map(|m| m.to_ascii_uppercase());
        if let Some(m) = &method
            && (m.is_empty() || Method::from_bytes(m.as_bytes()).is_err())
        {
            errors.push(invalid("method", "not an HTTP method"));
        }
        let path = input.path.unwrap_or_default();
        if path.is_empty() {
            errors.push(ApiError::new(Some("path"), "field required", "missing"));
        } else if !path.starts_with('/') {
            errors.push(invalid(
                "path",
                "must start with '/' (an exact path, or a prefix ending in '*')",
            ));
        } else if path.trim_end_matches('*').contains('*') || path.ends_with("**") {
            errors.push(invalid("path", "'*' may only end the path, once"));
        } else if path.starts_with("/_mock") {
            // It would never fire: the control plane is outside the rules' reach (and a prefix
            // such as `/*` simply does not apply to it).
            errors.push(invalid(
                "path",
                "the control plane under /_mock cannot be faulted",
            ));
        }
        if input
            .workspace_name
            .as_deref()
            .is_some_and(|w| w.trim().is_empty())
        {
            errors.push(invalid("workspace_name", "must not be empty"));
        }
        if let Some(status) = input.status
            && !(200..=599).contains(&status)
        {
            errors.push(invalid("status", "must be an HTTP status from 200 to 599"));
        }
        if input.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
            errors.push(invalid(
                "delay_ms",
                &format!("must be at most {MAX_DELAY_MS}"),
            ));
        }
        if let Some(max) = input.delay_max_ms {
            if max > MAX_DELAY_MS {
                errors.push(invalid(
                    "delay_max_ms",
                    &format!("must be at most {MAX_DELAY_MS}"),
                ));
            } else if max < input.delay_ms.unwrap_or(0) {
                errors.push(invalid("delay_max_ms", "must not be less than delay_ms"));
            }
        }
        let drop = input.drop.unwrap_or(false);
        if drop && (input.status.is_some() || input.body.is_some() || input.retry_after.is_some()) {
            errors.push(invalid(
                "drop",
                "drop closes the connection without an answer, so it takes no status, body or retry_after",
            ));
        }
        if input.retry_after.is_some_and(|s| s > 86_400) {
            errors.push(invalid("retry_after", "must be at most 86400 seconds"));
        }
        check_how_often(input.times, input.probability, &mut errors);
        let has_effect = input.status.is_some()
            || input.body.is_some()
            || input.delay_ms.is_some()
            || input.delay_max_ms.is_some()
            || drop
            || input.retry_after.is_some();
        if !has_effect && errors.is_empty() {
            errors.push(invalid(
                "status",
                "a rule needs an effect: status, body, delay_ms, delay_max_ms, drop or retry_after",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        Ok(Self {
            id: String::new(),
            method,
            path,
            workspace_name: input.workspace_name,
            connection_id: None,
            failure: None,
            status: input.status,
            body: input.body,
            delay_ms: input.delay_ms,
            delay_max_ms: input.delay_max_ms,
            drop,
            retry_after: input.retry_after,
            times: input.times,
            probability: input.probability,
            fired: 0,
        })
    }

    /// A rule for a connection's sync jobs: `connection_id`, and optionally `failure`, `times` and
    /// `probability`; the request keys make no sense on it and are refused by name.
    fn parse_connection_rule(
        body: &Map<String, Value>,
        input: RuleInput,
    ) -> Result<Self, AppError> {
        const ALLOWED: [&str; 4] = ["connection_id", "failure", "times", "probability"];
        let mut errors: Vec<ApiError> = body
            .keys()
            .filter(|key| !ALLOWED.contains(&key.as_str()))
            .map(|key| {
                ApiError::new(
                    Some(key),
                    format!(
                        "a rule with a connection_id fails that connection's sync jobs; it takes {} only",
                        ALLOWED.join(", ")
                    ),
                    "invalid",
                )
            })
            .collect();
        let connection_id = input
            .connection_id
            .as_deref()
            .and_then(|id| uuid::Uuid::parse_str(id.trim()).ok());
        if connection_id.is_none() {
            errors.push(ApiError::new(
                Some("connection_id"),
                "must be a connection's UUID (GET /_mock/connections lists them)",
                "invalid",
            ));
        }
        if input
            .failure
            .as_deref()
            .is_some_and(|f| f.trim().is_empty())
        {
            errors.push(ApiError::new(
                Some("failure"),
                "must not be empty",
                "invalid",
            ));
        }
        check_how_often(input.times, input.probability, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        Ok(Self {
            id: String::new(),
            method: None,
            path: String::new(),
            workspace_name: None,
            connection_id,
            failure: input.failure,
            status: None,
            body: None,
            delay_ms: None,
            delay_max_ms: None,
            drop: false,
            retry_after: None,
            times: input.times,
            probability: input.probability,
            fired: 0,
        })
    }

    fn matches(&self, method: &Method, path: &str, workspace: Option<&str>) -> bool {
        if self.connection_id.is_some() {
            return false;
        }
        let path_matches = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        path_matches
            && self.method.as_deref().is_none_or(|m| m == method.as_str())
            && self
                .workspace_name
                .as_deref()
                .is_none_or(|w| workspace == Some(w))
            && self.times.is_none_or(|times| self.fired < times)
    }

    /// The effect, with a ranged delay drawn now.
    fn effect(&self, draw: &mut dyn FnMut() -> f64) -> Effect {
        let delay = match (self.delay_ms, self.delay_max_ms) {
            (None, None) => None,
            (Some(ms), None) => Some(ms),
            (min, Some(max)) => {
                let min = min.unwrap_or(0);
                let span = (max - min + 1) as f64;
                // `draw() < 1`, so the offset stays within the span.
                Some(min + ((draw() * span) as u64).min(max - min))
            }
        }
        .map(Duration::from_millis);
        let answer = if self.drop {
            Answer::Drop
        } else if self.status.is_some() || self.body.is_some() || self.retry_after.is_some() {
            let status = self.status.unwrap_or(match self.retry_after {
                Some(_) => 429,
                None => 200,
            });
            Answer::Respond {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                body: self.body.clone(),
                retry_after: self.retry_after,
            }
        } else {
            Answer::Pass
        };
        Effect { delay, answer }
    }
}

#[derive(Debug, Default)]
struct RuleList {
    rules: Vec<Rule>,
    next_id: u64,
}

/// The rules, in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    list: Mutex<RuleList>,
}

impl Faults {
    fn list(&self) -> std::sync::MutexGuard<'_, RuleList> {
        self.list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a validated rule under a new id (`fault-1`, `fault-2`, …; never reused).
    pub(crate) fn add(&self, mut rule: Rule) -> Rule {
        let mut list = self.list();
        list.next_id += 1;
        rule.id = format!("fault-{}", list.next_id);
        list.rules.push(rule.clone());
        rule
    }

    pub(crate) fn all(&self) -> Vec<Rule> {
        self.list().rules.clone()
    }

    /// Removes one rule; whether it existed.
    pub(crate) fn remove(&self, id: &str) -> bool {
        let mut list = self.list();
        let before = list.rules.len();
        list.rules.retain(|r| r.id != id);
        list.rules.len() != before
    }

    pub(crate) fn clear(&self) {
        self.list().rules.clear();
    }

    /// The first rule that matches the request and fires, counted as fired. A rule with a
    /// `probability` takes one draw from `draw` per matching request, fire or not, so the same seed
    /// and the same requests give the same sequence.
    pub(crate) fn fire(
        &self,
        method: &Method,
        path: &str,
        workspace: Option<&str>,
        draw: &mut dyn FnMut() -> f64,
    ) -> Option<Fired> {
        let mut list = self.list();
        let rule = list.rules.iter_mut().find(|rule| {
            rule.matches(method, path, workspace) && rule.probability.is_none_or(|p| draw() < p)
        })?;
        rule.fired += 1;
        Some(Fired {
            label: rule.id.clone(),
            effect: rule.effect(draw),
        })
    }
}

/// Connection rules fail sync jobs; the first that targets the job's connection and fires decides.
impl crate::domain::replication::SyncFaults for Faults {
    fn sync_failure(
        &self,
        connection_id: uuid::Uuid,
        draw: &mut dyn FnMut() -> f64,
    ) -> Option<String> {
        let mut list = self.list();
        let rule = list.rules.iter_mut().find(|rule| {
            rule.connection_id == Some(connection_id)
                && rule.times.is_none_or(|times| rule.fired < times)
                && rule.probability.is_none_or(|p| draw() < p)
        })?;
        rule.fired += 1;
        Some(format!(
            "Sync failed: {} (fault rule {})",
            rule.failure
                .as_deref()
                .unwrap_or("the destination refused the write"),
            rule.id
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(body: Value) -> Result<Rule, AppError> {
        Rule::parse(body.as_object().unwrap().clone())
    }

    fn fields(error: &AppError) -> Vec<String> {
        error
            .body
            .errors
            .iter()
            .filter_map(|e| e.field.clone())
            .collect()
    }

    #[test]
    fn bad_rules_name_their_fields() {
        let error = rule(json!({"path": "api", "status": 700, "times": 0, "probability": 2.0}))
            .unwrap_err();
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&error), ["path", "status", "times", "probability"]);
        assert_eq!(
            fields(&rule(json!({"path": "/x", "delayms": 5})).unwrap_err()),
            ["delayms"]
        );
        assert_eq!(
            fields(&rule(json!({"path": "/x"})).unwrap_err()),
            ["status"]
        );
        assert_eq!(fields(&rule(json!({"status": 503})).unwrap_err()), ["path"]);
        assert_eq!(
            fields(&rule(json!({"path": "/x", "drop": true, "status": 503})).unwrap_err()),
            ["drop"]
        );
        assert_eq!(
            fields(&rule(json!({"path": "/_mock/*", "status": 503})).unwrap_err()),
            ["path"]
        );
        assert!(rule(json!({"path": "/*", "status": 503})).is_ok());
        assert_eq!(
            fields(&rule(json!({"path": "/x", "status": "503"})).unwrap_err()),
            ["status"]
        );
    }

    #[test]
    fn rules_match_method_path_prefix_workspace_and_times() {
        let faults = Faults::default();
        faults.add(
            rule(json!({"method": "post", "path": "/api/v1/embedded/*", "workspace_name": "w", "status": 503, "times": 2}))
                .unwrap(),
        );
        let mut never = || -> f64 { unreachable!("no probability") };
        let post = Method::POST;
        assert!(
            faults
                .fire(
                    &Method::GET,
                    "/api/v1/embedded/sources",
                    Some("w"),
                    &mut never
                )
                .is_none()
        );
        assert!(
            faults
                .fire(&post, "/api/v1/other", Some("w"), &mut never)
                .is_none()
        );
        assert!(
            faults
                .fire(&post, "/api/v1/embedded/sources", Some("v"), &mut never)
                .is_none()
        );
        let fired = faults
            .fire(&post, "/api/v1/embedded/sources", Some("w"), &mut never)
            .unwrap();
        assert_eq!(fired.label, "fault-1");
        assert!(matches!(fired.effect.answer, Answer::Respond { status, .. } if status == 503));
        assert!(
            faults
                .fire(&post, "/api/v1/embedded/x", Some("w"), &mut never)
                .is_some()
        );
        assert!(
            faults
                .fire(&post, "/api/v1/embedded/x", Some("w"), &mut never)
                .is_none()
        );
        assert_eq!(faults.all()[0].fired, 2);
    }

    #[test]
    fn ranged_delays_stay_in_range() {
        let r = rule(json!({"path": "/x", "delay_ms": 10, "delay_max_ms": 20})).unwrap();
        for draw in [0.0, 0.5, 0.999_999] {
            let delay = r.effect(&mut || draw).delay.unwrap().as_millis();
            assert!((10..=20).contains(&delay), "{delay}");
        }
        let retry = rule(json!({"path": "/x", "retry_after": 3})).unwrap();
        assert_eq!(
            retry.effect(&mut || 0.0).answer,
            Answer::Respond {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: None,
                retry_after: Some(3)
            }
        );
    }
}
