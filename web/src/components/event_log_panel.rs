//! The live event log: every message the widget hands to `onEvent`, newest first, with its raw JSON
//! one click away. The onboarding demo's window into the protocol.

use yew::prelude::*;

use crate::event_log::EventLog;

#[derive(Debug, Properties, PartialEq)]
pub struct EventLogPanelProps {
    pub log: UseReducerHandle<EventLog>,
    pub on_clear: Callback<()>,
}

#[component]
pub fn EventLogPanel(props: &EventLogPanelProps) -> Html {
    let entries = &props.log.entries;
    let onclick = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_| on_clear.emit(()))
    };
    html! {
        <section class="card log-card" aria-labelledby="log-title">
            <div class="card-head">
                <h2 id="log-title">{ "Event log" }</h2>
                <span class="count" aria-label="number of events">{ entries.len() }</span>
                <button type="button" class="button-secondary small" {onclick} disabled={entries.is_empty()}>
                    { "Clear" }
                </button>
            </div>
            <p class="muted small-print">
                { "Messages the widget passes to " }<code>{ "onEvent" }</code>{ ", as they arrive." }
            </p>
            // The live region is a wrapper: role="log" on the <ol> itself would strip its list role,
            // leaving the <li>s outside any list (axe: listitem, serious).
            <div class="log-live" role="log" aria-label="Widget events">
                <ol id="event-log" class="log">
                    { for entries.iter().map(|entry| html! {
                        <li key={entry.id} class={classes!("log-entry", entry.kind.class())}
                            data-event={entry.name.clone()}>
                            <div class="log-head">
                                <time class="log-time">{ &entry.time }</time>
                                <code class="log-name">{ &entry.name }</code>
                                <span class="log-customer" title="customer">{ &entry.customer }</span>
                            </div>
                            if !entry.summary.is_empty() {
                                <p class="log-summary">{ &entry.summary }</p>
                            }
                            <details>
                                <summary>{ format!("JSON ({})", if entry.event_type.is_empty() { "no type" } else { &entry.event_type }) }</summary>
                                <pre><code>{ &entry.json }</code></pre>
                            </details>
                        </li>
                    }) }
                </ol>
            </div>
            if entries.is_empty() {
                <p class="muted empty">{ "No events yet. Connect a source and its events appear here." }</p>
            }
        </section>
    }
}
