//! Binding and serving.

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use workbench_http::Listener;

#[tokio::test]
async fn a_taken_port_is_an_error_that_names_the_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let error = Listener::bind(addr).await.expect_err("the port is taken");
    assert!(error.is_addr_in_use(), "{error}");
    assert_eq!(error.addr(), addr);
    let message = error.to_string();
    assert!(
        message.contains(&format!("port {} is already in use", addr.port())),
        "{message}"
    );
}

#[tokio::test]
async fn serves_until_shutdown_then_returns() {
    let listener = Listener::bind("0.0.0.0:0".parse().unwrap()).await.unwrap();
    let reachable = listener.reachable_addr();
    assert!(reachable.ip().is_loopback(), "{reachable}");
    assert_eq!(reachable.port(), listener.local_addr().port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listener.serve(
        Router::new().route("/ping", get(|| async { "pong" })),
        async {
            let _ = stopped.await;
        },
    ));

    let mut stream = tokio::net::TcpStream::connect(reachable).await.unwrap();
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("pong"), "{response}");

    stop.send(()).unwrap();
    server.await.unwrap().expect("a clean shutdown");
}
