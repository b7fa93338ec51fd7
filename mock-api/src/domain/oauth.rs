//! OAuth app credentials (`PUT /api/v1/oauth/credentials`, `DELETE …/connector_type/{connector_type}`):
//! an organization's own OAuth client for a connector, stored per scope and connector definition,
//! never returned (the response is `OAuthCredentialsResponse`, which has no configuration). The
//! consent pages use the stored client id when there is one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use airbyte_embedded::{DetailedSourceTemplate, SourceRead};

use super::Store;
use crate::AppState;
use crate::catalog::{Catalog, SourceDefinition};
use crate::clock;
use crate::error::{AppError, AppResult};

/// One stored set of credentials; `configuration` holds secrets in the clear and stays inside.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OAuthCredentialRecord {
    pub(crate) id: Uuid,
    /// `organization` (the operator's); the document's other scope, `global`, is Airbyte's admin one.
    pub(crate) scope_type: String,
    pub(crate) scope_id: Option<Uuid>,
    pub(crate) connector_definition_id: Uuid,
    pub(crate) configuration: Map<String, Value>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl OAuthCredentialRecord {
    /// `OAuthCredentialsResponse`: no configuration.
    fn response(&self) -> Value {
        json!({
            "id": self.id,
            "scope_type": self.scope_type,
            "scope_id": self.scope_id,
            "connector_type": "source",
            "connector_definition_id": self.connector_definition_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// `OAuthCredentialsRequest` (`additionalProperties: false`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OAuthCredentialsRequest {
    #[serde(default)]
    pub(crate) connector_definition_id: Option<Uuid>,
    #[serde(default)]
    pub(crate) connector_type: Option<String>,
    pub(crate) configuration: Map<String, Value>,
}

fn key(organization_id: Uuid, definition_id: Uuid) -> String {
    format!("organization:{organization_id}:{definition_id}")
}

/// A catalog source by name, case-insensitively (`HubSpot`, `hubspot`, `source-hubspot`).
pub(crate) fn connector_by_type<'a>(
    catalog: &'a Catalog,
    name: &str,
) -> Option<&'a SourceDefinition> {
    let wanted = name.trim().to_lowercase();
    catalog.sources.iter().find(|d| {
        d.name.to_lowercase() == wanted
            || d.connector_name.to_lowercase() == wanted
            || d.connector_name.trim_start_matches("source-") == wanted
    })
}

/// The connector a request names: exactly one of `connector_type` and `connector_definition_id`.
fn connector<'a>(
    catalog: &'a Catalog,
    req: &OAuthCredentialsRequest,
) -> AppResult<&'a SourceDefinition> {
    match (&req.connector_type, req.connector_definition_id) {
        (Some(_), Some(_)) => Err(AppError::invalid(
            "connector_type",
            "give exactly one of connector_type and connector_definition_id, not both",
        )),
        (None, None) => Err(AppError::invalid(
            "connector_type",
            "field required: give connector_type or connector_definition_id",
        )),
        (Some(name), None) => connector_by_type(catalog, name).ok_or_else(|| {
            AppError::invalid(
                "connector_type",
                format!("'{name}' is not a connector this organization can use"),
            )
        }),
        (None, Some(id)) => catalog
            .source(id)
            .ok_or_else(|| AppError::not_found("Connector definition", id)),
    }
}

/// The fields the connector's OAuth spec takes from the operator (`complete_oauth_server_input_specification`).
fn server_input_fields(def: &SourceDefinition) -> Option<Vec<String>> {
    let spec = def
        .user_config_spec
        .advanced_auth
        .as_ref()?
        .get("oauth_config_specification")?
        .get("complete_oauth_server_input_specification")?;
    Some(
        spec.get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
    )
}

