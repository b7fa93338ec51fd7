//! "Preview data" under one connected source: its first records, read through Airbyte's execute
//! operation by the demo server, with the entity to show picked from the ones the mock lists.

use serde_json::Value;
use yew::prelude::*;

use crate::services::{self, SourcePreview};

#[derive(Debug, Properties, PartialEq)]
pub struct SourceDataProps {
    pub user: AttrValue,
    pub source_id: AttrValue,
    pub source_name: AttrValue,
}

/// The columns shown: the keys of the records, first seen first, at most six.
fn columns(records: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for record in records {
        if let Value::Object(map) = record {
            for key in map.keys() {
                if out.len() < 6 && !out.contains(key) {
                    out.push(key.clone());
                }
            }
        }
    }
    out
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[component]
pub fn SourceData(props: &SourceDataProps) -> Html {
    let preview = use_state(|| None::<Result<SourcePreview, String>>);
    let loading = use_state(|| false);
    let load = {
        let (preview, loading) = (preview.clone(), loading.clone());
        let (user, source_id) = (props.user.clone(), props.source_id.clone());
        Callback::from(move |entity: Option<String>| {
            let (preview, loading) = (preview.clone(), loading.clone());
            let (user, source_id) = (user.clone(), source_id.clone());
            loading.set(true);
            yew::platform::spawn_local(async move {
                let result = services::preview_source(&user, &source_id, entity.as_deref())
                    .await
                    .map_err(|e| e.to_string());
                preview.set(Some(result));
                loading.set(false);
            });
        })
    };
    let onclick = {
        let (load, preview) = (load.clone(), preview.clone());
        Callback::from(move |_| match &*preview {
            Some(_) => preview.set(None),
            None => load.emit(None),
        })
    };
    let open = preview.is_some();
    let onchange = {
        let load = load.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            load.emit(Some(select.value()));
        })
    };
    let select_id = format!("entity-{}", props.source_id);
    let body = match &*preview {
        None => Html::default(),
        Some(Err(error)) => {
            html! { <p class="inline-error">{ format!("Could not preview the data: {error}") }</p> }
        }
        Some(Ok(p)) => {
            let cols = columns(&p.records);
            let summary = match p.total {
                Some(total) => format!("{} of {total} {}", p.records.len(), p.entity),
                None => format!("{} {}", p.records.len(), p.entity),
            };
            html! {
                <div class="source-data" data-entity={p.entity.clone()}>
                    if let Some(entities) = &p.entities {
                        <label for={select_id.clone()}>{ "Entity " }</label>
                        <select id={select_id.clone()} {onchange} disabled={*loading}>
                            { for entities.iter().map(|e| html! {
                                <option value={e.clone()} selected={*e == p.entity}>{ e }</option>
                            }) }
                        </select>
                    }
                    <p class="muted small-print" data-records={p.records.len().to_string()}>{ summary }</p>
                    <div class="table-scroll">
                        <table>
                            <thead><tr>{ for cols.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                            <tbody>
                                { for p.records.iter().map(|r| html! {
                                    <tr>{ for cols.iter().map(|c| html! { <td>{ cell(r.get(c)) }</td> }) }</tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </div>
            }
        }
    };
    html! {
        <>
            <button type="button" class="button-secondary small source-data-toggle"
                    aria-expanded={open.to_string()}
                    aria-label={format!("{} data of {}", if open { "Hide" } else { "Preview" }, props.source_name)}
                    {onclick} disabled={*loading}>
                { if *loading { "Loading…" } else if open { "Hide data" } else { "Preview data" } }
            </button>
            { body }
        </>
    }
}
