//! Hardening: secrets stay where they were put. The client secret and every stored secret (source
//! configurations through each API that takes one, OAuth app credentials) are absent from every
//! response, the request journal (`/_mock/requests`, `/_mock/state`) and the log output of the real
//! binary at the most verbose level. The built SPA is scanned by the browser suite
//! (`e2e/assets.test.mjs`), which runs after `build-web`; `cargo test` runs before it exists.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};

use airbyte_mock::testkit::SECRET_MASK;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{CLIENT_ID, CLIENT_SECRET, ORIGIN, sample_config, spawn_app};

/// Everything a client saw: each answer's status line, headers and body, as text.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

/// A mock reached over HTTP only (in-process or the binary), and what it answered.
struct Client {
    http: reqwest::Client,
    base: String,
    seen: Seen,
}

impl Client {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            base: base.trim_end_matches('/').to_owned(),
            seen: Seen::default(),
        }
    }

    /// Sends, records the whole answer, and returns status and JSON body.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status();
        let headers = format!("{:?}", response.headers());
        let text = response.text().await.expect("a body");
        self.seen.0.push((
            format!("{method} {path} -> {status}"),
            format!("{headers}\n{text}"),
        ));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Value {
        let (status, reply) = self.send(method.clone(), path, bearer, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {reply}");
        reply
    }
}

/// Every `(path, value)` of a JSON value's string leaves.
fn leaves(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{path}/{i}"), out);
            }
        }
        other => out.push((path.to_owned(), other.clone())),
    }
}

/// The pointers the mock masked in `redacted`: the secret fields of that connector.
fn masked_pointers(redacted: &Value) -> Vec<String> {
    let mut all = Vec::new();
    leaves(redacted, "", &mut all);
    all.into_iter()
        .filter(|(_, v)| v == SECRET_MASK)
        .map(|(p, _)| p)
        .collect()
}

