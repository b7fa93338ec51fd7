// What the whole page shares: its URL parameters, the server's verdict on allowedOrigin, the session
// state, and the two slots it draws into (a diagnosis above the current screen).

import { h } from "./dom.js";

const params = new URLSearchParams(window.location.search);
export const workspaceId = params.get("workspaceId"); // URLSearchParams already percent-decodes
export const allowedOrigin = params.get("allowedOrigin");

/**
 * The mock judges allowedOrigin by the same Rust rules as the widget-token endpoint and writes its
 * verdict into the page (a JSON data block, which the CSP allows because it never runs), so the rules
 * exist once. {allowed_origin_problem: string | null}
 */
export const servedVerdict = (() => {
  const element = document.getElementById("origin-verdict");
  try {
    return JSON.parse(element ? element.textContent : "{}") || {};
  } catch (_error) {
    return {};
  }
})();

export const state = {
  token: null,
  claims: null,
  templates: [],
  sources: [],
  autoOpenDone: false,
  tokenTimer: null,
  form: null, // the current connector form context, if a form is shown
  sawMismatch: false, // a token arrived from the wrong origin (a more precise diagnosis than "no token")
  needsReload: false, // the last token was rejected: load the home screen when a good one arrives
};

const titleEl = document.getElementById("screen-title");
export const diagnosisSlot = h("div", { id: "diagnosis", class: "diagnosis-slot" });
export const screenSlot = h("div", { id: "screen" });

export function showScreen(title, content, options) {
  titleEl.textContent = title;
  screenSlot.replaceChildren(content);
  state.form = options && options.form ? options.form : null;
  if (options && options.focus) {
    titleEl.focus();
  }
}

export function showStatus(title, text) {
  showScreen(title, h("p", { class: "status", role: "status" }, text));
}
