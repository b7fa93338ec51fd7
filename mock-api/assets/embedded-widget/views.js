// The page's screens: the integration list ("Add a new integration" / "Saved integrations"), delete
// confirmation, the connector form with check-then-save, and success. A create or update posts its
// end_user_action_result to the host; a delete posts nothing, as in the real module.

import { API, ApiError, api } from "./api.js";
import { h, iconElement } from "./dom.js";
import { buildOAuthBox } from "./oauth.js";
import { showScreen, showStatus, state } from "./page.js";
import { postToHost } from "./protocol.js";
import { buildObjectNode, clone, setPath } from "./schema-form.js";

// ---------------------------------------------------------------------------------------------
// Home: tabs "Add a new integration" / "Saved integrations"
// ---------------------------------------------------------------------------------------------
export async function loadHome(tab, focus) {
  showStatus("Select integration", "Loading integrations…");
  try {
    const [templates, sources] = await Promise.all([api("GET", API + "/source-templates"), api("GET", API + "/sources")]);
    state.templates = (templates && templates.data) || [];
    state.sources = (sources && sources.data) || [];
  } catch (error) {
    showLoadError("Could not load the integrations", error, () => loadHome(tab, true));
    return;
  }
  if (!state.autoOpenDone) {
    state.autoOpenDone = true;
    if (state.templates.length === 1 && state.sources.length === 0) {
      openTemplateForm(state.templates[0].id, false);
      return;
    }
  }
  renderHome(tab, focus);
}

function showLoadError(title, error, retry) {
  showScreen(
    "Airbyte",
    h(
      "div",
      {},
      h("div", { class: "alert", role: "alert" }, h("p", {}, h("strong", {}, title + ": "), error.message)),
      retry ? h("div", { class: "button-row" }, h("button", { type: "button", class: "button secondary", onclick: retry }, "Try again")) : null
    ),
    { focus: true }
  );
}

function renderHome(tab, focus) {
  const tabs = [
    { id: "new", label: "Add a new integration" },
    { id: "saved", label: "Saved integrations" },
  ];
  const tabButtons = tabs.map((t) =>
    h(
      "button",
      {
        type: "button",
        role: "tab",
        class: "tab",
        id: "tab-" + t.id,
        "aria-selected": String(t.id === tab),
        "aria-controls": "tab-panel",
        tabindex: t.id === tab ? "0" : "-1",
        onclick: () => renderHome(t.id, false),
        onkeydown: (event) => {
          if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
            event.preventDefault();
            const next = tabs[(tabs.findIndex((x) => x.id === t.id) + 1) % tabs.length].id;
            renderHome(next, false);
            document.getElementById("tab-" + next).focus();
          }
        },
      },
      t.label
    )
  );
  const panel = h("div", { id: "tab-panel", role: "tabpanel", "aria-labelledby": "tab-" + tab }, tab === "new" ? templateList() : savedList());
  showScreen(
    tab === "new" ? "Select integration" : "Saved integrations",
    h("div", {}, h("div", { class: "tabs", role: "tablist", "aria-label": "Integrations" }, tabButtons), panel),
    { focus: focus }
  );
}

function templateList() {
  if (state.templates.length === 0) {
    return h("p", { class: "empty" }, "This organization has no available sources available to configure.");
  }
  const connected = new Set(state.sources.map((s) => s.summarized_source_template && s.summarized_source_template.id));
  return h(
    "ul",
    { class: "item-list", "aria-label": "Available integrations" },
    state.templates.map((t) =>
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", class: "template-button", onclick: () => openTemplateForm(t.id, true) },
          iconElement(t.icon, t.name),
          h("span", { class: "item-name" }, t.name),
          connected.has(t.id) ? h("span", { class: "badge" }, "Connected") : null
        )
      )
    )
  );
}