/// Checks `configuration` against the connector's OAuth spec: every server-input field present as
/// a non-empty string, nothing else.
fn check_configuration(
    def: &SourceDefinition,
    configuration: &Map<String, Value>,
) -> AppResult<()> {
    let fields = server_input_fields(def).ok_or_else(|| {
        AppError::invalid(
            "connector_type",
            format!(
                "{} does not use OAuth (its spec has no advanced_auth)",
                def.name
            ),
        )
    })?;
    let mut errors = Vec::new();
    for field in &fields {
        match configuration.get(field) {
            None => errors.push(airbyte_embedded::ApiError::new(
                Some(&format!("configuration.{field}")),
                "field required",
                "missing",
            )),
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(_) => errors.push(airbyte_embedded::ApiError::new(
                Some(&format!("configuration.{field}")),
                "must be a non-empty string",
                "invalid",
            )),
        }
    }
    for key in configuration.keys().filter(|k| !fields.contains(k)) {
        errors.push(airbyte_embedded::ApiError::new(
            Some(&format!("configuration.{key}")),
            format!(
                "is not in {}'s OAuth specification (expected {})",
                def.name,
                fields.join(", ")
            ),
            "invalid",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_many(errors))
    }
}

/// Creates or replaces the organization's credentials for the connector.
pub(crate) fn put(
    store: &Store,
    catalog: &Catalog,
    organization_id: Uuid,
    req: OAuthCredentialsRequest,
) -> AppResult<Value> {
    let def = connector(catalog, &req)?;
    check_configuration(def, &req.configuration)?;
    let definition_id = def.source_definition_id;
    Ok(store.write(|data, ids| {
        let now = clock::now_rfc3339();
        let record = match data
            .oauth_credentials
            .get_mut(&key(organization_id, definition_id))
        {
            Some(existing) => {
                existing.configuration = req.configuration;
                existing.updated_at = now;
                existing.clone()
            }
            None => {
                let record = OAuthCredentialRecord {
                    id: ids.uuid(),
                    scope_type: "organization".into(),
                    scope_id: Some(organization_id),
                    connector_definition_id: definition_id,
                    configuration: req.configuration,
                    created_at: now.clone(),
                    updated_at: now,
                };
                data.oauth_credentials
                    .insert(key(organization_id, definition_id), record.clone());
                record
            }
        };
        record.response()
    }))
}

/// Deletes the organization's credentials for `connector_type`; idempotent (nothing stored is fine),
/// but a name no connector has is a 404.
pub(crate) fn delete(
    store: &Store,
    catalog: &Catalog,
    organization_id: Uuid,
    connector_type: &str,
) -> AppResult<()> {
    let def = connector_by_type(catalog, connector_type)
        .ok_or_else(|| AppError::not_found("Connector type", connector_type))?;
    let k = key(organization_id, def.source_definition_id);
    if store.read(|data| data.oauth_credentials.contains_key(&k)) {
        store.write(|data, _| {
            data.oauth_credentials.shift_remove(&k);
        });
    }
    Ok(())
}

/// The client id the organization's stored credentials give for a connector, if any (the secret
/// stays inside).
#[cfg(test)]
pub(crate) fn client_id(
    store: &Store,
    organization_id: Uuid,
    definition_id: Uuid,
) -> Option<String> {
    store.read(|data| {
        data.oauth_credentials
            .get(&key(organization_id, definition_id))
            .and_then(|r| r.configuration.get("client_id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// Every `path_in_connector_config` in one part of an OAuth config specification.
fn output_paths(spec: Option<&Value>) -> Vec<Vec<String>> {
    spec.and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| {
            props
                .values()
                .filter_map(|p| p.get("path_in_connector_config")?.as_array())
                .map(|path| {
                    path.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What a provider's consent gives for `template`: a value for every OAuth output path (dotted),
/// generated from the seeded ids, with the organization's stored client id (and, when
/// `with_secret` — only on the server — its client secret), plus that client id if there is one.
pub(crate) fn auth_payload(
    store: &Store,
    template: &DetailedSourceTemplate,
    with_secret: bool,
) -> (Map<String, Value>, Option<String>) {
    let auth = template.user_config_spec.advanced_auth.as_ref();
    let oauth = auth.and_then(|a| a.get("oauth_config_specification"));
    let mut paths = output_paths(oauth.and_then(|o| o.get("complete_oauth_output_specification")));
    paths.extend(output_paths(
        oauth.and_then(|o| o.get("complete_oauth_server_output_specification")),
    ));
    let slug = template
        .connector_name
        .clone()
        .unwrap_or_else(|| "oauth".into())
        .replace("source-", "");
    let stored = store.read(|data| {
        data.oauth_credentials
            .get(&key(store_org(data), template.source_definition_id))
            .map(|r| r.configuration.clone())
    });
    let mut payload: Map<String, Value> = store.with_ids(|ids| {
        paths
            .iter()
            .map(|path| {
                let key = path.last().cloned().unwrap_or_default();
                let value = if key.contains("client_id") {
                    ids.secret(&format!("mock-{slug}-client-"), 12)
                } else {
                    ids.secret(&format!("mock-{slug}-{}-", key.replace('_', "-")), 24)
                };
                (path.join("."), Value::String(value))
            })
            .collect()
    });
    let client_id = stored
        .as_ref()
        .and_then(|c| c.get("client_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(stored) = &stored {
        for (path, value) in payload.iter_mut() {
            let last = path.rsplit('.').next().unwrap_or_default();
            let from_org = match last {
                "client_id" => stored.get("client_id"),
                "client_secret" if with_secret => stored.get("client_secret"),
                _ => None,
            };
            if let Some(v) = from_org {
                *value = v.clone();
            }
        }
    }
    (payload, client_id)
}

fn store_org(data: &super::Data) -> Uuid {
    data.organization_id
}

/// A server-side OAuth flow started with `POST /api/v1/integrations/connectors/oauth/initiate`,
/// waiting for the end user's Allow or Deny on the consent page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OAuthSession {
    pub(crate) id: Uuid,
    pub(crate) workspace_name: String,
    pub(crate) template_id: Uuid,
    pub(crate) redirect_url: String,
    pub(crate) name: Option<String>,
    /// The rest of the configuration (non-OAuth fields); secrets in the clear, never returned.
    pub(crate) replication_config: Map<String, Value>,
}

/// Checks `redirect_url` (an absolute http(s) URL) and stores a session for `template`; the
/// answer is the session's id.
pub(crate) fn start_session(
    store: &Store,
    template: &DetailedSourceTemplate,
    workspace_name: String,
    redirect_url: &str,
    name: Option<String>,
    replication_config: Map<String, Value>,
) -> AppResult<Uuid> {
    let url = url::Url::parse(redirect_url)
        .map_err(|e| AppError::invalid("redirect_url", format!("is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::invalid(
            "redirect_url",
            "must be an http or https URL",
        ));
    }
    if template.user_config_spec.advanced_auth.is_none() {
        return Err(AppError::invalid(
            "definition_id",
            format!(
                "{} does not use OAuth (its spec has no advanced_auth)",
                template.name
            ),
        ));
    }
    Ok(store.write(|data, ids| {
        let id = ids.uuid();
        data.oauth_sessions.insert(
            id,
            OAuthSession {
                id,
                workspace_name,
                template_id: template.id,
                redirect_url: redirect_url.to_owned(),
                name,
                replication_config,
            },
        );
        id
    }))
}

/// The waiting session `id`, if any.
pub(crate) fn session(store: &Store, id: Uuid) -> Option<OAuthSession> {
    store.read(|data| data.oauth_sessions.get(&id).cloned())
}

/// `url` with `params` appended to its query.
fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Sets `value` at a dotted path inside `config`, creating objects on the way.
fn set_path(config: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut here = config;
    for part in parts {
        let entry = here
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        here = next;
    }
    here.insert(last.to_owned(), value);
}

/// The end user's decision on session `id`: Allow creates the source (the template's defaults,
/// the request's configuration, the OAuth payload) and answers `redirect_url?connector_id=…`;
/// Deny, or a source the configuration cannot make, answers `redirect_url?error=…`. The session
/// is used up either way.
pub(crate) async fn complete(state: &AppState, id: Uuid, allow: bool) -> AppResult<String> {
    let session =
        session(&state.store, id).ok_or_else(|| AppError::not_found("OAuth session", id))?;
    state.store.write(|data, _| {
        data.oauth_sessions.shift_remove(&id);
    });
    if !allow {
        return Ok(with_query(
            &session.redirect_url,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied access"),
            ],
        ));
    }
    let template = super::templates::source_template(&state.store, session.template_id)?;
    let mut config = template.partial_default_config.clone();
    for (k, v) in session.replication_config {
        config.insert(k, v);
    }
    if let Some(auth) = &template.user_config_spec.advanced_auth {
        let keys = auth.get("predicate_key").and_then(Value::as_array);
        if let (Some(keys), Some(value)) = (keys, auth.get("predicate_value")) {
            let path: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
            set_path(&mut config, &path.join("."), value.clone());
        }
    }
    let (payload, _) = auth_payload(&state.store, &template, true);
    for (path, value) in payload {
        set_path(&mut config, &path, value);
    }
    let created: AppResult<SourceRead> = super::sources::create_in_named_workspace(
        state,
        &session.workspace_name,
        None,
        template.id,
        config,
        session.name,
    )
    .await;
    Ok(match created {
        Ok(read) => with_query(
            &session.redirect_url,
            &[("connector_id", &read.id.to_string())],
        ),
        Err(e) => with_query(
            &session.redirect_url,
            &[
                ("error", "source_creation_failed"),
                (
                    "error_description",
                    e.body.message.as_deref().unwrap_or("failed"),
                ),
            ],
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn req(body: Value) -> OAuthCredentialsRequest {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn credentials_are_stored_per_connector_replaced_and_deleted() {
        let catalog = Catalog::load().unwrap();
        let store = super::super::tests::store();
        let org = store.organization_id();
        let hubspot = Uuid::parse_str("36c891d9-4bd9-43ac-bad2-10e12756272c").unwrap();
        let first = put(
            &store,
            &catalog,
            org,
            req(json!({"connector_type": "HUBSPOT",
                       "configuration": {"client_id": "a", "client_secret": "s1"}})),
        )
        .unwrap();
        assert!(
            !first.to_string().contains("s1"),
            "no secret in the response"
        );
        let second = put(
            &store,
            &catalog,
            org,
            req(json!({"connector_definition_id": hubspot,
                       "configuration": {"client_id": "b", "client_secret": "s2"}})),
        )
        .unwrap();
        assert_eq!(first["id"], second["id"], "replaced, not duplicated");
        assert_eq!(client_id(&store, org, hubspot).as_deref(), Some("b"));
        delete(&store, &catalog, org, "hubspot").unwrap();
        assert_eq!(client_id(&store, org, hubspot), None);
        delete(&store, &catalog, org, "hubspot").unwrap();
        assert!(delete(&store, &catalog, org, "nope").is_err());
    }

    #[test]
    fn configuration_follows_the_connectors_oauth_spec() {
        let catalog = Catalog::load().unwrap();
        let store = super::super::tests::store();
        let org = store.organization_id();
        let err = put(
            &store,
            &catalog,
            org,
            req(json!({"connector_type": "hubspot", "configuration": {"client_id": "a", "extra": 1}})),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("configuration.client_secret"), "{text}");
        assert!(text.contains("configuration.extra"), "{text}");
        let no_oauth = put(
            &store,
            &catalog,
            org,
            req(json!({"connector_type": "github", "configuration": {}})),
        )
        .unwrap_err();
        assert!(no_oauth.to_string().contains("advanced_auth"));
        let both = put(
            &store,
            &catalog,
            org,
            req(json!({"connector_type": "hubspot",
                       "connector_definition_id": "36c891d9-4bd9-43ac-bad2-10e12756272c",
                       "configuration": {}})),
        )
        .unwrap_err();
        assert!(both.to_string().contains("exactly one"));
    }
}
