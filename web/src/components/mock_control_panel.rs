//! "Mock control": shown only when the server talks to the offline mock. Reset the mock, make the
//! next widget token or source creation fail once, and watch every request the mock answers, live,
//! newest first, with the request and response bodies one click away (secrets masked by the mock).

use yew::prelude::*;

use crate::format::milliseconds;
use crate::hooks::{FaultTarget, MockNotice, StreamState, UseMockControlHandle};
use crate::journal::{body_text, short_time};

#[derive(Debug, Properties, PartialEq)]
pub struct MockControlPanelProps {
    pub control: UseMockControlHandle,
}

#[component]
pub fn MockControlPanel(props: &MockControlPanelProps) -> Html {
    let control = &props.control;
    let entries = &control.journal.entries;
    let on = |callback: &Callback<()>| {
        let callback = callback.clone();
        Callback::from(move |_: MouseEvent| callback.emit(()))
    };
    let fault = |target: FaultTarget| {
        let add_fault = control.add_fault.clone();
        Callback::from(move |_: MouseEvent| add_fault.emit(target))
    };
    let busy = control.busy;
    let (notice_class, notice_text) = match &control.notice {
        Some(MockNotice::Done(text)) => ("mock-notice", text.clone()),
        Some(MockNotice::Failed(text)) => ("mock-notice inline-error", text.clone()),
        None => ("mock-notice", String::new()),
    };
    let stream_note = match &control.stream {
        StreamState::Connecting => html! { <span class="muted">{ "connecting…" }</span> },
        StreamState::Live => html! { <span class="live-dot">{ "live" }</span> },
        StreamState::Unavailable(why) => html! { <span class="inline-error">{ why }</span> },
    };
    let status = FaultTarget::STATUS;

    html! {
        <section id="mock-control" class="card mock-card" aria-labelledby="mock-title">
            <div class="card-head">
                <h2 id="mock-title">{ "Mock control" }</h2>
                <span class="count" aria-label="requests shown">{ entries.len() }</span>
                <button id="mock-reset" type="button" class="button-secondary small"
                        onclick={on(&control.reset)} disabled={busy}>
                    { "Reset" }
                </button>
            </div>
            <p class="muted small-print">
                { "The offline mock's control plane (" }<code>{ "/_mock" }</code>
                { "): back to the seeded state, one-shot faults, and every request it answers." }
            </p>
            <div class="mock-actions" role="group" aria-label="One-shot faults">
                <button id="mock-fault-widget-token" type="button" class="button-secondary small"
                        onclick={fault(FaultTarget::WidgetToken)} disabled={busy}>
                    { format!("Fail the next widget token ({status})") }
                </button>
                <button id="mock-fault-source-create" type="button" class="button-secondary small"
                        onclick={fault(FaultTarget::SourceCreate)} disabled={busy}>
                    { format!("Fail the next source creation ({status})") }
                </button>
                <button id="mock-clear-faults" type="button" class="button-link"
                        onclick={on(&control.clear_faults)} disabled={busy}>
                    { "Remove all faults" }
                </button>
            </div>
            <p id="mock-status" class={notice_class} role="status">{ notice_text }</p>
            <div class="journal-head">
                <h3>{ "Requests" }</h3>
                { stream_note }
                <button type="button" class="button-link" onclick={on(&control.clear_journal)}
                        disabled={busy || entries.is_empty()}>
                    { "Clear" }
                </button>
            </div>
            // role="log" on a wrapper, not on the <ol> (that would strip its list role; axe: listitem).
            <div class="log-live" role="log" aria-label="Requests the mock answered">
                <ol id="mock-journal" class="log journal">
                    { for entries.iter().map(|entry| {
                        let failed = entry.status >= 400;
                        let fault = entry.fault.as_ref().filter(|f| !f.is_null()).map(|f| match f {
                            serde_json::Value::String(id) => id.clone(),
                            other => other.to_string(),
                        });
                        let request = body_text(entry.request_body.as_ref());
                        let response = body_text(entry.response_body.as_ref());
                        let target = match &entry.query {
                            Some(query) if !query.is_empty() => format!("{}?{query}", entry.path),
                            _ => entry.path.clone(),
                        };
                        html! {
                            <li key={entry.id} class={classes!("log-entry", if failed { "kind-error" } else { "kind-success" })}
                                data-method={entry.method.clone()} data-path={entry.path.clone()}
                                data-status={entry.status.to_string()}>
                                <div class="log-head">
                                    <time class="log-time" datetime={entry.time.clone()}>{ short_time(&entry.time) }</time>
                                    <code class="log-name">{ format!("{} {target}", entry.method) }</code>
                                    <span class={classes!("http-status", failed.then_some("failed"))}>{ entry.status }</span>
                                </div>
                                <p class="log-summary muted">
                                    { milliseconds(entry.latency_ms) }
                                    if let Some(kind) = entry.token_kind.as_deref().filter(|k| *k != "none") {
                                        { format!(" · {kind} token") }
                                    }
                                    if let Some(workspace) = &entry.workspace {
                                        { " · " }{ workspace }
                                    }
                                    if let Some(fault) = fault {
                                        { " · " }<strong class="fault-tag">{ format!("fault {fault}") }</strong>
                                    }
                                </p>
                                if let Some(body) = request {
                                    <details>
                                        <summary>{ "Request body" }</summary>
                                        <pre><code>{ body }</code></pre>
                                    </details>
                                }
                                if let Some(body) = response {
                                    <details>
                                        <summary>{ "Response body" }</summary>
                                        <pre><code>{ body }</code></pre>
                                    </details>
                                }
                            </li>
                        }
                    }) }
                </ol>
            </div>
            if entries.is_empty() {
                <p class="muted empty">{ "No requests yet. Use the app and each call to the mock appears here." }</p>
            }
        </section>
    }
}
