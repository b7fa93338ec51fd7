/*
 * The authentication-module page of airbyte-mock (what the widget's iframe shows): the entry module,
 * loaded by index.html as <script type="module">; it wires the modules together and starts the page.
 *
 * Served at /embedded-widget?workspaceId=…&allowedOrigin=… (the modules under /embedded-widget/).
 * Protocol with the host page (AirbyteEmbeddedWidget), in protocol.js:
 *   1. on load, post "auth_token_request" to window.parent with targetOrigin = allowedOrigin;
 *   2. accept {scopedAuthToken} only when event.origin === allowedOrigin exactly (later pushes from
 *      widget.updateToken() replace the token);
 *   3. call the end-user API (same origin) with "Authorization: Bearer <scoped token>" (api.js);
 *   4. post {type: "end_user_action_result", message, data | error} after a create/update, and
 *      "CLOSE_DIALOG" from the close button; deleting posts nothing (views.js).
 * Unlike the real module, it explains origin mismatches and missing tokens on the page, with the
 * mock's verdict (diagnosis.js).
 *
 * Plain browser JavaScript modules, no dependencies, no build step.
 */

import { clearDiagnosis, diagnoseBadAllowedOrigin, diagnoseNoToken, diagnoseOriginMismatch } from "./diagnosis.js";
import { h } from "./dom.js";
import { onOAuthMessage } from "./oauth.js";
import { allowedOrigin, diagnosisSlot, screenSlot, servedVerdict, showScreen, showStatus, state, workspaceId } from "./page.js";
import { TOKEN_WAIT_MS, listenForToken, postToHost, requestToken } from "./protocol.js";
import { readToken } from "./token.js";
import { loadHome } from "./views.js";

function acceptToken(token) {
  clearTimeout(state.tokenTimer);
  const read = readToken(token, workspaceId);
  if (read.problem) {
    showTokenError(read.problem.title, read.problem.text);
    return;
  }
  const first = state.token === null;
  state.token = token;
  state.claims = read.claims;
  clearDiagnosis();
  if (first || state.needsReload) {
    state.needsReload = false;
    loadHome("new", false);
  }
}

function showTokenError(title, text) {
  state.needsReload = true;
  showScreen("Airbyte", h("div", { class: "alert", role: "alert" }, h("p", {}, h("strong", {}, title + ". "), text)));
}

function start() {
  document.getElementById("main").replaceChildren(diagnosisSlot, screenSlot);
  document.getElementById("close-button").addEventListener("click", () => postToHost("CLOSE_DIALOG"));
  // While focus is inside this iframe, Escape never reaches the host's <dialog>: do what it would do.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && !(event.target instanceof HTMLSelectElement)) {
      postToHost("CLOSE_DIALOG");
    }
  });
  listenForToken(acceptToken, diagnoseOriginMismatch);
  window.addEventListener("message", onOAuthMessage);

  if (allowedOrigin === null || allowedOrigin === "") {
    diagnoseBadAllowedOrigin("");
    showStatus("Airbyte", "This page cannot ask for its token.");
    return;
  }
  if (servedVerdict.allowed_origin_problem) {
    diagnoseBadAllowedOrigin("");
  }
  showStatus("Airbyte", "Connecting to the host page…");
  if (window.parent !== window) {
    const refused = requestToken();
    if (refused) {
      diagnoseBadAllowedOrigin("The browser refused to send the token request to it (" + refused.message + ").");
    }
  }
  state.tokenTimer = setTimeout(() => {
    // An origin mismatch already explained more precisely what went wrong: keep that one.
    if (state.token === null && !state.sawMismatch) diagnoseNoToken();
  }, TOKEN_WAIT_MS);
}

start();
