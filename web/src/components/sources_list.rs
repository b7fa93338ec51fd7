//! "Connected sources": the signed-in user's sources with icon, name and creation time.

use yew::prelude::*;

use std::collections::HashMap;
use std::rc::Rc;

use super::SourceData;
use crate::format::{format_timestamp, icon_src, initials, sync_label};
use crate::hooks::SourcesState;
use crate::services::SyncStatus;

#[derive(Debug, Properties, PartialEq)]
pub struct SourcesListProps {
    pub state: SourcesState,
    pub on_refresh: Callback<()>,
    /// Source id → its replication state (empty off the mock).
    #[prop_or_default]
    pub sync: Rc<HashMap<String, SyncStatus>>,
}

#[component]
pub fn SourcesList(props: &SourcesListProps) -> Html {
    let state = &props.state;
    let onclick = {
        let on_refresh = props.on_refresh.clone();
        Callback::from(move |_| on_refresh.emit(()))
    };
    let items = state
        .items
        .as_deref()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let body = if let Some(error) = &state.error {
        html! { <p class="inline-error">{ format!("Could not load the sources: {error}") }</p> }
    } else if state.items.is_none() {
        html! { <p class="muted">{ "Loading…" }</p> }
    } else if items.is_empty() {
        html! {
            <p class="muted empty">
                { "No connected sources yet. Use " }<strong>{ "Connect your data" }</strong>{ " to add one." }
            </p>
        }
    } else {
        Html::default()
    };
    html! {
        <section class="card" aria-labelledby="sources-title" aria-busy={state.loading.to_string()}>
            <div class="card-head">
                <h2 id="sources-title">{ "Connected sources" }</h2>
                <span class="count" aria-label="number of sources">{ items.len() }</span>
                <button type="button" class="button-secondary small" {onclick} disabled={state.loading}>
                    { if state.loading { "Refreshing…" } else { "Refresh" } }
                </button>
            </div>
            <p class="muted small-print">{ "For " }<strong>{ &state.user }</strong></p>
            <ul id="sources-list" class="sources">
                { for items.iter().map(|source| {
                    let template = &source.summarized_source_template;
                    let icon = match icon_src(template.icon.as_deref()) {
                        Some(src) => html! { <img class="source-icon" src={src} alt="" width="40" height="40" /> },
                        None => html! { <span class="source-icon placeholder" aria-hidden="true">{ initials(&template.name) }</span> },
                    };
                    let created = source.created_at.as_deref().map(|at| html! {
                        <time datetime={at.to_owned()} title={at.to_owned()}>{ format_timestamp(at) }</time>
                    });
                    let sync = props.sync.get(&source.id.to_string()).and_then(|s| {
                        let label = sync_label(
                            &s.state,
                            s.last_records,
                            s.last_sync_at.as_deref(),
                            s.last_sync_failed,
                            s.now.as_deref(),
                        )?;
                        let class = format!("source-sync sync-{}", s.state);
                        Some(html! { <span {class} data-sync-state={s.state.clone()}>{ label }</span> })
                    });
                    html! {
                        <li key={source.id.to_string()} class="source" data-source-id={source.id.to_string()}>
                            { icon }
                            <div class="source-text">
                                <span class="source-name">{ &source.name }</span>
                                <span class="source-meta">
                                    { &template.name }
                                    if let Some(created) = created {
                                        { " · connected " }{ created }
                                    }
                                </span>
                                { for sync }
                                <SourceData user={state.user.clone()} source_id={source.id.to_string()}
                                            source_name={source.name.clone()} />
                            </div>
                        </li>
                    }
                }) }
            </ul>
            { body }
        </section>
    }
}
