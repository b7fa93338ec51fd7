//! Token minting and checking: the application (operator) tier and the scoped (end-user) tier.
//!
//! Both are real HS256 JWTs signed with a key derived from the configured client secret and seed, so a
//! restarted mock with the same configuration still accepts the tokens it issued. The tier is the `typ`
//! claim; scoped tokens carry Airbyte's workspace-scope claim, their allowed origin and tag selection.

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use airbyte_embedded::TagSelectionMode;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::AppState;
use crate::error::AppError;

pub(crate) const APPLICATION_TOKEN_TTL_SECS: u64 = 15 * 60;
pub(crate) const SCOPED_TOKEN_TTL_SECS: u64 = 20 * 60;
pub(crate) const APPLICATION_TYP: &str = "io.airbyte.auth.application_v1";
pub(crate) const SCOPED_TYP: &str = "io.airbyte.auth.embedded_v1";
pub(crate) const END_USER_ROLE: &str = "EMBEDDED_END_USER";

/// The signing keys, in generations. `POST /_mock/tokens/expire` starts a new generation: tokens
/// are signed with the newest key only, and the retired keys are kept just to recognise their tokens
/// and answer that they expired. Generation 0 is the configured key itself, so a restarted mock still
/// accepts the tokens it issued before any expiry.
pub(crate) struct Keys {
    secret: Vec<u8>,
    ring: RwLock<KeyRing>,
    validation: Validation,
    /// The same checks without the expiry, for tokens of retired keys (which expired anyway).
    retired_validation: Validation,
    /// How many tokens were verified: lets a test prove a request verifies its token once.
    verifications: AtomicU64,
}

struct KeyRing {
    generation: u64,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Newest last, each with the time it was retired (every token it signed expired then).
    retired: Vec<(DecodingKey, String)>,
}

/// How many retired keys are remembered. Older ones are forgotten: their tokens outlived their own
/// 20-minute expiry long ago, so they are answered "invalid signature" rather than "expired".
const RETIRED_KEYS: usize = 64;

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// The HS256 key pair of one generation.
fn key_pair(secret: &[u8], generation: u64) -> (EncodingKey, DecodingKey) {
    let mut material = secret.to_vec();
    if generation > 0 {
        material.extend_from_slice(format!(":generation:{generation}").as_bytes());
    }
    // HS256 accepts any key length; from_secret only fails for other algorithms' key formats.
    let encoding = EncodingKey::from_secret(&material)
        .unwrap_or_else(|_| unreachable!("HMAC keys never fail"));
    let decoding = DecodingKey::from_secret(&material)
        .unwrap_or_else(|_| unreachable!("HMAC keys never fail"));
    (encoding, decoding)
}

impl Keys {
    pub(crate) fn new(secret: &[u8]) -> Self {
        let (encoding, decoding) = key_pair(secret, 0);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp"]);
        let mut retired_validation = validation.clone();
        retired_validation.validate_exp = false;
        Self {
            secret: secret.to_vec(),
            ring: RwLock::new(KeyRing {
                generation: 0,
                encoding,
                decoding,
                retired: Vec::new(),
            }),
            validation,
            retired_validation,
            verifications: AtomicU64::new(0),
        }
    }

