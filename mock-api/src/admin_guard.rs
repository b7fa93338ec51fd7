//! Who may use the control plane (`/_mock/*`).
//!
//! - `/_mock/health` is open to anyone: launchers and harnesses poll it before they know anything.
//! - With `--admin-token T` (`AIRBYTE_MOCK_ADMIN_TOKEN`), every other `/_mock/*` request must carry
//!   `Authorization: Bearer T` or `X-Mock-Admin-Token: T` (compared in constant time), from any peer;
//!   otherwise 401 in Airbyte's error shape.
//! - Without a token, only loopback peers are answered (403 otherwise). The peer address comes from
//!   `ConnectInfo<SocketAddr>`, which `workbench_http::Listener::serve` provides; a request without
//!   it (a router served some other way) is refused, except in this crate's unit tests.
//! - The control plane never sends CORS allow headers: a web page on another origin cannot read it.
//!
//! The guard is one middleware on the whole router that looks at the path, so every route under
//! `/_mock` is covered however it was nested, including unknown ones (no route enumeration).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::AppError;

/// The header that carries the admin token when `Authorization` is taken.
pub(crate) const TOKEN_HEADER: &str = "x-mock-admin-token";

/// `--admin-token`, kept out of `Debug` output (the state is printed in test failures).
pub(crate) struct AdminToken(String);

impl AdminToken {
    /// `None` for no token or an empty one.
    pub(crate) fn new(token: Option<&str>) -> Option<Self> {
        token.filter(|t| !t.is_empty()).map(|t| Self(t.to_owned()))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(..)")
    }
}

/// The middleware: a no-op outside `/_mock`, the access rule inside it.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !is_control_plane(path) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    if path != "/_mock/health"
        && let Err(refusal) = admit(
            request.headers(),
            peer,
            state.admin_token.as_ref().map(AdminToken::as_str),
        )
    {
        return without_cors(refusal.into_response());
    }
    without_cors(next.run(request).await)
}

fn is_control_plane(path: &str) -> bool {
    path == "/_mock" || path.starts_with("/_mock/")
}

/// The access decision for a control-plane request other than `/_mock/health`.
pub(crate) fn admit(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    admin_token: Option<&str>,
) -> Result<(), AppError> {
    if let Some(expected) = admin_token {
        return match presented_token(headers) {
            Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(()),
            Some(_) => Err(AppError::unauthorized(
                "The admin token is wrong: the mock's control plane (/_mock) needs the token given with --admin-token",
            )),
            None => Err(AppError::unauthorized(
                "The mock's control plane (/_mock) needs the admin token: send 'Authorization: Bearer <token>' or 'X-Mock-Admin-Token: <token>'",
            )),
        };
    }
    match peer {
        Some(addr) if is_loopback(addr) => Ok(()),
        Some(addr) => Err(AppError::forbidden(format!(
            "The mock's control plane (/_mock) answers only loopback clients unless it runs with --admin-token (AIRBYTE_MOCK_ADMIN_TOKEN); this request came from {}",
            addr.ip()
        ))),
        // A oneshot request in a unit test has no peer; treat it as the test process itself.
        None if cfg!(test) => Ok(()),
        None => Err(AppError::forbidden(
            "The mock's control plane (/_mock) cannot tell who is asking: serve the router with into_make_service_with_connect_info::<SocketAddr>(), or run the mock with --admin-token",
        )),
    }
}

/// The token from `Authorization: Bearer …` or `X-Mock-Admin-Token`, whichever is present.
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
        });
    bearer.or_else(|| {
        headers
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    })
}

/// 127.0.0.0/8, `::1`, and IPv4-mapped loopback (`::ffff:127.0.0.1`, what a dual-stack socket reports).
pub(crate) fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

/// Equal bytes, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The control plane is not for cross-origin pages: whatever a handler set, no CORS allow header
/// leaves.
fn without_cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for name in [
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        header::ACCESS_CONTROL_ALLOW_METHODS,
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
    ] {
        headers.remove(name);
    }
    response
}

