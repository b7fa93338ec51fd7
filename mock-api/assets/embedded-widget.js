/*
 * The authentication-module page of airbyte-mock (what the widget's iframe shows).
 *
 * Served at /embedded-widget?workspaceId=…&allowedOrigin=… (this file at /embedded-widget/app.js).
 * Protocol with the host page (AirbyteEmbeddedWidget):
 *   1. on load, post "auth_token_request" to window.parent with targetOrigin = allowedOrigin;
 *   2. accept {scopedAuthToken} only when event.origin === allowedOrigin exactly (later pushes from
 *      widget.updateToken() replace the token);
 *   3. call the end-user API (same origin) with "Authorization: Bearer <scoped token>";
 *   4. post {type: "end_user_action_result", message, data | error} after a create/update, and
 *      "CLOSE_DIALOG" from the close button; deleting posts nothing.
 * Unlike the real module, it explains origin mismatches and missing tokens on the page and reports them
 * to the mock (POST /embedded-widget/diagnostics).
 *
 * Plain browser JavaScript, no dependencies, no build step.
 */
(function () {
  "use strict";

  const MASK = "**********";
  const TOKEN_WAIT_MS = 5000;
  const API = "/api/v1/embedded";

  // ---------------------------------------------------------------------------------------------
  // Small DOM helper: h("button", {class: "x", onclick: fn}, "text", childNode, …)
  // Text is always set with text nodes, never parsed as HTML.
  // ---------------------------------------------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") {
        el.addEventListener(name.slice(2), value);
      } else if (name === "class") {
        el.className = value;
      } else if (name === "value" || name === "checked" || name === "hidden" || name === "disabled") {
        el[name] = value;
      } else {
        el.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return el;
  }

  // ---------------------------------------------------------------------------------------------
  // Page state
  // ---------------------------------------------------------------------------------------------
  const params = new URLSearchParams(window.location.search);
  const workspaceId = params.get("workspaceId"); // URLSearchParams already percent-decodes
  const allowedOrigin = params.get("allowedOrigin");

  const state = {
    token: null,
    claims: null,
    templates: [],
    sources: [],
    autoOpenDone: false,
    tokenTimer: null,
    reported: new Set(),
    form: null, // the current connector form context, if a form is shown
    sawMismatch: false, // a token arrived from the wrong origin (a more precise diagnosis than "no token")
    needsReload: false, // the last token was rejected: load the home screen when a good one arrives
  };

  const titleEl = document.getElementById("screen-title");
  const main = document.getElementById("main");
  const closeButton = document.getElementById("close-button");
  const diagnosisSlot = h("div", { id: "diagnosis", class: "diagnosis-slot" });
  const screenSlot = h("div", { id: "screen" });

  function showScreen(title, content, options) {
    titleEl.textContent = title;
    screenSlot.replaceChildren(content);
    state.form = options && options.form ? options.form : null;
    if (options && options.focus) {
      titleEl.focus();
    }
  }

  function showStatus(title, text) {
    showScreen(title, h("p", { class: "status", role: "status" }, text));
  }

  // ---------------------------------------------------------------------------------------------
  // Talking to the host page
  // ---------------------------------------------------------------------------------------------
  function postToHost(message) {
    if (!allowedOrigin || window.parent === window) {
      return false;
    }
    try {
      window.parent.postMessage(message, allowedOrigin);
      return true;
    } catch (error) {
      console.error("Could not post to the host page:", error);
      return false;
    }
  }

  function requestToken() {
    try {
      window.parent.postMessage("auth_token_request", allowedOrigin);
      return true;
    } catch (error) {
      // A malformed targetOrigin throws a SyntaxError: the message could never be delivered.
      diagnoseBadAllowedOrigin("The browser refused to send the token request to it (" + error.message + ").");
      return false;
    }
  }

  function onHostMessage(event) {
    const data = event.data;
    if (!data || typeof data !== "object" || !Object.prototype.hasOwnProperty.call(data, "scopedAuthToken")) {
      return;
    }
    if (event.origin !== allowedOrigin) {
      diagnoseOriginMismatch(event.origin);
      return;
    }
    acceptToken(data.scopedAuthToken);
  }

  // ---------------------------------------------------------------------------------------------
  // Scoped token
  // ---------------------------------------------------------------------------------------------
  function base64UrlDecode(segment) {
    let b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4 !== 0) b64 += "=";
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }

  function decodeJwtClaims(token) {
    const parts = token.split(".");
    if (parts.length !== 3) {
      throw new Error("it is not a JWT (expected three dot-separated parts, got " + parts.length + ")");
    }
    const claims = JSON.parse(base64UrlDecode(parts[1]));
    if (!claims || typeof claims !== "object") {
      throw new Error("its payload is not a JSON object");
    }
    return claims;
  }

  function workspaceOfClaims(claims) {
    const scope = claims["io.airbyte.auth.workspace_scope"];
    if (scope && typeof scope === "object" && scope.workspaceId) return scope.workspaceId;
    return claims["io.airbyte.auth.workspace_scope.workspaceId"] || null;
  }

  function acceptToken(token) {
    clearTimeout(state.tokenTimer);
    if (typeof token !== "string" || token === "") {
      showTokenError(
        "The host page sent an empty token",
        "The message had no usable scopedAuthToken (" + JSON.stringify(token) + "). The widget token's JSON probably has no \"token\" key: mint it again with the widget-token endpoint."
      );
      return;
    }
    let claims;
    try {
      claims = decodeJwtClaims(token);
    } catch (error) {
      showTokenError("The host page sent a token this page cannot read", "The scopedAuthToken could not be decoded: " + error.message + ".");
      return;
    }
    const tokenWorkspace = workspaceOfClaims(claims);
    if (workspaceId && tokenWorkspace && tokenWorkspace !== workspaceId) {
      showTokenError(
        "The token is for another workspace",
        "This page was opened for workspace " + workspaceId + " (the workspaceId in the widget URL), but the token is scoped to workspace " +
          tokenWorkspace + ". The widget URL and the token must come from the same widget token: pass the whole widget token to AirbyteEmbeddedWidget (or updateToken) instead of mixing parts of two tokens."
      );
      return;
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
      showTokenError(
        "The token has expired",
        "The scoped token expired at " + new Date(claims.exp * 1000).toISOString() + ". Mint a new widget token and call widget.updateToken(newToken), or create a new widget."
      );
      return;
    }

    const first = state.token === null;
    state.token = token;
    state.claims = claims;
    diagnosisSlot.replaceChildren();
    if (first || state.needsReload) {
      state.needsReload = false;
      loadHome("new", false);
    }
  }

  function showTokenError(title, text) {
    state.needsReload = true;
    showScreen("Airbyte", h("div", { class: "alert", role: "alert" }, h("p", {}, h("strong", {}, title + ". "), text)));
  }

  // ---------------------------------------------------------------------------------------------
  // Origin diagnostics (the real module hangs silently in all these cases)
  // ---------------------------------------------------------------------------------------------
  const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

  /** The origin a browser would write for `value`, or null if it has none. */
  function canonicalOrigin(value) {
    try {
      const origin = new URL(value).origin;
      return origin === "null" ? null : origin;
    } catch (_error) {
      return null;
    }
  }

  function looksLikeHostAndPort(value) {
    return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d+)?$/i.test(value);
  }

  /** Ways `value` differs from how a browser writes an origin (empty when it is a proper origin). */
  function originShapeProblems(value) {
    const problems = [];
    if (value !== value.trim()) {
      problems.push("it has leading or trailing whitespace");
    }
    const trimmed = value.trim();
    let url;
    try {
      url = new URL(trimmed);
    } catch (_error) {
      problems.push(
        looksLikeHostAndPort(trimmed)
          ? "it is not an absolute URL: an origin needs a scheme, e.g. 'http://" + trimmed + "'"
          : "it is not an absolute URL: an origin looks like 'https://app.example.com' or 'http://localhost:3000'"
      );
      return problems;
    }
    if (url.origin === "null") {
      problems.push(
        looksLikeHostAndPort(trimmed)
          ? "it has no scheme: '" + trimmed + "' reads as a URL with the scheme '" + url.protocol + "'; write 'http://" + trimmed + "'"
          : "it has no network origin (scheme '" + url.protocol + "'); use http:// or https://"
      );
      return problems;
    }
    const rest = trimmed.slice(url.origin.length);
    const explicitPort = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?=[/?#]|$)/i.exec(trimmed);
    if (explicitPort && url.port === "" && ((url.protocol === "https:" && explicitPort[1] === "443") || (url.protocol === "http:" && explicitPort[1] === "80"))) {
      problems.push("it writes the default port ':" + explicitPort[1] + "' explicitly; browsers leave the default port out of origins");
    } else if (trimmed.toLowerCase().startsWith(url.origin) && trimmed !== url.origin) {
      if (rest === "/") {
        problems.push("it ends with a trailing slash; origins never do");
      } else if (rest) {
        problems.push("it has a path or query ('" + rest + "'); an origin is only scheme, host and port");
      }
    }
    if (trimmed.toLowerCase() === url.origin && trimmed !== url.origin) {
      problems.push("it has upper-case letters; browsers write origins in lower case");
    }
    if (problems.length === 0 && trimmed !== url.origin) {
      problems.push("a browser writes this origin as '" + url.origin + "'");
    }
    return problems;
  }

  function effectivePort(url) {
    if (url.port) return url.port;
    return url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "";
  }

  /** Specific differences between the expected origin (allowedOrigin) and the one that showed up. */
  function originDifferences(expected, received) {
    const differences = originShapeProblems(expected).map((p) => "allowedOrigin '" + expected + "': " + p + ".");
    const canonical = canonicalOrigin(expected.trim());
    if (!canonical || !received || received === "null" || canonical === received) {
      return differences;
    }
    let a;
    let b;
    try {
      a = new URL(canonical);
      b = new URL(received);
    } catch (_error) {
      return differences;
    }
    if (a.protocol !== b.protocol) {
      differences.push("Scheme: expected " + a.protocol.slice(0, -1) + ", the page uses " + b.protocol.slice(0, -1) + ".");
    }
    if (a.hostname !== b.hostname) {
      if (LOOPBACK_HOSTS.includes(a.host.replace(/:\d+$/, "")) && LOOPBACK_HOSTS.includes(b.host.replace(/:\d+$/, ""))) {
        differences.push(
          "Host: expected '" + a.hostname + "', the page uses '" + b.hostname +
            "'. localhost, 127.0.0.1 and [::1] reach the same machine but are three different origins to a browser."
        );
      } else {
        differences.push("Host: expected '" + a.hostname + "', the page uses '" + b.hostname + "'.");
      }
    }
    if (a.protocol === b.protocol && effectivePort(a) !== effectivePort(b)) {
      differences.push("Port: expected " + effectivePort(a) + ", the page uses " + effectivePort(b) + ".");
    }
    return differences;
  }

  function fixFor(received) {
    if (received && received !== "null") {
      return "Mint the widget token with allowed_origin = '" + received + "' (exactly the host page's window.location.origin).";
    }
    const trimmed = allowedOrigin ? allowedOrigin.trim() : "";
    const canonical = trimmed ? canonicalOrigin(looksLikeHostAndPort(trimmed) ? "http://" + trimmed : trimmed) : null;
    if (canonical && canonical !== allowedOrigin) {
      return "Mint the widget token with allowed_origin = '" + canonical + "'" + (looksLikeHostAndPort(trimmed) ? " (or https://, whichever your page uses)." : ".");
    }
    return "Mint the widget token with allowed_origin set to exactly the host page's window.location.origin (scheme, host and port; no path, no trailing slash).";
  }

  /**
   * Shows a diagnosis and sends it to the mock's log (once per problem and received origin).
   * @param {{problem: string, heading: string, intro: string, received: string|null, receivedLabel: string,
   *          differences: string[], fix: string, notes?: string[]}} d
   */
  function showDiagnosis(d) {
    const rows = [h("dt", {}, "Expected"), h("dd", {}, allowedOrigin ? h("code", {}, allowedOrigin) : "(no allowedOrigin)")];
    rows.push(h("dt", {}, d.receivedLabel), h("dd", {}, d.received ? h("code", {}, d.received) : "unknown"));
    const panel = h(
      "section",
      { class: "diagnosis", role: "alert", "aria-labelledby": "diagnosis-heading" },
      h("h2", { id: "diagnosis-heading" }, d.heading),
      h("p", {}, d.intro),
      h("dl", {}, rows),
      d.differences.length ? h("ul", {}, d.differences.map((text) => h("li", {}, text))) : null,
      h("p", { class: "fix" }, d.fix),
      (d.notes || []).map((text) => h("p", {}, text))
    );
    diagnosisSlot.replaceChildren(panel);

    // Short enough for one log line: what is wrong and how to fix it (the page shows the long form).
    const hint = [d.heading + "."].concat(d.differences, [d.fix]).join(" ");
    const key = d.problem + "|" + (d.received || "");
    if (!state.reported.has(key)) {
      state.reported.add(key);
      console.warn("[airbyte-mock widget] " + hint);
      try {
        fetch("/embedded-widget/diagnostics", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ problem: d.problem, expected: allowedOrigin, received: d.received, hint: hint }),
          keepalive: true,
        }).catch(function () {});
      } catch (_error) {
        // fire and forget
      }
    }
  }

  function diagnoseOriginMismatch(received) {
    state.sawMismatch = true;
    showDiagnosis({
      problem: "origin_mismatch",
      heading: "The token came from an unexpected origin",
      intro:
        "A message with a scopedAuthToken arrived from " + received + ", but this widget was minted for allowedOrigin " +
        allowedOrigin + ". Origins must match exactly (the real Airbyte module silently ignores the token and hangs), so the token was ignored.",
      received: received,
      receivedLabel: "Received from",
      differences: originDifferences(allowedOrigin, received),
      fix: fixFor(received),
    });
  }

  function referrerOrigin() {
    if (!document.referrer) return null;
    return canonicalOrigin(document.referrer);
  }

  function diagnoseNoToken() {
    const hinted = referrerOrigin();
    const notes = [];
    if (window.parent === window) {
      notes.push("This page is not inside an iframe. Open it with new AirbyteEmbeddedWidget({token}).open() from the page whose origin the token was minted for.");
    }
    notes.push(
      "A cross-origin iframe cannot read its parent's origin, so this page cannot know for sure who embeds it. " +
        (hinted
          ? "The referrer says the embedding page is " + hinted + ", which is a strong hint" + (hinted === allowedOrigin ? " (it matches allowedOrigin: check that the host page created AirbyteEmbeddedWidget with this token and that nothing else swallows its messages)." : ".")
          : "The browser sent no referrer, so compare allowedOrigin with window.location.origin on your page yourself.")
    );
    showDiagnosis({
      problem: "no_token",
      heading: "No token arrived from the host page",
      intro:
        "This page asked the host for its token (posting \"auth_token_request\" to " + allowedOrigin +
        ") and nothing came back within " + TOKEN_WAIT_MS / 1000 + " seconds. The browser delivers that request only if the host page's origin is exactly " +
        allowedOrigin + ".",
      received: hinted,
      receivedLabel: "Referrer origin",
      differences: hinted && hinted !== allowedOrigin ? originDifferences(allowedOrigin, hinted) : originShapeProblems(allowedOrigin).map((p) => "allowedOrigin '" + allowedOrigin + "': " + p + "."),
      fix: fixFor(hinted && hinted !== allowedOrigin ? hinted : null),
      notes: notes,
    });
    showStatus("Airbyte", "Still waiting for the token…");
  }

  function diagnoseBadAllowedOrigin(extra) {
    const missing = !allowedOrigin;
    const problems = missing ? [] : originShapeProblems(allowedOrigin);
    showDiagnosis({
      problem: "bad_allowed_origin",
      heading: missing ? "The widget URL has no allowedOrigin" : "allowedOrigin is not an origin a browser can match",
      intro:
        missing
          ? "The iframe URL must carry ?allowedOrigin=<the host page's origin>; the widget-token endpoint adds it. Without it the page cannot ask for its token."
          : "The widget URL says allowedOrigin = '" + allowedOrigin + "'. Browsers compare it with the sending page's origin as a string, so it can never match." + (extra ? " " + extra : ""),
      received: referrerOrigin(),
      receivedLabel: "Referrer origin",
      differences: problems.map((p) => "allowedOrigin '" + allowedOrigin + "': " + p + "."),
      fix: fixFor(referrerOrigin()),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // API client
  // ---------------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super(describeApiError(status, body));
      this.name = "ApiError";
      this.status = status;
      this.body = body;
      this.fieldErrors = body && Array.isArray(body.errors) ? body.errors : [];
    }
  }

  function describeApiError(status, body) {
    let text = "";
    if (body && typeof body.message === "string" && body.message) {
      text = body.message;
    } else if (body && typeof body.detail === "string") {
      text = body.detail;
    } else if (body && Array.isArray(body.errors) && body.errors.length && body.errors[0].message) {
      text = body.errors[0].message;
    } else {
      text = "The server answered with an error";
    }
    if (status === 401) {
      text += " (your session token was rejected; if it expired, the host page can mint a new widget token and call widget.updateToken())";
    }
    return text + " (HTTP " + status + ")";
  }

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + state.token, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new Error("Could not reach the mock API (" + error.message + ")");
    }
    let payload = null;
    if (response.status !== 204) {
      const text = await response.text();
      if (text) {
        try {
          payload = JSON.parse(text);
        } catch (_error) {
          payload = { message: text.slice(0, 300) };
        }
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, payload);
    }
    return payload;
  }

  // ---------------------------------------------------------------------------------------------
  // Icons
  // ---------------------------------------------------------------------------------------------
  function iconElement(icon, name) {
    let src = null;
    if (typeof icon === "string" && icon.trim()) {
      const trimmed = icon.trim();
      if (trimmed.startsWith("<svg") || trimmed.startsWith("<?xml")) {
        src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(trimmed);
      } else if (/^(data:image\/|\/|https?:\/\/)/i.test(trimmed)) {
        src = trimmed;
      }
    }
    if (src) {
      return h("img", { class: "icon", src: src, alt: "", width: 32, height: 32 });
    }
    return h("span", { class: "icon placeholder", "aria-hidden": "true" }, (name || "?").trim().charAt(0).toUpperCase());
  }

  // ---------------------------------------------------------------------------------------------
  // Home: tabs "Add a new integration" / "Saved integrations"
  // ---------------------------------------------------------------------------------------------
  async function loadHome(tab, focus) {
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

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function getPath(object, path) {
    let current = object;
    for (const key of path) {
      if (current === null || typeof current !== "object") return undefined;
      current = current[key];
    }
    return current;
  }

  function setPath(object, path, value) {
    let current = object;
    for (let i = 0; i < path.length - 1; i++) {
      if (current[path[i]] === null || typeof current[path[i]] !== "object") current[path[i]] = {};
      current = current[path[i]];
    }
    current[path[path.length - 1]] = value;
  }

  function fieldId(path) {
    return "field-" + path.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, "_")).join("-");
  }

  function humanize(key) {
    const text = String(key).replace(/[_-]+/g, " ").trim();
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /** Descriptions in connector specs often contain HTML or Markdown links: keep just their text. */
  function plainText(description) {
    if (typeof description !== "string") return "";
    const template = document.createElement("template");
    template.innerHTML = description.replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1");
    return (template.content.textContent || "").replace(/\s+/g, " ").trim();
  }

  function primaryType(schema) {
    if (Array.isArray(schema.type)) {
      return schema.type.find((t) => t !== "null") || "string";
    }
    if (schema.type) return schema.type;
    if (schema.properties) return "object";
    if (schema.oneOf) return "object";
    if (Array.isArray(schema.enum) && schema.enum.length && typeof schema.enum[0] !== "string") return typeof schema.enum[0];
    return "string";
  }

  function isConstLike(schema) {
    return Object.prototype.hasOwnProperty.call(schema, "const") || (Array.isArray(schema.enum) && schema.enum.length === 1);
  }

  function constValue(schema) {
    return Object.prototype.hasOwnProperty.call(schema, "const") ? schema.const : schema.enum[0];
  }

  function orderedProperties(schema) {
    const entries = Object.entries(schema.properties || {}).map(([key, sub], index) => ({ key: key, schema: sub || {}, index: index }));
    const orderOf = (e) => (typeof e.schema.order === "number" ? e.schema.order : Number.POSITIVE_INFINITY);
    entries.sort((a, b) => {
      const oa = orderOf(a);
      const ob = orderOf(b);
      if (oa !== ob) return oa < ob ? -1 : 1;
      return a.index - b.index;
    });
    return entries;
  }

  /** Builds the label, help text and error element shared by every kind of field. */
  function fieldParts(path, schema, key, required, extraHelp) {
    const id = fieldId(path);
    const labelText = schema.title || humanize(key);
    const helpText = [plainText(schema.description), extraHelp].filter(Boolean).join(" ");
    const help = helpText ? h("p", { class: "help", id: id + "-help" }, helpText) : null;
    const error = h("p", { class: "field-error", id: id + "-error" });
    const describedBy = [help ? id + "-help" : null, id + "-error"].filter(Boolean).join(" ");
    const mark = required ? h("span", { class: "required-mark", "aria-hidden": "true" }, "*") : null;
    return { id: id, labelText: labelText, help: help, error: error, describedBy: describedBy, mark: mark };
  }

  /**
   * Builds a node for one property. Every node has: element (or null when hidden), collect() → value or
   * undefined, validate() → list of problems (and shows them), and is registered in ctx.nodes by dot path.
   */
  function buildNode(ctx, path, key, schema, required, value) {
    if (schema.airbyte_hidden) {
      return { element: null, collect: () => value, validate: () => [] };
    }
    if (isConstLike(schema)) {
      // e.g. a oneOf variant's discriminator ("auth_type": {"const": "OAuth"}): set automatically.
      const fixed = constValue(schema);
      return { element: null, collect: () => fixed, validate: () => [] };
    }
    const type = primaryType(schema);
    if (Array.isArray(schema.oneOf) && schema.oneOf.length) {
      return buildOneOfNode(ctx, path, key, schema, required, value);
    }
    if (type === "object" && schema.properties) {
      const parts = fieldParts(path, schema, key, required);
      const objectNode = buildObjectNode(ctx, path, schema, value && typeof value === "object" ? value : {}, required);
      const element = h(
        "fieldset",
        { id: parts.id, "aria-describedby": parts.describedBy },
        h("legend", {}, parts.labelText, parts.mark),
        parts.help,
        objectNode.element,
        parts.error
      );
      return { element: element, collect: objectNode.collect, validate: objectNode.validate };
    }
    if (type === "array" && schema.items && primaryType(schema.items) === "string" && !schema.items.oneOf && !schema.items.properties) {
      if (Array.isArray(schema.items.enum)) {
        return buildCheckboxGroup(ctx, path, key, schema, required, value);
      }
      return buildLeaf(ctx, path, key, schema, required, value, "list");
    }
    if (type === "array" && schema.items && primaryType(schema.items) === "object" && schema.items.properties && !schema.items.oneOf) {
      return buildObjectArray(ctx, path, key, schema, required, value);
    }
    if (type === "object" || type === "array") {
      return buildLeaf(ctx, path, key, schema, required, value, "json");
    }
    if (Array.isArray(schema.enum)) return buildLeaf(ctx, path, key, schema, required, value, "select");
    if (type === "boolean") return buildLeaf(ctx, path, key, schema, required, value, "boolean");
    if (type === "integer" || type === "number") return buildLeaf(ctx, path, key, schema, required, value, "number");
    if (schema.airbyte_secret) return buildLeaf(ctx, path, key, schema, required, value, "secret");
    if (schema.multiline) return buildLeaf(ctx, path, key, schema, required, value, "textarea");
    return buildLeaf(ctx, path, key, schema, required, value, "text");
  }

  function buildObjectNode(ctx, path, schema, values, objectRequired) {
    const requiredKeys = new Set(Array.isArray(schema.required) ? schema.required : []);
    const children = orderedProperties(schema).map((p) => ({
      key: p.key,
      node: buildNode(ctx, path.concat(p.key), p.key, p.schema, requiredKeys.has(p.key), values[p.key]),
    }));
    const container = h("div", { class: "object-fields" }, children.map((c) => c.node.element));
    return {
      element: container,
      collect() {
        const result = {};
        for (const child of children) {
          const v = child.node.collect();
          if (v !== undefined) result[child.key] = v;
        }
        const meaningful = children.some((c) => c.node.element && result[c.key] !== undefined);
        return meaningful || objectRequired || path.length === 0 ? result : undefined;
      },
      validate() {
        return children.flatMap((c) => c.node.validate());
      },
    };
  }

  function variantMatches(variant, value) {
    if (!value || typeof value !== "object") return false;
    const props = Object.entries(variant.properties || {}).filter(([, s]) => s && isConstLike(s));
    if (props.length) return props.every(([k, s]) => value[k] === constValue(s));
    const required = Array.isArray(variant.required) ? variant.required : [];
    return required.length > 0 && required.every((k) => value[k] !== undefined);
  }

  function buildOneOfNode(ctx, path, key, schema, required, value) {
    const variants = schema.oneOf;
    let selected = variants.findIndex((v) => variantMatches(v, value));
    if (selected < 0 && schema.default) selected = variants.findIndex((v) => variantMatches(v, schema.default));
    if (selected < 0) selected = 0;

    const parts = fieldParts(path, schema, key, required);
    const select = h(
      "select",
      { id: parts.id, "aria-describedby": parts.describedBy },
      variants.map((v, i) => h("option", { value: String(i) }, v.title || "Option " + (i + 1)))
    );
    select.value = String(selected);
    const slot = h("div", { class: "variant-fields" });
    let current = null;
    // Values typed into a variant are kept when switching away and back.
    const remembered = { [selected]: value && typeof value === "object" ? value : {} };

    function renderVariant(index, initial) {
      if (current && !initial) remembered[selected] = current.collect() || {};
      selected = index;
      const prefix = path.join(".") + ".";
      for (const k of Array.from(ctx.nodes.keys())) {
        if (k.startsWith(prefix)) ctx.nodes.delete(k);
      }
      current = buildObjectNode(ctx, path, variants[index], remembered[index] || {}, true);
      const hasFields = Object.values(variants[index].properties || {}).some((s) => s && !isConstLike(s) && !s.airbyte_hidden);
      slot.replaceChildren(hasFields ? h("fieldset", {}, h("legend", {}, variants[index].title || parts.labelText), current.element) : current.element);
    }
    renderVariant(selected, true);
    select.addEventListener("change", () => {
      renderVariant(Number(select.value), false);
      ctx.onStructureChange();
    });

    const node = {
      element: h(
        "div",
        { class: "oneof" },
        h("div", { class: "field" }, h("label", { for: parts.id }, parts.labelText, parts.mark), select, parts.help, parts.error),
        slot
      ),
      collect: () => current.collect(),
      validate: () => current.validate(),
      setError(message) {
        parts.error.textContent = message || "";
        select.setAttribute("aria-invalid", message ? "true" : "false");
      },
      focus: () => select.focus(),
    };
    ctx.nodes.set(path.join("."), node);
    return node;
  }

  function buildCheckboxGroup(ctx, path, key, schema, required, value) {
    const parts = fieldParts(path, schema, key, required);
    const initial = Array.isArray(value) ? value : Array.isArray(schema.default) ? schema.default : [];
    const boxes = schema.items.enum.map((option, i) => {
      const id = parts.id + "-" + i;
      const input = h("input", { type: "checkbox", id: id, checked: initial.includes(option) });
      return { option: option, input: input, element: h("div", { class: "checkbox-field" }, input, h("label", { for: id }, String(option))) };
    });
    const node = {
      element: h("fieldset", { id: parts.id, "aria-describedby": parts.describedBy }, h("legend", {}, parts.labelText, parts.mark), boxes.map((b) => b.element), parts.help, parts.error),
      collect() {
        const chosen = boxes.filter((b) => b.input.checked).map((b) => b.option);
        return chosen.length ? chosen : undefined;
      },
      validate() {
        const chosen = boxes.filter((b) => b.input.checked).length;
        let message = null;
        if (required && chosen === 0) message = parts.labelText + " is required: choose at least one.";
        else if (typeof schema.minItems === "number" && chosen < schema.minItems && chosen > 0) message = "Choose at least " + schema.minItems + ".";
        node.setError(message);
        return message ? [{ node: node, message: message }] : [];
      },
      setError(message) {
        parts.error.textContent = message || "";
      },
      setValue(v) {
        for (const b of boxes) b.input.checked = Array.isArray(v) && v.includes(b.option);
      },
      focus: () => boxes[0] && boxes[0].input.focus(),
    };
    ctx.nodes.set(path.join("."), node);
    return node;
  }

  /** An array of objects: one fieldset per item, with "Remove" buttons and an "Add" button. */
  function buildObjectArray(ctx, path, key, schema, required, value) {
    const parts = fieldParts(path, schema, key, required);
    const itemTitle = schema.items.title || "item";
    let items = Array.isArray(value) ? value.slice() : Array.isArray(schema.default) ? clone(schema.default) : [];
    let rows = [];
    const list = h("div", { class: "array-items" });
    const addButton = h(
      "button",
      { type: "button", class: "button secondary small", id: parts.id + "-add", "aria-label": "Add " + itemTitle.toLowerCase() + " to " + parts.labelText },
      "Add " + itemTitle.toLowerCase()
    );

    function forgetRows() {
      const prefix = path.join(".") + ".";
      for (const k of Array.from(ctx.nodes.keys())) {
        if (k.startsWith(prefix)) ctx.nodes.delete(k);
      }
    }

    function renderRows() {
      forgetRows();
      rows = items.map((item, index) => {
        const node = buildObjectNode(ctx, path.concat(index), schema.items, item && typeof item === "object" ? item : {}, true);
        const remove = h("button", { type: "button", class: "link-button", "aria-label": "Remove " + itemTitle.toLowerCase() + " " + (index + 1) }, "Remove");
        remove.addEventListener("click", () => {
          items = rows.map((r) => r.node.collect() || {});
          items.splice(index, 1);
          renderRows();
          addButton.focus();
        });
        return { node: node, element: h("fieldset", {}, h("legend", {}, itemTitle + " " + (index + 1)), node.element, remove) };
      });
      list.replaceChildren(...rows.map((r) => r.element));
    }

    addButton.addEventListener("click", () => {
      items = rows.map((r) => r.node.collect() || {});
      items.push({});
      renderRows();
      const inputs = rows[rows.length - 1].element.querySelectorAll("input, select, textarea");
      if (inputs.length) inputs[0].focus();
    });
    renderRows();

    const node = {
      element: h("fieldset", { id: parts.id, "aria-describedby": parts.describedBy }, h("legend", {}, parts.labelText, parts.mark), parts.help, list, addButton, parts.error),
      collect() {
        const collected = rows.map((r) => r.node.collect() || {});
        return collected.length || required ? collected : undefined;
      },
      validate() {
        const problems = rows.flatMap((r) => r.node.validate());
        let message = null;
        if (required && rows.length === 0) message = parts.labelText + " is required: add at least one.";
        else if (typeof schema.minItems === "number" && rows.length < schema.minItems) message = "Add at least " + schema.minItems + ".";
        node.setError(message);
        return message ? problems.concat([{ node: node, message: message }]) : problems;
      },
      setError(message) {
        parts.error.textContent = message || "";
      },
      focus: () => addButton.focus(),
    };
    ctx.nodes.set(path.join("."), node);
    return node;
  }

  function compileRegex(pattern) {
    try {
      return new RegExp(pattern, "u");
    } catch (_error) {
      try {
        return new RegExp(pattern);
      } catch (_error2) {
        return null;
      }
    }
  }

  /** Leaf kinds: text, secret, textarea, number, boolean, select, list (comma-separated strings), json. */
  function buildLeaf(ctx, path, key, schema, required, value, kind) {
    const initial = value !== undefined ? value : schema.default;
    const extraHelp = kind === "list" ? "Separate multiple values with commas." : kind === "json" ? "Enter JSON." : "";
    const parts = fieldParts(path, schema, key, required, extraHelp);
    const examples = Array.isArray(schema.examples) ? schema.examples : schema.examples !== undefined ? [schema.examples] : [];
    let placeholder = examples.length ? (kind === "list" ? examples.flat().join(", ") : String(typeof examples[0] === "object" ? JSON.stringify(examples[0]) : examples[0])) : schema.pattern_descriptor || undefined;
    const common = { id: parts.id, name: path.join("."), "aria-describedby": parts.describedBy, "aria-required": required ? "true" : undefined };

    let input;
    if (kind === "select") {
      const hasEmpty = !required || initial === undefined;
      input = h(
        "select",
        common,
        hasEmpty ? h("option", { value: "" }, required ? "Select…" : "(none)") : null,
        schema.enum.map((option, i) => h("option", { value: String(i) }, String(option)))
      );
      const index = schema.enum.findIndex((o) => o === initial);
      input.value = index >= 0 ? String(index) : "";
    } else if (kind === "boolean") {
      input = h("input", Object.assign({ type: "checkbox", checked: initial === true }, common));
    } else if (kind === "number") {
      input = h(
        "input",
        Object.assign({ type: "number", inputmode: primaryType(schema) === "integer" ? "numeric" : "decimal", step: primaryType(schema) === "integer" ? "1" : "any", min: schema.minimum, max: schema.maximum, placeholder: placeholder }, common)
      );
      input.value = initial === undefined || initial === null ? "" : String(initial);
    } else if (kind === "textarea" || kind === "json") {
      input = h("textarea", Object.assign({ rows: kind === "json" ? 4 : 3, placeholder: placeholder, spellcheck: "false" }, common));
      input.value = initial === undefined || initial === null ? "" : kind === "json" ? JSON.stringify(initial, null, 2) : String(initial);
    } else {
      const secret = kind === "secret";
      input = h("input", Object.assign({ type: secret ? "password" : "text", autocomplete: secret ? "new-password" : "off", spellcheck: "false", placeholder: placeholder }, common));
      input.value = initial === undefined || initial === null ? "" : kind === "list" ? (Array.isArray(initial) ? initial.join(", ") : String(initial)) : String(initial);
    }

    const oauthNote = h("p", { class: "oauth-note", hidden: true });
    if (kind === "secret" && initial === MASK) {
      oauthNote.hidden = false;
      oauthNote.textContent = "A saved secret is hidden here. Leave it as it is to keep it, or type a new value.";
    }

    const label = h("label", { for: parts.id }, parts.labelText, parts.mark);
    const element =
      kind === "boolean"
        ? h("div", { class: "field" }, h("div", { class: "checkbox-field" }, input, label), parts.help, oauthNote, parts.error)
        : h("div", { class: "field" }, label, input, parts.help, oauthNote, parts.error);

    function rawValue() {
      if (kind === "boolean") return input.checked;
      if (kind === "select") return input.value === "" ? undefined : schema.enum[Number(input.value)];
      return input.value;
    }

    const node = {
      element: element,
      kind: kind,
      collect() {
        const raw = rawValue();
        if (kind === "boolean" || kind === "select") return raw;
        if (raw === "") return undefined;
        if (kind === "number") return Number(raw);
        if (kind === "list") {
          const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
          return items.length ? items : undefined;
        }
        if (kind === "json") {
          try {
            return JSON.parse(raw);
          } catch (_error) {
            return undefined;
          }
        }
        return raw;
      },
      validate() {
        const message = validateLeaf();
        node.setError(message);
        return message ? [{ node: node, message: message }] : [];
      },
      setError(message) {
        parts.error.textContent = message || "";
        input.setAttribute("aria-invalid", message ? "true" : "false");
      },
      setValue(v) {
        if (kind === "boolean") input.checked = v === true || v === "true";
        else if (kind === "select") input.value = String(Math.max(schema.enum.findIndex((o) => o === v), 0));
        else if (kind === "list") input.value = Array.isArray(v) ? v.join(", ") : String(v);
        else if (kind === "json") input.value = JSON.stringify(v, null, 2);
        else input.value = v === null || v === undefined ? "" : String(v);
        node.setError(null);
      },
      markFilledBy(text) {
        if (input.tagName === "INPUT" && input.type === "text") input.type = "password";
        oauthNote.hidden = false;
        oauthNote.textContent = text;
      },
      focus: () => input.focus(),
    };

    function validateLeaf() {
      const label = parts.labelText;
      if (kind === "boolean") return null;
      if (kind === "number" && input.validity && input.validity.badInput) return "Enter a number.";
      const raw = rawValue();
      if (raw === undefined || raw === "") {
        return required ? label + " is required." : null;
      }
      if (kind === "select") {
        return schema.enum.includes(raw) ? null : "Choose one of the listed values.";
      }
      if (kind === "number") {
        const n = Number(raw);
        if (!Number.isFinite(n)) return "Enter a number.";
        if (primaryType(schema) === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
        if (typeof schema.minimum === "number" && n < schema.minimum) return "Must be at least " + schema.minimum + ".";
        if (typeof schema.maximum === "number" && n > schema.maximum) return "Must be at most " + schema.maximum + ".";
        if (typeof schema.exclusiveMinimum === "number" && n <= schema.exclusiveMinimum) return "Must be greater than " + schema.exclusiveMinimum + ".";
        if (typeof schema.exclusiveMaximum === "number" && n >= schema.exclusiveMaximum) return "Must be less than " + schema.exclusiveMaximum + ".";
        return null;
      }
      if (kind === "json") {
        let parsed;
        try {
          parsed = JSON.parse(raw);
        } catch (error) {
          return "Enter valid JSON (" + error.message + ").";
        }
        const expected = primaryType(schema);
        if (expected === "array" && !Array.isArray(parsed)) return "Enter a JSON array.";
        if (expected === "object" && (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))) return "Enter a JSON object.";
        return null;
      }
      if (kind === "list") {
        const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
        if (required && items.length === 0) return label + " is required.";
        if (typeof schema.minItems === "number" && items.length < schema.minItems) return "Enter at least " + schema.minItems + " value(s).";
        const itemPattern = schema.items && schema.items.pattern ? compileRegex(schema.items.pattern) : null;
        const bad = itemPattern ? items.find((item) => !itemPattern.test(item)) : undefined;
        return bad !== undefined ? "'" + bad + "' does not have the expected format." : null;
      }
      // strings
      if (kind === "secret" && raw === MASK) return null; // the stored secret is kept by the server
      if (typeof schema.minLength === "number" && raw.length < schema.minLength) return "Must be at least " + schema.minLength + " characters.";
      if (typeof schema.maxLength === "number" && raw.length > schema.maxLength) return "Must be at most " + schema.maxLength + " characters.";
      if (typeof schema.pattern === "string") {
        const regex = compileRegex(schema.pattern);
        if (regex && !regex.test(raw)) {
          const descriptor = schema.pattern_descriptor || (examples.length ? "e.g. " + examples[0] : "");
          return "Does not have the expected format" + (descriptor ? " (" + descriptor + ")" : "") + ".";
        }
      }
      return null;
    }

    ctx.nodes.set(path.join("."), node);
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // OAuth (templates whose user_config_spec has advanced_auth)
  // ---------------------------------------------------------------------------------------------
  function buildOAuthBox(ctx) {
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

  function onOAuthMessage(event) {
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

  // ---------------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------------
  function start() {
    main.replaceChildren(diagnosisSlot, screenSlot);
    closeButton.addEventListener("click", () => postToHost("CLOSE_DIALOG"));
    // While focus is inside this iframe, Escape never reaches the host's <dialog>: do what it would do.
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented && !(event.target instanceof HTMLSelectElement)) {
        postToHost("CLOSE_DIALOG");
      }
    });
    window.addEventListener("message", onHostMessage);
    window.addEventListener("message", onOAuthMessage);

    if (allowedOrigin === null || allowedOrigin === "") {
      diagnoseBadAllowedOrigin("");
      showStatus("Airbyte", "This page cannot ask for its token.");
      return;
    }
    if (originShapeProblems(allowedOrigin).length) {
      diagnoseBadAllowedOrigin("");
    }
    showStatus("Airbyte", "Connecting to the host page…");
    if (window.parent !== window) {
      requestToken();
    }
    state.tokenTimer = setTimeout(() => {
      // An origin mismatch already explained more precisely what went wrong: keep that one.
      if (state.token === null && !state.sawMismatch) diagnoseNoToken();
    }, TOKEN_WAIT_MS);
  }

  start();
})();
