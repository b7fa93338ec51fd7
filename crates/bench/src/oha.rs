//! Runs `oha` (the load generator, a separate process so the measured server is the only thing in
//! its own process) and reads its JSON summary.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// One HTTP request shape to repeat.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    pub(crate) method: &'static str,
    pub(crate) url: String,
    pub(crate) headers: Vec<String>,
    pub(crate) body: Option<String>,
}

/// What one oha run measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    /// Successful (2xx) responses per second.
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) ok: u64,
    /// Responses other than 2xx, and transport errors (requests cut by the deadline excluded).
    pub(crate) errors: u64,
    pub(crate) error_kinds: String,
}

/// How long and how hard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) connections: u32,
    pub(crate) seconds: u32,
    /// A fixed total rate (`-q`), or as fast as possible.
    pub(crate) rate: Option<u32>,
}

/// Starts oha for `load` shaped by `shape`; [`finish`] reads the result.
pub(crate) fn start(oha: &Path, load: &Load, shape: Shape) -> std::io::Result<Child> {
    let mut command = Command::new(oha);
    command
        .arg("--no-tui")
        .arg("--output-format")
        .arg("json")
        .args(["-z", &format!("{}s", shape.seconds)])
        .args(["-c", &shape.connections.to_string()])
        .args(["-m", load.method]);
    if let Some(rate) = shape.rate {
        command.args(["-q", &rate.to_string()]);
    }
    for header in &load.headers {
        command.args(["-H", header]);
    }
    if let Some(body) = &load.body {
        command.args(["-T", "application/json", "-d", body]);
    }
    command
        .arg(&load.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// Waits for `child` and parses its JSON output.
pub(crate) fn finish(child: Child) -> Result<Figures, String> {
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "oha failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("oha's output is not JSON ({e})"))?;
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    let summary = &json["summary"];
    let percentiles = &json["latencyPercentiles"];
    let mut ok = 0;
    let mut errors = 0;
    let mut kinds = Vec::new();
    if let Some(codes) = json["statusCodeDistribution"].as_object() {
        for (code, n) in codes {
            let n = n.as_u64().unwrap_or(0);
            if code.starts_with('2') {
                ok += n;
            } else {
                errors += n;
                kinds.push(format!("{code}×{n}"));
            }
        }
    }
    if let Some(errs) = json["errorDistribution"].as_object() {
        for (kind, n) in errs {
            // With -z, requests still in flight when the time is up are cut: not an error.
            if kind.contains("deadline") {
                continue;
            }
            let n = n.as_u64().unwrap_or(0);
            errors += n;
            kinds.push(format!("{kind}×{n}"));
        }
    }
    // oha's requestsPerSec counts failed requests too (a refused connection is fast): count 2xx only.
    let seconds = num(&summary["total"]);
    let rps = if seconds > 0.0 {
        ok as f64 / seconds
    } else {
        0.0
    };
    Ok(Figures {
        rps,
        p50_ms: num(&percentiles["p50"]) * 1000.0,
        p99_ms: num(&percentiles["p99"]) * 1000.0,
        ok,
        errors,
        error_kinds: kinds.join(", "),
    })
}

/// Runs `load` once to completion.
pub(crate) fn run(oha: &Path, load: &Load, shape: Shape) -> Result<Figures, String> {
    finish(start(oha, load, shape).map_err(|e| format!("cannot run {}: {e}", oha.display()))?)
}