function savedList() {
  if (state.sources.length === 0) {
    return h("p", { class: "empty" }, "No saved integrations yet. Add one from the other tab.");
  }
  return h(
    "ul",
    { class: "item-list", "aria-label": "Saved integrations" },
    state.sources.map((s) => {
      const template = s.summarized_source_template || {};
      return h(
        "li",
        { class: "source-row" },
        iconElement(template.icon, template.name || s.name),
        h("span", { class: "item-name", title: s.name }, s.name),
        h("button", { type: "button", class: "button secondary small", "aria-label": "Edit " + s.name, onclick: () => openSourceForm(s.id) }, "Edit"),
        h("button", { type: "button", class: "button secondary small", "aria-label": "Delete " + s.name, onclick: () => confirmDelete(s) }, "Delete")
      );
    })
  );
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------
function confirmDelete(source) {
  const alertBox = h("div", { class: "alert", role: "alert" });
  const yes = h("button", { type: "button", class: "button danger" }, "Yes, delete this integration");
  const no = h("button", { type: "button", class: "button secondary", onclick: () => renderHome("saved", true) }, "No, nevermind");
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    no.disabled = true;
    yes.textContent = "Deleting…";
    try {
      await api("DELETE", API + "/sources/" + encodeURIComponent(source.id));
      loadHome("saved", true); // no event is posted for deletes (as in the real module)
    } catch (error) {
      alertBox.replaceChildren(h("p", {}, "Could not delete the integration: " + error.message));
      yes.disabled = false;
      no.disabled = false;
      yes.textContent = "Yes, delete this integration";
    }
  });
  showScreen(
    "Delete integration",
    h(
      "div",
      { class: "confirm" },
      alertBox,
      h("h2", {}, "Are you sure you want to delete this integration?"),
      h("p", {}, source.name),
      h("div", { class: "button-row" }, yes, no)
    ),
    { focus: true }
  );
}

// ---------------------------------------------------------------------------------------------
// Connector form
// ---------------------------------------------------------------------------------------------
async function openTemplateForm(templateId, focus) {
  showStatus("Select integration", "Loading the form…");
  let template;
  try {
    template = await api("GET", API + "/source-templates/" + encodeURIComponent(templateId));
  } catch (error) {
    showLoadError("Could not load this integration", error, () => loadHome("new", true));
    return;
  }
  renderForm({ mode: "create", template: template, values: clone(template.partial_default_config || {}) }, focus);
}

async function openSourceForm(sourceId) {
  showStatus("Saved integrations", "Loading the integration…");
  let source;
  let template;
  try {
    source = await api("GET", API + "/sources/" + encodeURIComponent(sourceId));
    template = source.source_template;
    if (!template || !template.user_config_spec) {
      const templateId = (template && template.id) || (source.summarized_source_template && source.summarized_source_template.id);
      template = await api("GET", API + "/source-templates/" + encodeURIComponent(templateId));
    }
  } catch (error) {
    showLoadError("Could not load this integration", error, () => loadHome("saved", true));
    return;
  }
  const values = clone(source.source_config || source.replication_config || {});
  renderForm({ mode: "edit", template: template, source: source, values: values }, true);
}

// ---------------------------------------------------------------------------------------------
// The form screen and saving
// ---------------------------------------------------------------------------------------------
function renderForm(options, focus) {
  const template = options.template;
  const spec = (template.user_config_spec && template.user_config_spec.connectionSpecification) || { type: "object", properties: {} };
  const ctx = {
    mode: options.mode,
    template: template,
    source: options.source,
    spec: template.user_config_spec || {},
    nodes: new Map(),
    extra: {},
    oauthPopup: null,
    onStructureChange: () => ctx.updateOAuthVisibility && ctx.updateOAuthVisibility(),
  };

  const alertBox = h("div", { class: "alert", role: "alert", id: "form-alert" });
  ctx.showAlert = (message, list) => {
    alertBox.replaceChildren(h("p", {}, message));
    if (list && list.length) alertBox.appendChild(h("ul", {}, list.map((t) => h("li", {}, t))));
  };
  ctx.clearAlert = () => alertBox.replaceChildren();
  ctx.alertBox = alertBox;

  ctx.root = buildObjectNode(ctx, [], spec, options.values || {}, true);
  const oauthBox = ctx.spec.advanced_auth ? buildOAuthBox(ctx) : null;

  const saveButton = h("button", { type: "submit", class: "button", id: "save-button" }, "Save");
  const backButton = h(
    "button",
    { type: "button", class: "button secondary", onclick: () => loadHome(options.mode === "edit" ? "saved" : "new", true) },
    options.mode === "edit" ? "Cancel" : "Back"
  );
  const form = h(
    "form",
    { novalidate: true, id: "connector-form", "aria-labelledby": "screen-title" },
    h(
      "div",
      { class: "form-intro" },
      iconElement(template.icon, template.name),
      h("p", { class: "help" }, options.mode === "edit" ? "Update the settings of " + (options.source.name || template.name) + "." : "Enter your " + template.name + " details.")
    ),
    alertBox,
    oauthBox,
    ctx.root.element,
    h("div", { class: "button-row" }, saveButton, backButton)
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(ctx, saveButton, backButton);
  });
  // Keep the OAuth button in step with the selected oneOf variant.
  form.addEventListener("change", ctx.onStructureChange);
  if (ctx.updateOAuthVisibility) ctx.updateOAuthVisibility();

  showScreen(template.name, form, { focus: focus, form: ctx });
}

