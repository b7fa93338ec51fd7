// The operator console: installation details, the connector catalog with enable/disable (source
// templates), customers with their sources and connections, destinations, execute on a source, and a
// widget preview. Every call goes through api.js: the mock's published operator API, plus the
// mock-only reads (connections, a source's entities) and fault rules under /_mock.

import { api, control, getCredentials } from "./api.js";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function report(error) {
  $("status").textContent = error ? String(error.message || error) : "";
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Fallback where the Clipboard API is unavailable (no secure context, no permission).
    const area = el("textarea", { "aria-hidden": "true", style: "position:fixed;top:-1000px" });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      area.remove();
    }
  }
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

async function renderInstallation() {
  const creds = await getCredentials();
  const list = $("credentials");
  list.replaceChildren();
  for (const [label, key] of [["API base URL", "api_url"], ["Client ID", "client_id"], ["Client secret", "client_secret"]]) {
    const button = el("button", { type: "button", class: "secondary", "aria-label": `Copy ${label}` }, "Copy");
    button.addEventListener("click", () => copy(creds[key], button));
    list.append(el("dt", {}, label), el("dd", { "data-field": key }, el("code", {}, creds[key]), button));
  }
}

async function renderConnectors() {
  const [definitions, templates] = await Promise.all([
    api("GET", "/api/v1/integrations/definitions/sources"),
    api("GET", "/api/v1/integrations/templates/sources"),
  ]);
  const byDefinition = new Map();
  for (const template of templates.data || []) {
    const list = byDefinition.get(template.actor_definition_id) || [];
    list.push(template);
    byDefinition.set(template.actor_definition_id, list);
  }
  const items = (definitions.definitions || []).map((definition) => {
    const id = definition.sourceDefinitionId;
    const enabled = byDefinition.get(id) || [];
    const toggle = el(
      "button",
      { type: "button", class: enabled.length ? "secondary" : "", "aria-label": `${enabled.length ? "Disable" : "Enable"} ${definition.name}` },
      enabled.length ? "Disable" : "Enable",
    );
    toggle.addEventListener("click", () =>
      act(async () => {
        if (enabled.length) {
          for (const template of enabled) {
            await api("DELETE", `/api/v1/integrations/templates/sources/${template.id}`);
          }
        } else {
          await api("POST", "/api/v1/integrations/templates/sources", { actor_definition_id: id, partial_default_config: {} });
        }
        await renderConnectors();
        $("connector-list").querySelector(`[data-definition-id="${id}"] button`)?.focus();
      }),
    );
    const tags = enabled.flatMap((t) => t.tags || []);
    return el(
      "li",
      { "data-definition-id": id, "data-name": definition.name, "data-enabled": String(enabled.length > 0) },
      el(
        "div",
        { class: "row" },
        definition.iconUrl ? el("img", { src: definition.iconUrl, alt: "" }) : null,
        el("strong", {}, definition.name),
        el("span", { class: enabled.length ? "enabled" : "disabled" }, enabled.length ? "enabled" : "disabled"),
        toggle,
      ),
      el("div", { class: "muted" }, definition.dockerRepository || ""),
      tags.length ? el("div", { class: "tags" }, tags.map((t) => el("span", { class: "tag" }, t))) : null,
    );
  });
  $("connector-list").replaceChildren(...items);
}

function jobSummary(job) {
  if (!job) return "no sync yet";
  const when = job.ended_at || job.started_at || job.created_at;
  const records = job.records === null || job.records === undefined ? "" : `, ${job.records} records`;
  return `${job.status}${records}, ${when}`;
}

async function renderCustomers() {
  const workspaces = await api("GET", "/api/v1/workspaces");
  // Every customer's sources, in the list's order, for the execute form too (read once, here).
  const sourcesByWorkspace = [];
  const items = await Promise.all(
    (workspaces.data || []).map(async (workspace, index) => {
      const name = encodeURIComponent(workspace.name);
      const [sources, connections] = await Promise.all([
        api("GET", `/api/v1/integrations/connectors?workspace_name=${name}`),
        control(`/workspaces/${name}/connections`),
      ]);
      sourcesByWorkspace[index] = { workspace: workspace.name, sources: sources.data || [] };
      const sourceItems = (sources.data || []).map((source) =>
        el("li", { "data-source-id": source.id }, source.name),
      );
      const rows = (connections.data || []).map((c) => {
        const fail = el(
          "button",
          { type: "button", class: "secondary", "aria-label": `Fail the next sync of ${c.source_name} to ${c.destination_name}` },
          "Fail next sync",
        );
        fail.addEventListener("click", () =>
          act(async () => {
            const rule = await control("/faults", "POST", { connection_id: c.id, times: 1, failure: "failed from the operator console" });
            fail.textContent = `Next sync fails (${rule.id})`;
            fail.disabled = true;
          }),
        );
        return el(
          "tr",
          { "data-connection-id": c.id },
          el("td", {}, c.source_name),
          el("td", {}, c.destination_name),
          el("td", { class: "last-job" }, jobSummary(c.last_job)),
          el("td", {}, fail),
        );
      });
      return el(
        "li",
        { "data-workspace": workspace.name },
        el("h3", {}, workspace.name),
        el("div", {}, `Sources (${sourceItems.length})`),
        sourceItems.length ? el("ul", { class: "sources" }, sourceItems) : el("p", {}, "No source yet."),
        rows.length
          ? el(
              "table",
              {},
              el("thead", {}, el("tr", {}, el("th", {}, "Source"), el("th", {}, "Destination"), el("th", {}, "Last job"), el("th", {}, el("span", { class: "visually-hidden" }, "Actions")))),
              el("tbody", {}, rows),
            )
          : null,
      );
    }),
  );
  $("customer-list").replaceChildren(...(items.length ? items : [el("li", {}, "No customer yet.")]));
  await renderExecuteSources(sourcesByWorkspace);
}

