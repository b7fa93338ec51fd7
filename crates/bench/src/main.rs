//! `just bench`: measures the release build of the mock with oha (throughput and latency of four
//! workloads at 1, 16 and 64 connections), against Prism serving Airbyte's published document and
//! against a minimal axum "floor" in the same run; start-up time, resident memory (idle, after load,
//! with 10,000 workspaces and 100,000 sources), a 60 s soak, the SPA's shipped sizes and the browser's
//! click-to-`source_created`. Prints a summary and writes the figures into BENCHMARKS.md.
//!
//!   bench run [--seconds 5] [--soak 60] [--soak-rate 2000] [--skip-prism] [--skip-click] [--skip-soak]
//!   bench floor 127.0.0.1:0

mod floor;
mod oha;
mod probe;
mod report;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oha::{Figures, Load, Shape};
use probe::{free_port, http, json_str, rss_kib, wait_ready};

/// Connection counts every workload runs at.
const CONNECTIONS: [u32; 3] = [1, 16, 64];
/// The demo credentials the mock starts with.
const CREDENTIALS: &str =
    r#"{"client_id": "mock-client-id", "client_secret": "mock-client-secret"}"#;
const WIDGET_BODY: &str =
    r#"{"workspace_name": "bench_user", "allowed_origin": "http://localhost:3000"}"#;
const TOKEN_PATH: &str = "/api/v1/account/applications/token";
const WIDGET_PATH: &str = "/api/v1/account/applications/widget-token";
const TEMPLATES_PATH: &str = "/api/v1/integrations/templates/sources";
const SOURCES_PATH: &str = "/api/v1/embedded/sources";

