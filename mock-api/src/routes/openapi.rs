//! The mock's own OpenAPI document: its base (info, the error schemas), the error sets every
//! handler's `#[utoipa::path]` shares, static-asset routes documented as they are added, and
//! `GET /_mock/openapi.json`, which serves the document `routes::router` built from the same handler
//! list as the router itself (so a route cannot exist undocumented, and the document cannot go stale).

use std::sync::Arc;

use airbyte_embedded::{ApiError, ApiErrorResponse};
use axum::Extension;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;

/// Tags, one per part of the mock, so the document reads in sections.
pub(crate) const AUTH: &str = "Authentication";
pub(crate) const TEMPLATES: &str = "Templates";
pub(crate) const CONNECTORS: &str = "Connectors";
pub(crate) const WORKSPACES: &str = "Workspaces";
pub(crate) const DEFINITIONS: &str = "Definitions";
pub(crate) const OAUTH: &str = "OAuth";
pub(crate) const EMBEDDED: &str = "Embedded (end user)";
pub(crate) const WIDGET: &str = "Widget stand-in";
pub(crate) const CONSOLE: &str = "Console";
pub(crate) const MOCK: &str = "Mock control plane";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "airbyte-mock",
        description = "Every route the offline mock of Airbyte's Embedded API answers: Airbyte's \
            Agent API, the end-user routes, the SDK's legacy aliases, the widget stand-in, the \
            console and the /_mock control plane. Generated from the handlers; \
            docs/DRIFT.md compares it with Airbyte's published document."
    ),
    components(schemas(ApiErrorResponse, ApiError)),
    modifiers(&BearerScheme)
)]
struct Base;

/// The `bearer` security scheme the token-taking operations name: an application or scoped token
/// (a JWT the mock issued), as each operation's description says.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `X-Organization-Id`, which every token-taking route checks against the token's organization
/// (`auth::check_organization_header`): a 422 when it is not a UUID, a 403 when it differs.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // only the derive reads it
pub(crate) struct OrganizationHeader {
    /// The organization to act for; must be the token's own.
    #[param(rename = "x-organization-id")]
    x_organization_id: Option<Uuid>,
}

/// The document the router is built with, before any route is added.
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

// The error sets the annotations share. A JSON body adds 400 (unreadable), 413 (over the body limit)
// and 415 (not `application/json`) to what any route can answer; malformed JSON is a 422 naming
// `body`, like every other invalid field (`extract::Json`).

/// Errors of the token endpoint (client credentials in a JSON body, no bearer token).
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum TokenErrors {
    /// The body could not be read.
    #[response(status = 400)]
    BadRequest(ApiErrorResponse),
    /// Wrong client id or secret.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// The body is over the mock's limit.
    #[response(status = 413)]
    TooLarge(ApiErrorResponse),
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ApiErrorResponse),
    /// Malformed JSON, or a field that is missing or invalid.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// Errors of a bearer-token route without a body.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum ReadErrors {
    /// No token, or one that is malformed, forged or expired.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A token of the wrong tier, or for another workspace or organization.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// A query parameter, path segment or `X-Organization-Id` that is invalid.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// [`ReadErrors`], plus a 404 for an id that names nothing.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum ReadItemErrors {
    /// No token, or one that is malformed, forged or expired.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A token of the wrong tier, or for another workspace or organization.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// Nothing has this id (or it is not visible to this token).
    #[response(status = 404)]
    NotFound(ApiErrorResponse),
    /// A query parameter, path segment or `X-Organization-Id` that is invalid.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// Errors of a bearer-token route with a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum Errors {
    /// The body could not be read; on a source create or update and on execute, also values the
    /// connector refuses (a failing configuration, an unknown entity or action).
    #[response(status = 400)]
    BadRequest(ApiErrorResponse),
    /// No token, or one that is malformed, forged or expired.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A token of the wrong tier, or for another workspace or organization.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// The body is over the mock's limit.
    #[response(status = 413)]
    TooLarge(ApiErrorResponse),
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ApiErrorResponse),
    /// Malformed JSON, or a field, parameter or path segment that is missing or invalid.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// [`Errors`], plus a 404 for an id that names nothing.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum ItemErrors {
    /// The body could not be read; on a source create or update and on execute, also values the
    /// connector refuses (a failing configuration, an unknown entity or action).
    #[response(status = 400)]
    BadRequest(ApiErrorResponse),
    /// No token, or one that is malformed, forged or expired.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A token of the wrong tier, or for another workspace or organization.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// Nothing has this id (or it is not visible to this token).
    #[response(status = 404)]
    NotFound(ApiErrorResponse),
    /// The body is over the mock's limit.
    #[response(status = 413)]
    TooLarge(ApiErrorResponse),
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ApiErrorResponse),
    /// Malformed JSON, or a field, parameter or path segment that is missing or invalid.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// Errors of a `/_mock/*` route without a body: the admin guard's, and its own parameters'.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum ControlErrors {
    /// `--admin-token` is set and the request lacks it.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A non-loopback caller without `--admin-token` set.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// A parameter the control plane cannot use.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// Errors of a `/_mock/*` route with a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)] // only the derive reads it
