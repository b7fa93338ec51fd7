//! Starting the launcher binary, reading its output, signalling it.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};

/// Generous: the launcher answers in well under a second; this only stops a broken one hanging CI.
const PATIENCE: Duration = Duration::from_secs(60);

pub(crate) struct Launcher {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: ChildStderr,
    /// Every stdout line read so far.
    pub(crate) printed: Vec<String>,
}

/// `workbench` with `args`, both servers on free ports unless `args` say otherwise, its output piped.
pub(crate) fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_workbench"));
    command
        .args(["--mock-addr", "127.0.0.1:0", "--demo-addr", "127.0.0.1:0"])
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .env(
            "DEMO_WEB_DIST",
            std::env::temp_dir().join("workbench-tests-no-dist"),
        )
        .env_remove("LOG_FORMAT")
        .env_remove("ALLOWED_ORIGIN")
        .env_remove("AIRBYTE_API_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Starts [`command`].
pub(crate) fn start(args: &[&str]) -> Launcher {
    let mut child = command(args).spawn().expect("start workbench");
    let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let stderr = child.stderr.take().expect("stderr");
    Launcher {
        child,
        stdout,
        stderr,
        printed: Vec::new(),
    }
}

impl Launcher {
    /// Reads stdout until a line with a URL; `None` if stdout closes first.
    pub(crate) async fn url(&mut self) -> Option<String> {
        let read = async {
            while let Some(line) = self.stdout.next_line().await.expect("read stdout") {
                self.printed.push(line.clone());
                if let Some(start) = line.find("http://") {
                    let url = line[start..].split_whitespace().next().unwrap_or_default();
                    return Some(url.to_owned());
                }
            }
            None
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("workbench printed neither a URL nor exited")
    }

    /// Sends `signal` (`INT`, `TERM`) with the `kill` command.
    pub(crate) fn signal(&self, signal: &str) {
        send(self.child.id().expect("still running"), signal);
    }

    /// Waits for the exit; the status, the rest of stdout (appended to `printed`) and all of stderr.
    pub(crate) async fn finish(mut self) -> (ExitStatus, Vec<String>, String) {
        let run = async {
            while let Some(line) = self.stdout.next_line().await.expect("read stdout") {
                self.printed.push(line);
            }
            let mut stderr = String::new();
            self.stderr
                .read_to_string(&mut stderr)
                .await
                .expect("read stderr");
            let status = self.child.wait().await.expect("wait");
            (status, self.printed, stderr)
        };
        tokio::time::timeout(PATIENCE, run)
            .await
            .expect("workbench did not exit")
    }
}

/// The mock's root URL, as the demo server reports it (`/api/config`).
pub(crate) async fn mock_root(http: &reqwest::Client, demo: &str) -> String {
    let config: serde_json::Value = http
        .get(format!("{demo}/api/config"))
        .send()
        .await
        .expect("GET /api/config")
        .json()
        .await
        .expect("JSON");
    let api = config["airbyteApiUrl"].as_str().expect("airbyteApiUrl");
    api.trim_end_matches("/api/v1").to_owned()
}

/// `kill -<signal> <pid>`.
pub(crate) fn send(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid}: {status}");
}

/// Whether a process with this id still exists (`kill -0`).
pub(crate) fn alive(pid: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run kill")
        .success()
}
