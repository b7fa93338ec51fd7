//! `POST /api/airbyte/sources/{id}/preview {userId, entity?}`: the first records of one entity of the
//! signed-in user's source, through Airbyte's execute operation (what an app's agent would call once
//! the customer has connected). The source must be one of the user's own; without an `entity`, the
//! first one the mock lists is taken (the published API has no entity list, so off the mock the
//! entity is required).

use airbyte_embedded::ConnectorExecuteRequest;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{ApiError, AppState, user_id};

/// How many records a preview shows.
const PREVIEW_LIMIT: u64 = 5;

#[derive(Debug, Deserialize)]
struct PreviewBody {
    #[serde(rename = "userId")]
    user_id: Option<Value>,
    entity: Option<String>,
}

pub(crate) async fn preview(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let source_id = Uuid::parse_str(&source_id)
        .map_err(|_| ApiError::bad_request(format!("'{source_id}' is not a source id")))?;
    let body: PreviewBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be JSON like {{\"userId\": \"user_123\", \"entity\": \"issues\"}}: {e}"
        ))
    })?;
    let user = user_id(body.user_id.as_ref())?;
    let (client, user_ref) = (&state.client, &user);
    let sources = state
        .with_application_token("Could not list the sources", |app_token| async move {
            client.sources(&app_token, user_ref).await
        })
        .await?;
    if !sources.iter().any(|s| s.id == source_id) {
        return Err(ApiError::not_found(format!(
            "{user} has no source {source_id}"
        )));
    }
    let entities = state.mock.entities(source_id).await;
    let entity = match (body.entity.filter(|e| !e.trim().is_empty()), &entities) {
        (Some(entity), _) => entity,
        (None, Some(list)) if !list.is_empty() => list[0].clone(),
        _ => {
            return Err(ApiError::bad_request(
                "entity is required (only the mock lists a source's entities)",
            ));
        }
    };
    let mut params = Map::new();
    params.insert("limit".into(), PREVIEW_LIMIT.into());
    let request = ConnectorExecuteRequest {
        entity: entity.clone(),
        action: "list".into(),
        params: Some(params),
        select_fields: None,
    };
    let (client, request) = (&state.client, &request);
    let reply = state
        .with_application_token("Airbyte refused the execute", |app_token| async move {
            client.execute(&app_token, source_id, request).await
        })
        .await?;
    let result = &reply["result"];
    Ok(axum::Json(json!({
        "entity": entity,
        "entities": entities,
        "connector_name": reply["connector_metadata"]["connector_name"],
        "records": result["data"],
        "total": result["meta"]["total_count"],
    }))
    .into_response())
}