/// Drives every API that stores a secret, with unique secret values, and reads everything back:
/// every GET of the end-user and operator APIs, the control plane's views, the widget and console
/// assets. Returns the secrets it sent (the client secret first) and the ids of the sources.
async fn store_secrets_and_read_everything(client: &mut Client) -> (Vec<String>, Vec<String>) {
    let run = Uuid::new_v4().simple().to_string();
    let mut secrets = vec![CLIENT_SECRET.to_owned()];
    let app_token = client
        .ok(
            Method::POST,
            "/api/v1/account/applications/token",
            None,
            Some(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})),
        )
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let workspace = format!("secrets-{run}");
    let scoped = client
        .ok(
            Method::POST,
            "/api/v1/account/applications/scoped-token",
            Some(&app_token),
            Some(&json!({"workspace_name": workspace})),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .ok(
            Method::POST,
            "/api/v1/account/applications/widget-token",
            Some(&app_token),
            Some(&json!({"workspace_name": workspace, "allowed_origin": ORIGIN})),
        )
        .await;
    let templates = client
        .ok(
            Method::GET,
            "/api/v1/integrations/templates/sources",
            Some(&app_token),
            None,
        )
        .await;
    let templates: Vec<(String, String)> = templates["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let mut source_ids = Vec::new();
    for (n, (name, template_id)) in templates.iter().enumerate() {
        let config = sample_config(name);
        // First with the sample, to learn which fields are secret (the answer masks them)...
        let probe = client
            .ok(
                Method::POST,
                "/api/v1/embedded/sources",
                Some(&scoped),
                Some(&json!({"source_template_id": template_id, "source_config": config})),
            )
            .await;
        let pointers = masked_pointers(&probe["source_config"]);
        client
            .ok(
                Method::DELETE,
                &format!("/api/v1/embedded/sources/{}", probe["id"].as_str().unwrap()),
                Some(&scoped),
                None,
            )
            .await;
        // ...then with a unique value in each, through each API that stores one.
        let with_marks = |tag: &str, secrets: &mut Vec<String>| {
            let mut marked = config.clone();
            for (i, pointer) in pointers.iter().enumerate() {
                let secret = format!("leak{tag}{n}x{i}x{run}");
                if let Some(slot) = marked.pointer_mut(pointer) {
                    *slot = json!(secret);
                    secrets.push(secret);
                }
            }
            marked
        };
        let created_config = with_marks("c", &mut secrets);
        let created = client
            .ok(
                Method::POST,
                "/api/v1/embedded/sources",
                Some(&scoped),
                Some(&json!({"source_template_id": template_id, "source_config": created_config})),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let checked_config = with_marks("k", &mut secrets);
        client
            .send(
                Method::POST,
                "/api/v1/embedded/sources/check",
                Some(&scoped),
                Some(&json!({"source_id": id, "source_config": checked_config})),
            )
            .await;
        let updated_config = with_marks("u", &mut secrets);
        client
            .ok(
                Method::PUT,
                &format!("/api/v1/embedded/sources/{id}"),
                Some(&scoped),
                Some(&json!({"source_config": updated_config})),
            )
            .await;
        let operator_config = with_marks("o", &mut secrets);
        let by_operator = client
            .ok(
                Method::POST,
                "/api/v1/integrations/connectors",
                Some(&app_token),
                Some(
                    &json!({"workspace_name": workspace, "source_template_id": template_id,
                             "replication_config": operator_config}),
                ),
            )
            .await;
        let operator_id = by_operator["id"].as_str().unwrap().to_owned();
        let operator_update = with_marks("p", &mut secrets);
        client
            .ok(
                Method::PUT,
                &format!("/api/v1/integrations/connectors/{operator_id}"),
                Some(&app_token),
                Some(&json!({"replication_config": operator_update})),
            )
            .await;
        source_ids.push(id);
        source_ids.push(operator_id);
    }
    assert!(
        secrets.len() > templates.len(),
        "the seeded connectors have secret fields: {secrets:?}"
    );
    let oauth_secret = format!("leakoauth{run}");
    client
        .ok(
            Method::PUT,
            "/api/v1/oauth/credentials",
            Some(&app_token),
            Some(&json!({"connector_type": "hubspot",
                         "configuration": {"client_id": "acme-app", "client_secret": oauth_secret}})),
        )
        .await;
    secrets.push(oauth_secret);
    // A fault rule's canned body and a scenario are recorded too; neither carries a secret.

    // Read everything back.
    let mut reads: Vec<(String, Option<String>)> = vec![
        ("/api/v1/embedded/sources".into(), Some(scoped.clone())),
        (
            "/api/v1/embedded/source-templates".into(),
            Some(scoped.clone()),
        ),
        (
            "/api/v1/embedded/scoped-token/info".into(),
            Some(scoped.clone()),
        ),
        (
            "/api/v1/embedded/organizations/current-scoped".into(),
            Some(scoped.clone()),
        ),
        (
            format!("/api/v1/integrations/connectors?workspace_name={workspace}"),
            Some(app_token.clone()),
        ),
        (
            "/api/v1/integrations/templates/sources".into(),
            Some(app_token.clone()),
        ),
        (
            "/api/v1/integrations/templates/connections".into(),
            Some(app_token.clone()),
        ),
        (
            "/api/v1/integrations/definitions/sources".into(),
            Some(app_token.clone()),
        ),
        ("/api/v1/workspaces".into(), Some(app_token.clone())),
        ("/api/v1/workspaces/stats".into(), Some(app_token.clone())),
        ("/_mock/health".into(), None),
        ("/_mock/state".into(), None),
        ("/_mock/requests?limit=1000".into(), None),
        ("/_mock/faults".into(), None),
        ("/_mock/connections".into(), None),
        (format!("/_mock/workspaces/{workspace}/connections"), None),
        ("/".into(), None),
        ("/widget.js".into(), None),
        ("/widget.esm.js".into(), None),
        ("/embedded-widget".into(), None),
    ];
    for id in &source_ids {
        reads.push((
            format!("/api/v1/integrations/connectors/{id}"),
            Some(app_token.clone()),
        ));
        reads.push((format!("/_mock/sources/{id}/entities"), None));
    }
    for id in source_ids.iter().step_by(2) {
        reads.push((
            format!("/api/v1/embedded/sources/{id}"),
            Some(scoped.clone()),
        ));
    }
    for (path, bearer) in reads {
        client
            .send(Method::GET, &path, bearer.as_deref(), None)
            .await;
    }
    (secrets, source_ids)
}

/// Each `(where, secret)` found in `texts`.
fn leaks<'a>(
    texts: impl IntoIterator<Item = (&'a str, &'a str)>,
    secrets: &[String],
) -> Vec<String> {
    let mut found = Vec::new();
    for (place, text) in texts {
        for secret in secrets {
            if text.contains(secret.as_str()) {
                found.push(format!("{place} contains {secret:?}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn no_secret_in_any_response_or_the_journal() {
    let app = spawn_app().await;
    let mut client = Client::new(&app.base);
    let (secrets, _) = store_secrets_and_read_everything(&mut client).await;
    let reads = client.seen.0.len();
    assert!(reads > 40, "only {reads} answers read");
    let found = leaks(
        client
            .seen
            .0
            .iter()
            .map(|(what, text)| (what.as_str(), text.as_str())),
        &secrets,
    );
    assert!(
        found.is_empty(),
        "secrets in answers:\n{}",
        found.join("\n")
    );
    // The journal saw every request above (bodies included, redacted).
    let (status, _, journal) = app.get("/_mock/requests?limit=1000", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = journal.to_string();
    assert!(
        text.contains("/api/v1/embedded/sources/check"),
        "the journal recorded the flow"
    );
    let found = leaks([("the journal", text.as_str())], &secrets);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The one answer that carries the client secret on purpose (the console's "Installation" card,
    // loopback or admin token only) is left out of the sweep; reading it shows the scan finds one.
    let (status, _, credentials) = app.get("/_mock/console/credentials", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = credentials.to_string();
    assert_eq!(leaks([("credentials", text.as_str())], &secrets).len(), 1);
}

#[tokio::test]
async fn the_secrets_are_stored_so_the_absence_means_redaction() {
    // The values the sweep looks for are really in the state (unredacted, server-side), so finding
    // none of them in the answers is redaction at work, not a flow that stored nothing.
    let app = spawn_app().await;
    let mut client = Client::new(&app.base);
    let (secrets, ids) = store_secrets_and_read_everything(&mut client).await;
    let mut with_secrets = 0;
    for id in &ids {
        let config = app
            .stored_config(id)
            .expect("the source is stored")
            .to_string();
        let kept: Vec<&String> = secrets
            .iter()
            .filter(|s| config.contains(s.as_str()))
            .collect();
        // Each source keeps the values of its last update ('u' from the widget, 'p' from the
        // operator), unmasked, server-side (a connector without secret fields keeps none).
        with_secrets += usize::from(!kept.is_empty());
        assert!(
            kept.iter()
                .all(|s| s.starts_with("leaku") || s.starts_with("leakp")),
            "source {id} keeps an older value: {kept:?}"
        );
    }
    // Six of the seven seeded connectors have secret fields, each source made twice.
    assert!(
        with_secrets >= 12,
        "{with_secrets} sources store a marked secret"
    );
}

/// The binary at the most verbose log level, in `format`: runs the flow and returns its stderr.
async fn log_output_of_the_flow(format: &str) -> (String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_airbyte-mock"))
        .args(["--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "trace")
        .env("LOG_FORMAT", format)
        .env("NO_COLOR", "1")
        .env_remove("AIRBYTE_MOCK_STATE_FILE")
        .env_remove("AIRBYTE_MOCK_CLIENT_SECRET")
        .env_remove("AIRBYTE_MOCK_SEED")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the airbyte-mock binary");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(str::to_owned);
    let Some(url) = url else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the mock did not start: {line:?}\n{}",
            reader.join().unwrap_or_default()
        );
    };
    let mut client = Client::new(&url);
    let (secrets, _) = store_secrets_and_read_everything(&mut client).await;
    // A few refused requests too: error paths log differently.
    for body in [
        json!({"client_id": CLIENT_ID, "client_secret": format!("{CLIENT_SECRET}-wrong")}),
        json!({"client_id": "someone", "client_secret": CLIENT_SECRET}),
        json!({"client_id": CLIENT_ID, "client_secret": 42}),
    ] {
        client
            .send(
                Method::POST,
                "/api/v1/account/applications/token",
                None,
                Some(&body),
            )
            .await;
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(stdout);
    (reader.join().unwrap_or_default(), secrets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_the_log_output_at_trace_level() {
    for format in ["text", "json"] {
        let (log, secrets) = log_output_of_the_flow(format).await;
        // The log is not empty: the request log wrote a line per request.
        assert!(
            log.contains("/api/v1/embedded/sources"),
            "{format}: the request log is missing:\n{}",
            log.chars().take(2000).collect::<String>()
        );
        let found = leaks([(format, log.as_str())], &secrets);
        assert!(
            found.is_empty(),
            "secrets in the {format} log:\n{}",
            found.join("\n")
        );
    }
}
