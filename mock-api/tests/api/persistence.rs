//! `--state-file`: the state survives a restart (in process, and after `kill -9` in the middle of a
//! burst of writes, every acknowledged one), the id generator goes on where it stopped, a truncated
//! last record is reported and dropped, a corrupt one stops the start naming the file and the line,
//! a write the file cannot take turns into a 500, and SIGTERM lets a request in flight finish.
//!
//! The tests that crash or signal a process run the real binary (`CARGO_BIN_EXE_airbyte-mock`).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airbyte_mock::testkit::{TempDir, assert_error_shape};
use airbyte_mock::{Config, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::sample_config;

const TAGS: &str = "/api/v1/integrations/templates/tags";

fn with_file(path: &Path) -> Config {
    Config {
        state_file: Some(path.to_owned()),
        ..Config::default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("build the client")
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the mock answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn app_token(client: &reqwest::Client, base: &str) -> String {
    let (status, body) = send(
        client
            .post(format!("{base}/api/v1/account/applications/token"))
            .json(&json!({"client_id": "mock-client-id", "client_secret": "mock-client-secret"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn create_tag(client: &reqwest::Client, base: &str, token: &str, name: &str) -> Value {
    let (status, body) = send(
        client
            .post(format!("{base}{TAGS}"))
            .bearer_auth(token)
            .json(&json!({"name": name})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "create tag {name}: {body}");
    body
}

async fn tag_names(client: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let (status, body) = send(client.get(format!("{base}{TAGS}")).bearer_auth(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn health(client: &reqwest::Client, base: &str) -> Value {
    let (status, body) = send(client.get(format!("{base}/_mock/health"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The `airbyte-mock` binary on a free loopback port with `--state-file`, stdout and stderr piped.
fn spawn(state_file: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_airbyte-mock"))
        .args(["--addr", "127.0.0.1:0", "--state-file"])
        .arg(state_file)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env("LOG_FORMAT", "text")
        .env_remove("AIRBYTE_MOCK_STATE_FILE")
        .env_remove("AIRBYTE_MOCK_SEED")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the airbyte-mock binary")
}

/// Everything `child` writes on stderr, collected by a thread until the pipe closes.
fn collect_stderr(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    })
}

/// A running binary and the URL it printed.
struct Process {
    child: Child,
    url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
    // Kept open: the process may print again, and a closed pipe would make that fail.
    _stdout: BufReader<ChildStdout>,
}

impl Process {
    /// Starts the binary and waits for its `listening on http://…` line.
    fn start(state_file: &Path) -> Self {
        let mut child = spawn(state_file);
        let stderr = collect_stderr(&mut child);
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned)
        else {
            let status = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!("the mock did not start ({status:?}): stdout {line:?}, stderr:\n{stderr}");
        };
        Self {
            child,
            url,
            stderr: Some(stderr),
            _stdout: stdout,
        }
    }

    /// Sends `signal` (`KILL`, `TERM`) with kill(1).
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed: {status}");
    }

    /// Waits for the process to end: its exit status and everything it wrote on stderr.
    fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("wait for the mock");
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        (status, stderr)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // A test that failed half-way must not leave a mock running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary on `state_file`, expecting it to refuse to start: its exit status and stderr.
fn refused_start(state_file: &Path) -> (ExitStatus, String) {
    let mut child = spawn(state_file);
    let stderr = collect_stderr(&mut child);
    let mut stdout = String::new();
    // A refused start ends the process, which closes stdout; a start prints the URL and runs on.
    let mut first = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut first);
    stdout.push_str(&first);
    if !stdout.is_empty() {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the mock started from a bad state file: {stdout}\n{}",
            stderr.join().unwrap_or_default()
        );
    }
    let status = child.wait().expect("wait for the mock");
    (status, stderr.join().unwrap_or_default())
}

/// A state file holding one record, the seeded state plus the tag `tag`, written by an in-process
/// mock (the next start would compact it to that record; done here so tests know its lines).
async fn file_with_a_tag(dir: &TempDir, tag: &str) -> PathBuf {
    let path = dir.file();
    let mock = TestServer::with(with_file(&path)).await;
    let token = mock.application_token().await;
    create_tag(mock.client(), mock.url(), &token, tag).await;
    drop(mock);
    let log = std::fs::read(&path).unwrap();
    let last = log[..log.len() - 1]
        .rsplit(|b| *b == b'\n')
        .next()
        .unwrap()
        .to_vec();
    std::fs::write(&path, [last.as_slice(), b"\n"].concat()).unwrap();
    path
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let dir = TempDir::new("restart");
    let path = dir.file();
    let first = TestServer::with(with_file(&path)).await;
    let client = first.client().clone();
    let token = first.application_token().await;
    let kept = create_tag(&client, first.url(), &token, "kept-across-restarts").await;
    // A source with a secret: the file keeps the secret itself, responses still mask it.
    let (status, scoped) = send(
        client
            .post(format!(
                "{}/account/applications/scoped-token",
                first.api_url()
            ))
            .bearer_auth(&token)
            .json(&json!({"workspace_name": "restart-co"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scoped}");
    let stripe = first.state().store.source_template_id("Stripe").unwrap();
    let (status, source) = send(
        client
            .post(format!("{}/embedded/sources", first.api_url()))
            .bearer_auth(scoped["token"].as_str().unwrap())
            .json(&json!({"source_template_id": stripe, "source_config": sample_config("Stripe")})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{source}");
    let source_id: uuid::Uuid = source["id"].as_str().unwrap().parse().unwrap();
    let before = health(&client, first.url()).await;
    let organization = first.organization_id();
    drop(first);

    let second = TestServer::with(with_file(&path)).await;
    let after = health(&client, second.url()).await;
    assert_eq!(after["revision"], before["revision"]);
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(second.organization_id(), organization);
    // The same credentials and seed sign the same way: the old token still works.
    let names = tag_names(&client, second.url(), &token).await;
    assert!(
        names.contains(&"kept-across-restarts".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        second.state().store.stored_config(source_id).unwrap()["client_secret"],
        "sk_test_sampleSecret42"
    );
    assert!(second.state().store.workspace_id("restart-co").is_some());

    // Ids go on from where the generator stopped: a new tag never takes a stored id.
    let new = create_tag(&client, second.url(), &token, "after-the-restart").await;
    assert_ne!(new["id"], kept["id"]);
    assert_ne!(new["id"], json!(organization));
    let stored: Vec<Value> = {
        let (_, tags) = send(
            client
                .get(format!("{}{TAGS}", second.url()))
                .bearer_auth(&token),
        )
        .await;
        tags["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect()
    };
    assert_eq!(
        stored.iter().filter(|id| **id == new["id"]).count(),
        1,
        "{stored:?}"
    );
}

#[tokio::test]
async fn a_restart_draws_the_same_ids_as_no_restart() {
    // The same seed and the same requests give the same ids, whether or not the mock restarted in
    // between: the file keeps the generator's position, not just the state.
    let memory = TestServer::start().await;
    let token = memory.application_token().await;
    let a = create_tag(memory.client(), memory.url(), &token, "one").await;
    let b = create_tag(memory.client(), memory.url(), &token, "two").await;
    drop(memory);

    let dir = TempDir::new("same-ids");
    let first = TestServer::with(with_file(&dir.file())).await;
    let token = first.application_token().await;
    let one = create_tag(first.client(), first.url(), &token, "one").await;
    drop(first);
    let second = TestServer::with(with_file(&dir.file())).await;
    let two = create_tag(second.client(), second.url(), &token, "two").await;
    assert_eq!(one["id"], a["id"]);
    assert_eq!(two["id"], b["id"]);
    assert_ne!(one["id"], two["id"]);
}

#[tokio::test]
async fn a_reset_is_persisted_too() {
    let dir = TempDir::new("reset");
    let path = file_with_a_tag(&dir, "gone-after-reset").await;
    let first = TestServer::with(with_file(&path)).await;
    let (status, body) = send(first.client().post(format!("{}/_mock/reset", first.url()))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    drop(first);
    let second = TestServer::with(with_file(&path)).await;
    let token = second.application_token().await;
    let names = tag_names(second.client(), second.url(), &token).await;
    assert!(!names.contains(&"gone-after-reset".to_owned()), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_in_a_burst_of_writes_restarts_with_every_acknowledged_write() {
    let dir = TempDir::new("sigkill");
    let mock = Process::start(&dir.file());
    let client = client();
    let token = app_token(&client, &mock.url).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (client, url, token, acknowledged) = (
            client.clone(),
            mock.url.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("burst-{writer}-{i}");
                let sent = client
                    .post(format!("{url}{TAGS}"))
                    .bearer_auth(&token)
                    .json(&json!({"name": name}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::OK => {
                        // Only a whole answer counts as acknowledged.
                        if r.bytes().await.is_ok() {
                            acknowledged.lock().unwrap().push(name);
                        }
                    }
                    Ok(r) => panic!("{name}: {}", r.status()),
                    // The process is gone.
                    Err(_) => break,
                }
            }
        }));
    }
    // Kill it while the writers are busy, once a fair number of writes were acknowledged.
    while acknowledged.lock().unwrap().len() < 40 {
        assert!(
            !writers.iter().all(tokio::task::JoinHandle::is_finished),
            "the writers stopped before the kill"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    mock.signal("KILL");
    for writer in writers {
        writer.await.unwrap();
    }
    let (status, _) = mock.wait();
    assert!(!status.success(), "{status}");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);

    let restarted = Process::start(&dir.file());
    let token = app_token(&client, &restarted.url).await;
    let names = tag_names(&client, &restarted.url, &token).await;
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !names.contains(n)).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but lost after kill -9: {lost:?}"
    );
}

#[tokio::test]
async fn a_truncated_last_record_is_reported_and_dropped() {
    let dir = TempDir::new("truncated");
    let path = file_with_a_tag(&dir, "before-the-crash").await;
    // What a crash in the middle of an append leaves: half a record, no newline.
    let bytes = std::fs::read(&path).unwrap();
    let good = bytes.len();
    let mut cut = bytes.clone();
    cut.extend_from_slice(&bytes[..bytes.len() / 2]);
    std::fs::write(&path, &cut).unwrap();

    let mock = Process::start(&path);
    let client = client();
    let token = app_token(&client, &mock.url).await;
    let names = tag_names(&client, &mock.url, &token).await;
    assert!(names.contains(&"before-the-crash".to_owned()), "{names:?}");
    mock.signal("TERM");
    let (status, stderr) = mock.wait();
    assert!(status.success(), "{status}\n{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.contains("WARN") && l.contains("dropped"))
        .unwrap_or_else(|| panic!("no warning about the dropped record:\n{stderr}"));
    assert!(warning.contains(&path.display().to_string()), "{warning}");
    assert!(warning.contains("line 2"), "{warning}");
    assert!(warning.contains(&format!("byte {good}")), "{warning}");
    assert!(
        warning.contains(&format!("{} bytes", good / 2)),
        "{warning}"
    );
    // The start compacted the file: the half record is gone.
    assert_eq!(
        std::fs::read(&path)
            .unwrap()
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        1
    );
}

#[tokio::test]
async fn a_corrupt_file_stops_the_start_naming_the_file_and_the_line() {
    let dir = TempDir::new("corrupt");
    let path = file_with_a_tag(&dir, "x").await;
    let good = std::fs::read(&path).unwrap();
    // A bad line between two good ones: not a crash's doing, so nothing may be guessed.
    let mut corrupt = good.clone();
    corrupt.extend_from_slice(b"{\"revision\": 9, \"state\": oops}\n");
    corrupt.extend_from_slice(&good);
    std::fs::write(&path, &corrupt).unwrap();

    let (status, stderr) = refused_start(&path);
    assert!(!status.success(), "{status}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(
        stderr.contains(&format!("byte {}", good.len() + 25)),
        "{stderr}"
    );
    assert!(stderr.contains("expected value"), "{stderr}");
    // Nothing was rewritten.
    assert_eq!(std::fs::read(&path).unwrap(), corrupt);
}

#[tokio::test]
async fn an_unreadable_state_file_stops_the_start() {
    let dir = TempDir::new("unreadable");
    let path = dir.file();
    std::fs::create_dir(&path).unwrap();
    let (status, stderr) = refused_start(&path);
    assert!(!status.success(), "{status}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
}

#[tokio::test]
async fn a_write_the_file_cannot_take_makes_every_request_a_500() {
    let dir = TempDir::new("failing");
    let path = dir.file();
    let mock = TestServer::with(with_file(&path)).await;
    let token = mock.application_token().await;
    // With its directory gone, appends still land in the unlinked file, but the first compaction
    // cannot create its temporary file: that write fails.
    std::fs::remove_dir_all(dir.path()).unwrap();
    let mut failed = None;
    for i in 0..5000 {
        let (status, body) = send(
            mock.client()
                .post(format!("{}{TAGS}", mock.url()))
                .bearer_auth(&token)
                .json(&json!({"name": format!("t{i}")})),
        )
        .await;
        if status != StatusCode::OK {
            failed = Some((status, body));
            break;
        }
    }
    let (status, body) = failed.expect("a write failed once the log needed compacting");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_error_shape(&body);
    assert_eq!(body["errors"][0]["error_code"], "state_file_failed");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&path.display().to_string()),
        "{body}"
    );
    // Reads too: the state in memory is ahead of the file.
    let (status, _) = send(mock.client().get(format!("{}/_mock/health", mock.url()))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let dir = TempDir::new("sigterm");
    let mock = Process::start(&dir.file());
    let client = client();
    let token = app_token(&client, &mock.url).await;
    let (status, scoped) = send(
        client
            .post(format!(
                "{}/api/v1/account/applications/scoped-token",
                mock.url
            ))
            .bearer_auth(&token)
            .json(&json!({"workspace_name": "sigterm-co"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scoped}");
    let scoped = scoped["token"].as_str().unwrap().to_owned();
    let (status, templates) = send(
        client
            .get(format!(
                "{}/api/v1/integrations/templates/sources",
                mock.url
            ))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{templates}");
    let stripe = templates["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Stripe")
        .map(|t| t["id"].clone())
        .unwrap();
    // The `slow` outcome input: the save waits three seconds before it is stored.
    let mut config = sample_config("Stripe");
    config["client_secret"] = json!("slow");
    let in_flight = tokio::spawn({
        let request = client
            .post(format!("{}/api/v1/embedded/sources", mock.url))
            .bearer_auth(&scoped)
            .json(&json!({"source_template_id": stripe, "source_config": config}));
        async move { send(request).await }
    });
    // Let the request reach the server (it then sleeps three seconds), then ask it to stop.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!in_flight.is_finished(), "the slow create answered early");
    mock.signal("TERM");
    let (status, created) = in_flight.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{created}");
    let (exit, stderr) = tokio::task::spawn_blocking(move || mock.wait())
        .await
        .unwrap();
    assert_eq!(exit.code(), Some(0), "{stderr}");

    // And what it answered was kept.
    let restarted = Process::start(&dir.file());
    let (status, sources) = send(
        client
            .get(format!("{}/api/v1/embedded/sources", restarted.url))
            .bearer_auth(&scoped),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sources}");
    assert_eq!(
        sources["data"].as_array().map(Vec::len),
        Some(1),
        "{sources}"
    );
}

/// `--fixture` with `--state-file`: the fixtures go into the first, fresh state only; a restart
/// restores that state and does not merge them a second time.
#[tokio::test]
async fn fixtures_are_merged_once_not_again_on_every_restart() {
    let dir = TempDir::new("fixtures");
    let path = dir.file();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.json");
    let config = || Config {
        fixtures: vec![fixture.clone()],
        ..with_file(&path)
    };
    let first = TestServer::with(config()).await;
    let seeded = TestServer::start().await.state().store.counts();
    let with_fixtures = first.state().store.counts();
    assert!(
        with_fixtures.sources > seeded.sources,
        "the example fixture adds sources: {with_fixtures:?}"
    );
    drop(first);
    let second = TestServer::with(config()).await;
    assert_eq!(second.state().store.counts(), with_fixtures);
}