/// Where things are and what to run; paths relative to the repository root.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    mock: PathBuf,
    demo: PathBuf,
    oha: PathBuf,
    prism: PathBuf,
    document: PathBuf,
    dist: PathBuf,
    click_script: PathBuf,
    out: PathBuf,
    seconds: u32,
    soak_seconds: u32,
    soak_rate: u32,
    skip_prism: bool,
    skip_click: bool,
    skip_soak: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mock: "target/release/airbyte-mock".into(),
            demo: "target/release/demo-server".into(),
            oha: ".tools/bin/oha".into(),
            prism: ".tools/node/node_modules/.bin/prism".into(),
            document: "crates/airbyte-openapi/airbyte-agent-api.openapi.json".into(),
            dist: "web/dist".into(),
            click_script: "e2e/bench-click.mjs".into(),
            out: "BENCHMARKS.md".into(),
            seconds: 5,
            soak_seconds: 60,
            soak_rate: 2000,
            skip_prism: false,
            skip_click: false,
            skip_soak: false,
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| v.parse::<u32>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--mock" => o.mock = value()?.into(),
            "--demo" => o.demo = value()?.into(),
            "--oha" => o.oha = value()?.into(),
            "--prism" => o.prism = value()?.into(),
            "--dist" => o.dist = value()?.into(),
            "--out" => o.out = value()?.into(),
            "--seconds" => o.seconds = number(value()?)?,
            "--soak" => o.soak_seconds = number(value()?)?,
            "--soak-rate" => o.soak_rate = number(value()?)?,
            "--skip-prism" => o.skip_prism = true,
            "--skip-click" => o.skip_click = true,
            "--skip-soak" => o.skip_soak = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(o)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("floor") => floor::serve(args.get(1).map_or("127.0.0.1:0", String::as_str))
            .map_err(|e| e.to_string()),
        Some("run") => parse(&args[1..]).and_then(|o| run(&o)),
        _ => Err("usage: bench run [flags] | bench floor ADDR".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

/// A server process that is killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_mock(o: &Options, quiet_log: bool) -> Result<(Server, Duration), String> {
    let port = free_port().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut command = Command::new(&o.mock);
    command
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The log goes where a CI job's would: written per request, read by nobody here.
        .stderr(Stdio::null());
    if quiet_log {
        command.env("RUST_LOG", "warn");
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", o.mock.display()))?;
    let server = Server { child, port };
    let ready = wait_ready(port, "/_mock/health", &[], started, Duration::from_secs(30))
        .ok_or("the mock did not answer /_mock/health within 30 s")?;
    Ok((server, ready))
}

fn spawn_floor() -> Result<Server, String> {
    let port = free_port().map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(me)
        .args(["floor", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let server = Server { child, port };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err("the floor server did not start".into())
}

fn spawn_prism(o: &Options) -> Result<(Server, Duration), String> {
    let port = free_port().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let child = Command::new(&o.prism)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&o.document)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", o.prism.display()))?;
    let server = Server { child, port };
    let auth = vec!["authorization: Bearer bench".to_owned()];
    let ready = wait_ready(
        port,
        TEMPLATES_PATH,
        &auth,
        started,
        Duration::from_secs(120),
    )
    .ok_or("Prism did not answer within 120 s")?;
    Ok((server, ready))
}

/// The four workloads against a server on `port`; `scoped` and `template` only for ours.
fn workloads(
    port: u16,
    app_token: &str,
    source: Option<(&str, &str)>,
) -> Vec<(&'static str, Load)> {
    let base = format!("http://127.0.0.1:{port}");
    let bearer = format!("authorization: Bearer {app_token}");
    let mut loads = vec![
        (
            "application token",
            Load {
                method: "POST",
                url: format!("{base}{TOKEN_PATH}"),
                headers: vec![],
                body: Some(CREDENTIALS.to_owned()),
            },
        ),
        (
            "widget token",
            Load {
                method: "POST",
                url: format!("{base}{WIDGET_PATH}"),
                headers: vec![bearer.clone()],
                body: Some(WIDGET_BODY.to_owned()),
            },
        ),
        (
            "template listing",
            Load {
                method: "GET",
                url: format!("{base}{TEMPLATES_PATH}"),
                headers: vec![bearer],
                body: None,
            },
        ),
    ];
    if let Some((scoped, template)) = source {
        loads.push((
            "source creation",
            Load {
                method: "POST",
                url: format!("{base}{SOURCES_PATH}"),
                headers: vec![format!("authorization: Bearer {scoped}")],
                body: Some(format!(
                    r#"{{"source_template_id": "{template}", "source_config": {{"account_id": "acct_bench", "client_secret": "sk_test_bench"}}}}"#
                )),
            },
        ));
    }
    loads
}

/// One workload at one connection count.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    workload: &'static str,
    connections: u32,
    figures: Result<Figures, String>,
}

fn measure(
    o: &Options,
    label: &str,
    loads: &[(&'static str, Load)],
    only: Option<&str>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (name, load) in loads {
        if only.is_some_and(|w| w != *name) {
            continue;
        }
        for connections in CONNECTIONS {
            let shape = Shape {
                connections,
                seconds: o.seconds,
                rate: None,
            };
            let figures = oha::run(&o.oha, load, shape);
            match &figures {
                Ok(f) => println!(
                    "  {label:<6} {name:<18} c={connections:<3} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  errors {}",
                    f.rps, f.p50_ms, f.p99_ms, f.errors
                ),
                Err(e) => println!("  {label:<6} {name:<18} c={connections:<3} failed: {e}"),
            }
            rows.push(Row {
                workload: name,
                connections,
                figures,
            });
        }
    }
    rows
}

fn app_token(port: u16) -> Result<String, String> {
    let (status, body) =
        http(port, "POST", TOKEN_PATH, &[], Some(CREDENTIALS)).map_err(|e| e.to_string())?;
    json_str(&body, "access_token").ok_or(format!("no application token ({status}): {body}"))
}

/// A scoped token for `bench_user` and the id of its Stripe template.
fn scoped_and_stripe(port: u16, app: &str) -> Result<(String, String), String> {
    let auth = vec![format!("authorization: Bearer {app}")];
    let (_, body) = http(
        port,
        "POST",
        "/api/v1/embedded/scoped-token",
        &auth,
        Some(r#"{"workspace_name": "bench_user"}"#),
    )
    .map_err(|e| e.to_string())?;
    let scoped = json_str(&body, "token").ok_or(format!("no scoped token: {body}"))?;
    let auth = vec![format!("authorization: Bearer {scoped}")];
    let (_, body) = http(
        port,
        "GET",
        "/api/v1/embedded/source-templates",
        &auth,
        None,
    )
    .map_err(|e| e.to_string())?;
    let list: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let stripe = list["data"]
        .as_array()
        .and_then(|d| d.iter().find(|t| t["name"] == "Stripe"))
        .and_then(|t| t["id"].as_str())
        .ok_or("no Stripe template")?;
    Ok((scoped, stripe.to_owned()))
}

/// Loads 10,000 workspaces and 100,000 Stripe sources through `POST /_mock/fixtures`, in chunks
/// under the mock's 1 MiB body limit. Returns the time it took.
fn load_large_state(port: u16) -> Result<Duration, String> {
    const WORKSPACES: usize = 10_000;
    const PER_WORKSPACE: usize = 10;
    const CHUNK: usize = 500; // workspaces per request: about 650 KB
    let started = Instant::now();
    for first in (0..WORKSPACES).step_by(CHUNK) {
        let names: Vec<String> = (first..first + CHUNK)
            .map(|i| format!("bench_ws_{i:05}"))
            .collect();
        let workspaces: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({ "name": n }))
            .collect();
        let mut sources = Vec::with_capacity(CHUNK * PER_WORKSPACE);
        for name in &names {
            for j in 0..PER_WORKSPACE {
                sources.push(serde_json::json!({
                    "workspace_name": name,
                    "template": "Stripe",
                    "name": format!("s{j}"),
                    "config": {"account_id": format!("acct_{j}"), "client_secret": "sk_test_bench"},
                }));
            }
        }
        let body = serde_json::json!({ "workspaces": workspaces, "sources": sources }).to_string();
        let (status, reply) =
            http(port, "POST", "/_mock/fixtures", &[], Some(&body)).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!(
                "POST /_mock/fixtures answered {status}: {}",
                reply.chars().take(300).collect::<String>()
            ));
        }
    }
    Ok(started.elapsed())
}

/// The soak: `rate` requests/s for `seconds`, half widget tokens and half template listings, with
/// the mock's RSS sampled every second.
#[derive(Debug, Clone, Default)]
pub(crate) struct Soak {
    rss_start_kib: u64,
    rss_end_kib: u64,
    rss_max_kib: u64,
    requests: u64,
    errors: u64,
    error_kinds: String,
}

fn soak(o: &Options) -> Result<Soak, String> {
    let (mock, _) = spawn_mock(o, false)?;
    let app = app_token(mock.port)?;
    let loads = workloads(mock.port, &app, None);
    let shape = Shape {
        connections: 8,
        seconds: o.soak_seconds,
        rate: Some(o.soak_rate / 2),
    };
    let children = [&loads[1].1, &loads[2].1]
        .into_iter()
        .map(|l| oha::start(&o.oha, l, shape))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(u64::from(o.soak_seconds)) {
        std::thread::sleep(Duration::from_secs(1));
        samples.extend(rss_kib(mock.pid()));
    }
    let mut result = Soak {
        // The first seconds fill the allocator's pools; growth counts from the fifth second.
        rss_start_kib: samples.get(4).or(samples.first()).copied().unwrap_or(0),
        rss_end_kib: samples.last().copied().unwrap_or(0),
        rss_max_kib: samples.iter().copied().max().unwrap_or(0),
        ..Soak::default()
    };
    let mut kinds = Vec::new();
    for child in children {
        let f = oha::finish(child)?;
        result.requests += f.ok + f.errors;
        result.errors += f.errors;
        if !f.error_kinds.is_empty() {
            kinds.push(f.error_kinds);
        }
    }
    result.error_kinds = kinds.join("; ");
    Ok(result)
}

/// Sizes of the SPA's wasm and js in `dist`: (file, raw, gzip -9).
fn spa_sizes(dist: &std::path::Path) -> Vec<(String, u64, u64)> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js")) {
            continue;
        }
        let raw = entry.metadata().map_or(0, |m| m.len());
        let gzip = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .map_or(0, |o| o.stdout.len() as u64);
        out.push((name, raw, gzip));
    }
    out.sort();
    out
}