    fn ring(&self) -> std::sync::RwLockReadGuard<'_, KeyRing> {
        self.ring
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Expires every token issued so far: a new signing key from now on. Returns the moment (RFC
    /// 3339) before which every token is expired.
    pub(crate) fn expire_all(&self) -> String {
        let mut ring = self
            .ring
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = crate::clock::now_rfc3339();
        let generation = ring.generation + 1;
        let (encoding, decoding) = key_pair(&self.secret, generation);
        let old = std::mem::replace(&mut ring.decoding, decoding);
        ring.encoding = encoding;
        ring.generation = generation;
        ring.retired.push((old, now.clone()));
        if ring.retired.len() > RETIRED_KEYS {
            ring.retired.remove(0);
        }
        now
    }

    /// How many signature checks these keys have made.
    #[cfg(test)]
    pub(crate) fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.ring().encoding,
        )
        .unwrap_or_else(|e| unreachable!("serialising plain claims cannot fail: {e}"))
    }

    /// Verifies signature and expiry with one decode and returns the typed claims of the token's
    /// tier, with a 401 that says what is wrong.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, AppError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let ring = self.ring();
        // The claims stay raw until the tier is known, then are typed in one pass: no
        // intermediate `Value` tree on a path every authenticated request takes.
        let claims =
            match jsonwebtoken::decode::<Box<RawValue>>(token, &ring.decoding, &self.validation) {
                Ok(data) => data.claims,
                Err(e) if *e.kind() == ErrorKind::InvalidSignature => {
                    return Err(self
                        .expired_by_rotation(&ring, token)
                        .unwrap_or_else(|| Self::explain(&e, token)));
                }
                Err(e) => return Err(Self::explain(&e, token)),
            };
        fn typed<'a, T: Deserialize<'a>>(claims: &'a RawValue) -> Result<T, AppError> {
            serde_json::from_str(claims.get())
                .map_err(|_| AppError::unauthorized("Malformed token claims"))
        }
        #[derive(Deserialize)]
        struct Tier<'a> {
            #[serde(borrow)]
            typ: Option<std::borrow::Cow<'a, str>>,
        }
        let tier = serde_json::from_str::<Tier<'_>>(claims.get()).ok();
        match tier.as_ref().and_then(|t| t.typ.as_deref()) {
            Some(APPLICATION_TYP) => typed(&claims).map(Claims::Application),
            Some(SCOPED_TYP) => typed(&claims).map(Claims::Scoped),
            _ => Err(AppError::unauthorized(
                "Malformed bearer token: unknown token type",
            )),
        }
    }

    /// The 401 for a token signed with a retired key, if it was.
    fn expired_by_rotation(&self, ring: &KeyRing, token: &str) -> Option<AppError> {
        ring.retired.iter().rev().find_map(|(key, retired_at)| {
            jsonwebtoken::decode::<serde_json::Value>(token, key, &self.retired_validation)
                .ok()
                .map(|_| {
                    AppError::unauthorized(format!(
                        "Token expired at {retired_at} (POST /_mock/tokens/expire expired every \
                         token issued before then); request a new one"
                    ))
                })
        })
    }

    fn explain(e: &jsonwebtoken::errors::Error, token: &str) -> AppError {
        match e.kind() {
            ErrorKind::ExpiredSignature => {
                let exp = jsonwebtoken::dangerous::insecure_decode::<Expiry>(token)
                    .ok()
                    .and_then(|d| crate::clock::format_unix(d.claims.exp));
                AppError::unauthorized(format!(
                    "Token expired{}; request a new one",
                    exp.map(|t| format!(" at {t}")).unwrap_or_default()
                ))
            }
            ErrorKind::InvalidSignature => AppError::unauthorized(
                "Invalid token signature: this token was not issued by this mock \
                 (or the mock's client secret or seed changed since)",
            ),
            ErrorKind::InvalidAlgorithm => {
                AppError::unauthorized("Invalid token: the mock signs tokens with HS256 only")
            }
            _ if looks_like_widget_token(token) => AppError::unauthorized(
                "This is a widget token (Base64 of {token, widgetUrl}), which is for the browser widget; \
                 send the scoped JWT inside it, or get one from POST /api/v1/embedded/scoped-token",
            ),
            _ => {
                AppError::unauthorized("Malformed bearer token: expected a JWT issued by this mock")
            }
        }
    }
}

/// A verified token's claims, by tier.
#[derive(Debug, Clone)]
pub(crate) enum Claims {
    Application(ApplicationClaims),
    Scoped(ScopedClaims),
}

/// The expiry of an expired token, for the message that says when.
#[derive(Deserialize)]
struct Expiry {
    exp: u64,
}

fn looks_like_widget_token(token: &str) -> bool {
    airbyte_embedded::WidgetToken::decode(token).is_ok()
}

/// Claims of the application (operator) token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApplicationClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub typ: String,
    pub organization_id: Uuid,
    pub iat: u64,
    pub exp: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WorkspaceScope {
    #[serde(rename = "workspaceId")]
    pub workspace_id: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Actor {
    pub sub: String,
}

/// Claims of a scoped (end-user) token, as Airbyte's platform mints them plus the mock's selection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ScopedClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub typ: String,
    pub act: Actor,
    #[serde(rename = "io.airbyte.auth.workspace_scope")]
    pub workspace_scope: WorkspaceScope,
    pub roles: Vec<String>,
    pub organization_id: Uuid,
    pub iat: u64,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origin: Option<String>,
    #[serde(default)]
    pub selected_source_template_tags: Vec<String>,
    #[serde(default)]
    pub selected_source_template_tags_mode: TagSelectionMode,
    #[serde(default)]
    pub selected_connection_template_tags: Vec<String>,
    #[serde(default)]
    pub selected_connection_template_tags_mode: TagSelectionMode,
}

