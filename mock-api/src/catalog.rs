//! The seeded connector catalog (`catalog/connectors.json`): source definitions with their
//! `user_config_spec` JSON Schemas, and the destinations connection templates point to.
//! Schemas are compiled once here so validating a `source_config` costs no compilation.

use std::collections::HashMap;
use std::sync::Arc;

use airbyte_embedded::{ConnectorSpecification, SourceTemplateMode};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

const CATALOG_JSON: &str = include_str!("../catalog/connectors.json");

#[derive(Debug, Clone, Deserialize)]
pub struct SourceDefinition {
    pub name: String,
    pub connector_name: String,
    pub source_definition_id: Uuid,
    pub icon: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub mode: SourceTemplateMode,
    pub user_config_spec: ConnectorSpecification,
    #[serde(default)]
    pub partial_default_config: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DestinationDefinition {
    pub name: String,
    pub destination_definition_id: Uuid,
    pub icon: Option<String>,
    pub destination_config: Map<String, Value>,
    /// `airbyte/destination-…`, as `GET /api/v1/integrations/definitions/destinations/{id}` shows it.
    #[serde(default)]
    pub docker_repository: Option<String>,
    /// The destination's `ConnectorSpecification` (documentation URL, JSON Schema, sync modes).
    #[serde(default)]
    pub spec: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    sources: Vec<SourceDefinition>,
    destinations: Vec<DestinationDefinition>,
}

/// The catalog with compiled validators, shared read-only by every request.
pub struct Catalog {
    pub sources: Vec<SourceDefinition>,
    pub destinations: Vec<DestinationDefinition>,
    validators: HashMap<Uuid, Arc<jsonschema::Validator>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("sources", &self.sources.len())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Parses the embedded catalog. It is part of the binary, so a broken file is a build-time bug
    /// that the test suite catches; the error names the connector.
    pub fn load() -> Result<Self, String> {
        let file: CatalogFile = serde_json::from_str(CATALOG_JSON)
            .map_err(|e| format!("catalog/connectors.json: {e}"))?;
        let mut validators = HashMap::new();
        for def in &file.sources {
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&def.user_config_spec.connection_specification)
                .map_err(|e| format!("catalog: the spec of {} does not compile: {e}", def.name))?;
            validators.insert(def.source_definition_id, Arc::new(validator));
        }
        Ok(Self {
            sources: file.sources,
            destinations: file.destinations,
            validators,
        })
    }

    pub fn source(&self, definition_id: Uuid) -> Option<&SourceDefinition> {
        self.sources
            .iter()
            .find(|d| d.source_definition_id == definition_id)
    }

    pub fn destination(&self, definition_id: Uuid) -> Option<&DestinationDefinition> {
        self.destinations
            .iter()
            .find(|d| d.destination_definition_id == definition_id)
    }

    pub fn validator(&self, definition_id: Uuid) -> Option<&jsonschema::Validator> {
        self.validators.get(&definition_id).map(Arc::as_ref)
    }
}

impl SourceDefinition {
    /// `ConnectorDefinitionSummarized` (and, with `spec`, `ConnectorDefinition`) as the published
    /// document names its fields (camelCase, like Airbyte's platform).
    pub fn definition(&self, with_spec: bool) -> Value {
        let mut out = serde_json::json!({
            "sourceDefinitionId": self.source_definition_id,
            "destinationDefinitionId": null,
            "name": self.name,
            "dockerRepository": format!("airbyte/{}", self.connector_name),
            "iconUrl": self.icon,
            "custom": false,
            "supportLevel": "certified",
        });
        if with_spec {
            out["spec"] = serde_json::to_value(&self.user_config_spec).unwrap_or(Value::Null);
        }
        out
    }
}

impl DestinationDefinition {
    /// `ConnectorDefinition` for a destination.
    pub fn definition(&self) -> Value {
        serde_json::json!({
            "sourceDefinitionId": null,
            "destinationDefinitionId": self.destination_definition_id,
            "name": self.name,
            "dockerRepository": self.docker_repository,
            "iconUrl": self.icon,
            "custom": false,
            "supportLevel": "certified",
            "spec": self.spec.clone().unwrap_or_else(
                || serde_json::json!({"connectionSpecification": {"type": "object", "properties": {}}})
            ),
        })
    }
}
