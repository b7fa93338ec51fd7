//! Binding a listener (a taken port is an error that says so) and serving a router on it until a
//! shutdown future completes.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

/// A bound TCP listener that knows its address (the real port when bound to port 0).
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    local_addr: SocketAddr,
}

impl Listener {
    /// Binds `addr`; the error names the address and says when the port is taken.
    pub async fn bind(addr: SocketAddr) -> Result<Self, BindError> {
        let error = |source| BindError { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(error)?;
        let local_addr = listener.local_addr().map_err(error)?;
        Ok(Self {
            listener,
            local_addr,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// An address a client on this machine can connect to: the bound one, or loopback with the bound
    /// port when bound to every interface (`0.0.0.0` or `::`).
    pub fn reachable_addr(&self) -> SocketAddr {
        reachable(self.local_addr)
    }

    /// Serves `router` until `shutdown` completes, then lets requests in flight finish. Handlers
    /// can read the peer's address with `axum::extract::ConnectInfo<SocketAddr>`.
    pub async fn serve(
        self,
        router: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// `addr`, or loopback with its port when `addr` is every interface (`0.0.0.0` or `::`): where a
/// client on this machine connects to a server bound to `addr`.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    }
}

/// A failure to listen on an address; its message names the address, and the port when it is taken.
#[derive(Debug)]
pub struct BindError {
    addr: SocketAddr,
    source: std::io::Error,
}

impl BindError {
    /// The address that could not be bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether another process already listens on the port.
    pub fn is_addr_in_use(&self) -> bool {
        self.source.kind() == std::io::ErrorKind::AddrInUse
    }
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_addr_in_use() {
            write!(
                f,
                "cannot listen on {}: port {} is already in use",
                self.addr,
                self.addr.port()
            )
        } else {
            write!(f, "cannot listen on {}: {}", self.addr, self.source)
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM; never if neither can be listened for.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