function collectConfig(ctx) {
  const config = ctx.root.collect() || {};
  for (const [dotPath, value] of Object.entries(ctx.extra)) {
    setPath(config, dotPath.split("."), value);
  }
  return config;
}

class CheckFailedError extends Error {}

function fieldPathOf(field) {
  if (typeof field !== "string") return null;
  let path = field.trim();
  if (path.startsWith("/")) path = path.slice(1).replace(/\//g, ".");
  if (path === "source_config") return "";
  if (path.startsWith("source_config.")) return path.slice("source_config.".length);
  return path;
}

/** Shows the server's field errors next to their fields; returns the ones no field could show. */
function showServerFieldErrors(ctx, errors) {
  const unplaced = [];
  let first = null;
  for (const e of errors) {
    const path = fieldPathOf(e.field);
    let node = path ? ctx.nodes.get(path) : null;
    // Fall back to the closest shown ancestor (e.g. an error on a field inside an unshown variant).
    let probe = path;
    while (!node && probe && probe.includes(".")) {
      probe = probe.slice(0, probe.lastIndexOf("."));
      node = ctx.nodes.get(probe);
    }
    if (node && node.setError) {
      node.setError(e.message || "Invalid value.");
      first = first || node;
    } else {
      unplaced.push((e.field ? e.field + ": " : "") + (e.message || e.error_code || "invalid"));
    }
  }
  ctx.errorFocused = Boolean(first && first.focus);
  if (ctx.errorFocused) first.focus();
  return unplaced;
}

async function save(ctx, saveButton, backButton) {
  ctx.clearAlert();
  for (const node of ctx.nodes.values()) if (node.setError) node.setError(null);
  ctx.errorFocused = false;
  const problems = ctx.root.validate();
  if (problems.length) {
    ctx.showAlert(problems.length === 1 ? "Please fix the highlighted field." : "Please fix the " + problems.length + " highlighted fields.");
    if (problems[0].node.focus) problems[0].node.focus();
    return; // nothing was sent, so no event
  }
  const config = collectConfig(ctx);
  const editing = ctx.mode === "edit";
  const busy = (text) => {
    saveButton.textContent = text;
    saveButton.disabled = true;
    backButton.disabled = true;
  };
  busy("Checking…");
  try {
    const check = await api(
      "POST",
      API + "/sources/check",
      editing ? { source_id: ctx.source.id, source_config: config } : { source_template_id: ctx.template.id, source_config: config }
    );
    if (check && (check.status === "failed" || check.status === "cancelled")) {
      const reason = check.error_message || "the connector rejected these settings";
      throw new CheckFailedError(/check/i.test(reason) ? reason : "The connection check failed: " + reason);
    }
    busy("Saving…");
    const source = editing
      ? await api("PUT", API + "/sources/" + encodeURIComponent(ctx.source.id), { source_config: config })
      : await api("POST", API + "/sources", { source_template_id: ctx.template.id, source_config: config });
    postToHost({ type: "end_user_action_result", message: editing ? "source_updated" : "source_created", data: source });
    renderSuccess(ctx.template.name);
  } catch (error) {
    const action = editing ? "update" : "create";
    const message =
      error instanceof CheckFailedError
        ? error.message
        : "Could not " + action + " the " + ctx.template.name + " integration: " + error.message + ".";
    postToHost({ type: "end_user_action_result", message: editing ? "source_update_error" : "source_create_error", error: new Error(message) });
    ctx.showAlert(message, []);
    const unplaced = error instanceof ApiError ? showServerFieldErrors(ctx, error.fieldErrors) : [];
    if (unplaced.length) ctx.showAlert(message, unplaced);
    if (!ctx.errorFocused) ctx.alertBox.scrollIntoView({ block: "nearest" });
    saveButton.textContent = "Save";
    saveButton.disabled = false;
    backButton.disabled = false;
  }
}

function renderSuccess(templateName) {
  showScreen(
    templateName,
    h(
      "div",
      { class: "success" },
      h("div", { class: "success-mark", "aria-hidden": "true" }, "\u2713"),
      h("h2", {}, "Success!"),
      h("p", {}, "You've connected your account."),
      h("button", { type: "button", class: "button", onclick: () => loadHome("new", true) }, "Back to integrations")
    ),
    { focus: true }
  );
}