// Execute: what an agent does with a connected source. The entity list comes from the mock-only
// /_mock/sources/{id}/entities; the call itself is the published POST …/connectors/{id}/execute.
async function renderExecuteSources(sourcesByWorkspace) {
  const select = $("execute-source");
  const previous = select.value;
  const options = sourcesByWorkspace.flatMap(({ workspace, sources }) =>
    sources.map((source) => el("option", { value: source.id }, `${workspace} — ${source.name}`)),
  );
  select.replaceChildren(...(options.length ? options : [el("option", { value: "" }, "No source yet")]));
  if (options.some((o) => o.value === previous)) select.value = previous;
  await renderEntities();
}

async function renderEntities() {
  const id = $("execute-source").value;
  const entitySelect = $("execute-entity");
  if (!id) {
    entitySelect.replaceChildren();
    return;
  }
  const offered = await control(`/sources/${id}/entities`);
  entitySelect.replaceChildren(
    ...offered.entities.map((e) => el("option", { value: e.name }, `${e.name} (${e.records} records)`)),
  );
}

function recordsTable(records) {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))].slice(0, 6);
  const cell = (value) => (value !== null && typeof value === "object" ? JSON.stringify(value) : String(value ?? ""));
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c)))),
    el("tbody", {}, records.map((r) => el("tr", {}, columns.map((c) => el("td", {}, cell(r[c])))))),
  );
}

async function runExecute(event) {
  event.preventDefault();
  const id = $("execute-source").value;
  const entity = $("execute-entity").value;
  if (!id || !entity) return;
  await act(async () => {
    const limit = Number($("execute-limit").value) || 5;
    const reply = await api("POST", `/api/v1/integrations/connectors/${id}/execute`, {
      entity,
      action: "list",
      params: { limit },
    });
    const page = reply.result || {};
    const records = page.data || [];
    const meta = page.meta || {};
    $("execute-result").replaceChildren(
      el(
        "p",
        { "data-records": String(records.length) },
        `${records.length} ${entity} from ${reply.connector_metadata.connector_name} in ${reply.execution_metadata.execution_time_ms} ms` +
          (meta.has_next_page ? ` of ${meta.total_count}` : ""),
      ),
      records.length ? recordsTable(records) : null,
    );
  });
}

async function renderDestinations() {
  const reply = await api("GET", "/api/v1/integrations/definitions/destinations");
  $("destination-list").replaceChildren(
    ...(reply.destinations || []).map((d) =>
      el(
        "li",
        { "data-destination-id": d.id },
        el("div", { class: "row" }, d.icon ? el("img", { src: d.icon, alt: "" }) : null, el("strong", {}, d.name)),
      ),
    ),
  );
}

let widgetScript = null;
function loadWidget() {
  if (window.AirbyteEmbeddedWidget) return Promise.resolve();
  widgetScript ||= new Promise((resolve, reject) => {
    const script = el("script", { src: "/widget.js" });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error("could not load /widget.js")));
    document.head.append(script);
  });
  return widgetScript;
}

async function preview(event) {
  event.preventDefault();
  const workspace_name = $("customer-name").value.trim();
  if (!workspace_name) return;
  await act(async () => {
    const [{ token }] = await Promise.all([
      api("POST", "/api/v1/account/applications/widget-token", { workspace_name, allowed_origin: location.origin }),
      loadWidget(),
    ]);
    const opener = document.activeElement;
    const widget = new window.AirbyteEmbeddedWidget({ token });
    window.consoleWidget = widget;
    hostAccessibility(widget, `Airbyte widget preview for ${workspace_name}`, opener);
    widget.open();
    widget.iframe?.contentWindow?.focus();
  });
}

/**
 * The host's share of accessibility, which the widget (like the real 0.4.5 one) leaves to the page
 * embedding it: a title on its iframe (else screen readers announce a nameless frame; axe
 * frame-title), the keyboard focus in the module page once it has loaded (showModal() focuses the
 * iframe element only, and the navigation from about:blank drops even that), and the focus back on
 * the opener when the dialog closes (Chromium leaves it on the iframe when it was inside it).
 */
function hostAccessibility(widget, title, opener) {
  const { iframe, dialog } = widget;
  if (!iframe || !dialog) return;
  iframe.setAttribute("title", title);
  iframe.addEventListener("load", () => {
    if (dialog.open && document.activeElement === iframe) iframe.contentWindow?.focus();
  });
  dialog.addEventListener("close", () => {
    if (opener instanceof HTMLElement && opener.isConnected && opener !== document.body) opener.focus();
  });
}

async function act(work) {
  report(null);
  try {
    await work();
  } catch (error) {
    report(error);
  }
}

async function main() {
  $("preview-form").addEventListener("submit", preview);
  $("refresh-customers").addEventListener("click", () => act(renderCustomers));
  $("execute-form").addEventListener("submit", runExecute);
  $("execute-source").addEventListener("change", () => act(renderEntities));
  await act(renderInstallation);
  await Promise.all([act(renderConnectors), act(renderCustomers), act(renderDestinations)]);
  document.body.dataset.ready = "true";
}

main();