/// Click-to-`source_created` samples in milliseconds, from the node script.
fn click(o: &Options) -> Result<Vec<f64>, String> {
    let output = Command::new("node")
        .arg(&o.click_script)
        .env("AIRBYTE_MOCK_BIN", &o.mock)
        .env("DEMO_SERVER_BIN", &o.demo)
        .env("DEMO_WEB_DIST", &o.dist)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let json: serde_json::Value =
        serde_json::from_str(last).map_err(|_| format!("the click script failed: {stdout}"))?;
    Ok(json["samples_ms"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default())
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Everything one run measured, for the report.
#[derive(Debug)]
pub(crate) struct Results {
    load_start: String,
    load_end: String,
    ready_ms: Vec<f64>,
    idle_rss_kib: u64,
    loaded_rss_kib: u64,
    large_rss_kib: Result<u64, String>,
    large_load_s: f64,
    ours: Vec<Row>,
    ours_quiet_log: Vec<Row>,
    floor: Vec<Row>,
    prism: Result<Vec<Row>, String>,
    prism_ready_ms: f64,
    soak: Option<Result<Soak, String>>,
    spa: Vec<(String, u64, u64)>,
    click_ms: Option<Result<Vec<f64>, String>>,
}

impl Default for Results {
    fn default() -> Self {
        Self {
            load_start: String::new(),
            load_end: String::new(),
            ready_ms: Vec::new(),
            idle_rss_kib: 0,
            loaded_rss_kib: 0,
            large_rss_kib: Err("not measured".into()),
            large_load_s: 0.0,
            ours: Vec::new(),
            ours_quiet_log: Vec::new(),
            floor: Vec::new(),
            prism: Err("skipped".into()),
            prism_ready_ms: 0.0,
            soak: None,
            spa: Vec::new(),
            click_ms: None,
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn run(o: &Options) -> Result<(), String> {
    for (what, path) in [("the mock", &o.mock), ("oha", &o.oha)] {
        if !path.exists() {
            return Err(format!("{what} not found at {}", path.display()));
        }
    }
    let mut r = Results {
        load_start: loadavg(),
        ..Results::default()
    };
    println!("bench: load average {} at the start", r.load_start);

    println!("bench: start-up (5 cold starts)");
    for _ in 0..5 {
        let (_mock, ready) = spawn_mock(o, false)?;
        r.ready_ms.push(ready.as_secs_f64() * 1000.0);
    }
    println!(
        "  ready in {:.1} ms (median of {:?})",
        median(r.ready_ms.clone()),
        r.ready_ms
    );

    println!("bench: the mock, {} s per run", o.seconds);
    {
        let (mock, _) = spawn_mock(o, false)?;
        std::thread::sleep(Duration::from_millis(500));
        r.idle_rss_kib = rss_kib(mock.pid()).unwrap_or(0);
        println!("  idle RSS {} KiB", r.idle_rss_kib);
        let app = app_token(mock.port)?;
        let (scoped, stripe) = scoped_and_stripe(mock.port, &app)?;
        let loads = workloads(mock.port, &app, Some((&scoped, &stripe)));
        r.ours = measure(o, "mock", &loads, None);
        r.loaded_rss_kib = rss_kib(mock.pid()).unwrap_or(0);
        println!("  RSS after the runs {} KiB", r.loaded_rss_kib);

        let (status, _) =
            http(mock.port, "POST", "/_mock/reset", &[], None).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("POST /_mock/reset answered {status}"));
        }
        println!("bench: 10,000 workspaces and 100,000 sources through POST /_mock/fixtures");
        r.large_rss_kib = load_large_state(mock.port).map(|took| {
            r.large_load_s = took.as_secs_f64();
            std::thread::sleep(Duration::from_millis(500));
            rss_kib(mock.pid()).unwrap_or(0)
        });
        match &r.large_rss_kib {
            Ok(kib) => println!("  loaded in {:.1} s, RSS {kib} KiB", r.large_load_s),
            Err(e) => println!("  failed: {e}"),
        }
    }
    {
        println!("bench: the mock with RUST_LOG=warn (no request log)");
        let (mock, _) = spawn_mock(o, true)?;
        let app = app_token(mock.port)?;
        let loads = workloads(mock.port, &app, None);
        r.ours_quiet_log = measure(o, "quiet", &loads, Some("widget token"));
    }
    {
        println!("bench: the floor (axum, parse + one HS256 JWT + Base64)");
        let floor = spawn_floor()?;
        let loads = workloads(floor.port, "unused", None);
        r.floor = measure(o, "floor", &loads, Some("widget token"));
    }
    if !o.skip_prism {
        println!("bench: Prism mocking {}", o.document.display());
        r.prism = spawn_prism(o).map(|(prism, ready)| {
            r.prism_ready_ms = ready.as_secs_f64() * 1000.0;
            println!("  Prism answered after {:.0} ms", r.prism_ready_ms);
            let loads = workloads(prism.port, "bench-token", None);
            measure(o, "prism", &loads, None)
        });
        if let Err(e) = &r.prism {
            println!("  Prism failed: {e}");
        }
    }
    if !o.skip_soak {
        println!(
            "bench: soak, {} s at {} requests/s (widget token + template listing)",
            o.soak_seconds, o.soak_rate
        );
        let s = soak(o);
        match &s {
            Ok(s) => println!(
                "  RSS {} -> {} KiB (max {}), {} requests, {} errors",
                s.rss_start_kib, s.rss_end_kib, s.rss_max_kib, s.requests, s.errors
            ),
            Err(e) => println!("  failed: {e}"),
        }
        r.soak = Some(s);
    }
    r.spa = spa_sizes(&o.dist);
    if !o.skip_click {
        println!("bench: click-to-source_created in headless Chromium (20 clicks)");
        let c = click(o);
        if let Ok(samples) = &c {
            println!("  median {:.0} ms", median(samples.clone()));
        }
        r.click_ms = Some(c);
    }
    r.load_end = loadavg();
    let text = report::render(o, &r);
    println!("\n{}", report::summary(&r));
    report::write(&o.out, &text).map_err(|e| format!("cannot write {}: {e}", o.out.display()))?;
    println!("bench: figures written to {}", o.out.display());
    Ok(())
}