impl ScopedClaims {
    pub(crate) fn workspace_id(&self) -> Uuid {
        self.workspace_scope.workspace_id
    }
}

fn bearer(headers: &HeaderMap) -> Result<&str, AppError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            AppError::unauthorized("Missing bearer token: send 'Authorization: Bearer <token>'")
        })?;
    let value = header
        .to_str()
        .map_err(|_| AppError::unauthorized("Malformed Authorization header"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::unauthorized(
            "Authorization header must use the Bearer scheme",
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AppError::unauthorized(
            "Missing bearer token: the Authorization header is empty",
        ));
    }
    Ok(token)
}

/// Checks the optional `X-Organization-Id` header against the token's organization.
fn check_organization_header(parts: &Parts, organization_id: Uuid) -> Result<(), AppError> {
    let Some(raw) = parts.headers.get("x-organization-id") else {
        return Ok(());
    };
    let raw = raw.to_str().unwrap_or_default();
    let requested = Uuid::parse_str(raw.trim()).map_err(|_| {
        AppError::invalid("x-organization-id", format!("'{raw}' is not a valid UUID"))
    })?;
    if requested != organization_id {
        return Err(AppError::forbidden(format!(
            "X-Organization-Id {requested} is not an organization this token may act for"
        )));
    }
    Ok(())
}

/// An operator request, authenticated by an application token.
#[derive(Debug, Clone)]
pub(crate) struct Operator {
    pub organization_id: Uuid,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = match authenticated(parts, state)? {
            Claims::Application(claims) => claims,
            Claims::Scoped(_) => {
                return Err(AppError::forbidden(
                    "This is an operator endpoint and needs an application token \
                     (POST /api/v1/account/applications/token); a scoped end-user token was sent",
                ));
            }
        };
        check_organization_header(parts, claims.organization_id)?;
        if claims.organization_id != state.store.organization_id() {
            return Err(AppError::unauthorized(
                "Token is for an organization this mock does not know",
            ));
        }
        Ok(Self {
            organization_id: claims.organization_id,
        })
    }
}

/// An end-user request, authenticated by a scoped token whose workspace still exists.
#[derive(Debug, Clone)]
pub(crate) struct EndUser {
    pub claims: ScopedClaims,
    pub workspace_name: String,
}

impl EndUser {
    pub(crate) fn workspace_id(&self) -> Uuid {
        self.claims.workspace_id()
    }
}

impl FromRequestParts<AppState> for EndUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = scoped(authenticated(parts, state)?)?;
        check_organization_header(parts, claims.organization_id)?;
        // The workspace must still be the one the token was minted for: after `/_mock/reset` the
        // seeded id generator hands the same ids to new workspaces, and an old token must not open them.
        let workspace_name = state
            .store
            .workspace_name(claims.workspace_id())
            .filter(|name| *name == claims.act.sub)
            .ok_or_else(|| {
                AppError::unauthorized(format!(
                    "The token's workspace {} no longer exists (was the mock reset?); mint a new token",
                    claims.workspace_id()
                ))
            })?;
        Ok(Self {
            claims,
            workspace_name,
        })
    }
}

/// The outcome of checking a request's bearer token, kept in the request's extensions by the first
/// layer that checks it, so a request's token is verified once however many parts look at it.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated(pub Result<Claims, AppError>);

impl Authenticated {
    /// Checks the `Authorization` header of a request.
    pub(crate) fn check(headers: &HeaderMap, keys: &Keys) -> Self {
        Self(bearer(headers).and_then(|token| keys.verify(token)))
    }
}

/// The request's verified claims: from the extensions when a layer checked them, else checked now.
fn authenticated(parts: &Parts, state: &AppState) -> Result<Claims, AppError> {
    match parts.extensions.get::<Authenticated>() {
        Some(Authenticated(result)) => result.clone(),
        None => Authenticated::check(&parts.headers, &state.keys).0,
    }
}

/// The claims of a usable scoped token: 403 when it is an application token or lacks the end-user
/// role.
pub(crate) fn scoped(claims: Claims) -> Result<ScopedClaims, AppError> {
    let claims = match claims {
        Claims::Scoped(claims) => claims,
        Claims::Application(_) => {
            return Err(AppError::forbidden(
                "This is an end-user endpoint and needs a scoped token (from the widget token or \
                 POST /api/v1/embedded/scoped-token); an application token was sent",
            ));
        }
    };
    if !claims.roles.iter().any(|r| r == END_USER_ROLE) {
        return Err(AppError::forbidden(
            "The scoped token lacks the EMBEDDED_END_USER role",
        ));
    }
    Ok(claims)
}
