//! `--dev`: the URL is trunk's and appears only once trunk answers; Ctrl-C stops trunk too. A stand-in
//! `trunk` (a script that only sleeps) lets the test decide when "trunk" answers, on a port it owns.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::helpers::{alive, command, send};

/// Says it started and its pid (which `exec` keeps), then sleeps: the test answers in its place.
const FAKE_TRUNK: &str = "#!/bin/sh\necho \"fake trunk $$ started with $*\"\nexec sleep 600\n";

#[tokio::test]
async fn dev_prints_trunks_url_only_once_trunk_answers_and_stops_trunk() {
    let dir = std::env::temp_dir().join(format!("workbench-dev-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trunk = dir.join("trunk");
    std::fs::write(&trunk, FAKE_TRUNK).unwrap();
    std::fs::set_permissions(&trunk, std::fs::Permissions::from_mode(0o755)).unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);

    let port_arg = port.to_string();
    let trunk_arg = trunk.to_string_lossy().into_owned();
    let web_dir = dir.to_string_lossy().into_owned();
    let mut child = command(&[
        "--dev",
        "--dev-port",
        &port_arg,
        "--trunk",
        &trunk_arg,
        "--web-dir",
        &web_dir,
    ])
    .spawn()
    .unwrap();
    let launcher = child.id().unwrap();

    // stdout: every URL line, and whether "trunk" had answered when it was read.
    let answered = Arc::new(AtomicBool::new(false));
    let seen = answered.clone();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let (url_tx, mut url_rx) = tokio::sync::mpsc::unbounded_channel();
    let stdout_reader = tokio::spawn(async move {
        let mut printed = Vec::new();
        while let Some(line) = stdout.next_line().await.unwrap() {
            if line.contains("http://") {
                let _ = url_tx.send((line.clone(), seen.load(Ordering::SeqCst)));
            }
            printed.push(line);
        }
        printed
    });

    // stderr: wait for the stand-in to start (the servers answered by then), keep the rest.
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut logged = Vec::new();
    let trunk_pid = loop {
        let line = stderr
            .next_line()
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no fake trunk in:\n{}", logged.join("\n")));
        logged.push(line.clone());
        if let Some(rest) = line.strip_prefix("fake trunk ") {
            assert!(
                rest.contains(&format!("serve --address 127.0.0.1 --port {port}")),
                "{line}"
            );
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let stderr_reader = tokio::spawn(async move {
        while let Some(line) = stderr.next_line().await.unwrap() {
            logged.push(line);
        }
        logged
    });

    // Take "trunk"'s port: the first poll gets no answer; from then on, 200.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let (unanswered, _) = listener.accept().await.unwrap();
    drop(unanswered);
    answered.store(true, Ordering::SeqCst);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });

    let (line, after_answer) = url_rx.recv().await.expect("a URL on stdout");
    assert!(after_answer, "printed before trunk answered: {line}");
    assert!(
        line.contains(&format!("http://localhost:{port} ")),
        "{line}"
    );

    send(launcher, "INT");
    let status = child.wait().await.unwrap();
    let printed = stdout_reader.await.unwrap();
    let logged = stderr_reader.await.unwrap().join("\n");
    assert!(status.success(), "{status}\n{logged}");
    assert_eq!(
        printed.iter().filter(|l| l.contains("http://")).count(),
        1,
        "{printed:?}"
    );
    assert!(!alive(&trunk_pid), "trunk {trunk_pid} still runs");
    let _ = std::fs::remove_dir_all(&dir);
}