pub(crate) enum ControlBodyErrors {
    /// The body could not be read (or, for a source, the connector refused its configuration).
    #[response(status = 400)]
    BadRequest(ApiErrorResponse),
    /// `--admin-token` is set and the request lacks it.
    #[response(status = 401)]
    Unauthorized(ApiErrorResponse),
    /// A non-loopback caller without `--admin-token` set.
    #[response(status = 403)]
    Forbidden(ApiErrorResponse),
    /// The body is over the mock's limit.
    #[response(status = 413)]
    TooLarge(ApiErrorResponse),
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ApiErrorResponse),
    /// Malformed JSON, or a body the control plane cannot use.
    #[response(status = 422)]
    Invalid(ApiErrorResponse),
}

/// The document as served, serialised once when the router is built.
#[derive(Debug)]
pub(crate) struct Document(String);

impl Document {
    pub(crate) fn new(mut document: utoipa::openapi::OpenApi) -> Arc<Self> {
        // axum's catch-all `{*path}` is `{path}` in OpenAPI's path templating.
        let paths = std::mem::take(&mut document.paths.paths);
        document.paths.paths = paths
            .into_iter()
            .map(|(path, item)| (path.replace("{*", "{"), item))
            .collect();
        // Serialising a document of plain maps and strings cannot fail; an empty object would be
        // an obviously broken answer rather than a crash.
        Arc::new(Self(
            document
                .to_pretty_json()
                .unwrap_or_else(|_| "{}".to_owned()),
        ))
    }
}

/// `/openapi.json`, to nest under `/_mock`.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// The mock's own OpenAPI 3.1 document: every route it answers, generated from the handlers.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = MOCK,
    responses(
        (status = 200, description = "This document", content_type = "application/json", body = Object),
        ControlErrors,
    )
)]
async fn openapi_json(Extension(document): Extension<Arc<Document>>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (headers, document.0.clone()).into_response()
}

/// Adds a GET route for one static file and documents it (`200` with `content_type`, `304` when
/// the `If-None-Match` ETag matches): the asset tables are data, so no handler carries an annotation.
pub(crate) fn asset_route(
    mut router: OpenApiRouter<AppState>,
    path: &str,
    method_router: MethodRouter<AppState>,
    tag: &str,
    content_type: &str,
) -> OpenApiRouter<AppState> {
    let operation = OperationBuilder::new()
        .tag(tag)
        .summary(Some(format!("The static file {path}")))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The file")
                .content(content_type, ContentBuilder::new().build()),
        )
        .response(
            "304",
            ResponseBuilder::new().description("Not modified (the ETag matches If-None-Match)"),
        )
        .build();
    router
        .get_openapi_mut()
        .paths
        .add_path_operation(path, vec![HttpMethod::Get], operation);
    router.route(path, method_router)
}
