//! A taken port: exit non-zero, the port named, nothing printed as ready.

use crate::helpers::start;

async fn fails_on_taken(flag: &str) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut launcher = start(&[flag, &addr]);
    assert_eq!(launcher.url().await, None, "no URL when a port is taken");
    let (status, printed, stderr) = launcher.finish().await;
    assert!(!status.success(), "{status}");
    assert!(printed.is_empty(), "nothing on stdout: {printed:?}");
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
    assert!(stderr.contains(flag), "says which flag moves it: {stderr}");
}

#[tokio::test]
async fn a_taken_mock_port_is_named() {
    fails_on_taken("--mock-addr").await;
}

#[tokio::test]
async fn a_taken_demo_port_is_named() {
    fails_on_taken("--demo-addr").await;
}
