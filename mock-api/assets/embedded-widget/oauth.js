// OAuth for templates whose user_config_spec has advanced_auth: a consent pop-up served by the mock
// posts the generated credentials back, and they fill the form's fields by their config path.

import { h } from "./dom.js";
import { state, workspaceId } from "./page.js";
import { getPath } from "./schema-form.js";
import { workspaceOfClaims } from "./token.js";

export function buildOAuthBox(ctx) {
  const advanced = ctx.spec.advanced_auth;
  const name = ctx.template.name;
  const status = h("p", { role: "status" }, "Sign in with " + name + " to fill in the credentials automatically.");
  const button = h("button", { type: "button", class: "button", onclick: () => startOAuth(ctx, status) }, "Authenticate with " + name);
  const box = h("div", { class: "oauth-box" }, button, status);
  ctx.updateOAuthVisibility = () => {
    const key = Array.isArray(advanced.predicate_key) ? advanced.predicate_key : [];
    if (key.length === 0) {
      box.hidden = false;
      return;
    }
    const values = ctx.root.collect() || {};
    box.hidden = getPath(values, key) !== advanced.predicate_value;
  };
  return box;
}

function startOAuth(ctx, status) {
  const url =
    "/embedded-widget/oauth/consent?source_template_id=" + encodeURIComponent(ctx.template.id) +
    "&workspace_id=" + encodeURIComponent(workspaceId || workspaceOfClaims(state.claims || {}) || "");
  const popup = window.open(url, "airbyte-oauth", "width=500,height=640");
  if (!popup) {
    ctx.showAlert("The browser blocked the " + ctx.template.name + " sign-in pop-up. Allow pop-ups for this page and try again.");
    return;
  }
  ctx.oauthPopup = popup;
  ctx.oauthStatus = status;
  status.textContent = "Waiting for " + ctx.template.name + " in the pop-up window…";
}

export function onOAuthMessage(event) {
  if (event.origin !== window.location.origin) return;
  const ctx = state.form;
  const data = event.data;
  if (!ctx || !ctx.oauthPopup || event.source !== ctx.oauthPopup || !data || typeof data !== "object") return;
  const name = ctx.template.name;
  if (data.type === "completed" && data.auth_payload && typeof data.auth_payload === "object") {
    for (const [dotPath, value] of Object.entries(data.auth_payload)) {
      const node = ctx.nodes.get(dotPath);
      if (node && node.setValue) {
        node.setValue(value);
        if (node.markFilledBy) node.markFilledBy("Filled by " + name + " OAuth");
      } else {
        ctx.extra[dotPath] = value; // not shown in the form, sent anyway
      }
    }
    ctx.clearAlert();
    ctx.oauthStatus.textContent = "Authenticated with " + name + ". The credentials below were filled in.";
    ctx.oauthPopup = null;
  } else if (data.type === "denied") {
    ctx.showAlert("Authentication with " + name + " was denied." + (data.error ? " (" + data.error + ")" : ""));
    ctx.oauthStatus.textContent = "Sign in with " + name + " to fill in the credentials automatically.";
    ctx.oauthPopup = null;
  }
}