/// The warning printed at start when the control plane is reachable from other machines with no
/// token: `None` when bound to loopback or when a token is set.
pub(crate) fn exposure_warning(
    addr: SocketAddr,
    admin_token: Option<&AdminToken>,
) -> Option<String> {
    if admin_token.is_some() || is_loopback(addr) {
        return None;
    }
    Some(format!(
        "listening on {addr}, beyond loopback, without --admin-token: the control plane (/_mock) answers only loopback clients; set AIRBYTE_MOCK_ADMIN_TOKEN to use it from elsewhere"
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::Config;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn without_a_token_only_loopback_peers_are_admitted() {
        let none = HeaderMap::new();
        for peer in [
            "127.0.0.1:5000",
            "127.9.9.9:1",
            "[::1]:5000",
            "[::ffff:127.0.0.1]:5000",
        ] {
            assert!(admit(&none, Some(addr(peer)), None).is_ok(), "{peer}");
        }
        for peer in [
            "10.0.0.7:5000",
            "192.168.1.2:80",
            "[2001:db8::1]:443",
            "[::ffff:10.0.0.7]:1",
        ] {
            let refusal = admit(&none, Some(addr(peer)), None).unwrap_err();
            assert_eq!(refusal.status, StatusCode::FORBIDDEN, "{peer}");
            assert!(refusal.to_string().contains("loopback"), "{refusal}");
        }
    }

    #[test]
    fn with_a_token_any_peer_needs_it_in_either_header() {
        let remote = Some(addr("10.0.0.7:5000"));
        let token = Some("s3cret-admin");
        assert!(
            admit(
                &headers(&[("authorization", "Bearer s3cret-admin")]),
                remote,
                token
            )
            .is_ok()
        );
        assert!(
            admit(
                &headers(&[("authorization", "bearer s3cret-admin")]),
                remote,
                token
            )
            .is_ok()
        );
        assert!(
            admit(
                &headers(&[("x-mock-admin-token", "s3cret-admin")]),
                remote,
                token
            )
            .is_ok()
        );
        for bad in [
            headers(&[]),
            headers(&[("authorization", "Bearer s3cret-admiN")]),
            headers(&[("authorization", "Basic s3cret-admin")]),
            headers(&[("x-mock-admin-token", "s3cret")]),
        ] {
            let refusal = admit(&bad, remote, token).unwrap_err();
            assert_eq!(refusal.status, StatusCode::UNAUTHORIZED);
            assert!(
                !refusal.to_string().contains("s3cret-admin"),
                "never echoed"
            );
        }
        // Loopback is no excuse once a token is configured.
        let refusal = admit(&headers(&[]), Some(addr("127.0.0.1:1")), token).unwrap_err();
        assert_eq!(refusal.status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn the_exposure_warning_is_for_open_binds_without_a_token() {
        let token = AdminToken::new(Some("t"));
        assert_eq!(exposure_warning(addr("127.0.0.1:8001"), None), None);
        assert_eq!(exposure_warning(addr("0.0.0.0:8001"), token.as_ref()), None);
        assert_eq!(format!("{token:?}"), "Some(AdminToken(..))");
        assert!(AdminToken::new(Some("")).is_none());
        let warning = exposure_warning(addr("0.0.0.0:8001"), None).unwrap();
        assert!(warning.contains("--admin-token"), "{warning}");
        assert!(exposure_warning(addr("[::]:8001"), None).is_some());
    }

    /// Through the real router: the peer address arrives as `ConnectInfo` in the extensions.
    #[tokio::test]
    async fn the_router_refuses_a_remote_peer_and_admits_health() {
        let state = AppState::new(&Config::default(), "http://127.0.0.1:1").unwrap();
        let app = crate::app(state);
        let request = |path: &str, peer: &str| {
            let mut request = Request::post(path).body(Body::empty()).unwrap();
            request.extensions_mut().insert(ConnectInfo(addr(peer)));
            request
        };
        let refused = app
            .clone()
            .oneshot(request("/_mock/reset", "10.1.2.3:40000"))
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let admitted = app
            .clone()
            .oneshot(request("/_mock/reset", "127.0.0.1:40000"))
            .await
            .unwrap();
        assert_eq!(admitted.status(), StatusCode::OK);
        let health = app
            .clone()
            .oneshot(
                Request::get("/_mock/health")
                    .extension(ConnectInfo(addr("10.1.2.3:40000")))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        // Outside /_mock the guard does nothing, whoever asks.
        let outside = app
            .oneshot(request(
                "/api/v1/account/applications/token",
                "10.1.2.3:40000",
            ))
            .await
            .unwrap();
        assert_ne!(outside.status(), StatusCode::FORBIDDEN);
    }
}
