// The origin diagnosis the real module lacks (it hangs silently): what the page expected, what it saw,
// and how to fix the widget token. The page only observes (event.origin, the referrer); the verdict —
// what is wrong with allowedOrigin, how the two origins differ, the fix — comes from the mock, which
// judges with the same Rust rules as the widget-token endpoint and logs the diagnosis.

import { h } from "./dom.js";
import { allowedOrigin, diagnosisSlot, servedVerdict, showStatus, state } from "./page.js";
import { TOKEN_WAIT_MS } from "./protocol.js";

const GENERIC_FIX =
  "Mint the widget token with allowed_origin set to exactly the host page's window.location.origin (scheme, host and port; no path, no trailing slash).";

// One request (and so one log line) per problem and observed origin, however often the page sees it.
const verdicts = new Map();
// Bumped whenever the slot changes, so a verdict that arrives late cannot paint over a newer state.
let generation = 0;

/** @returns {Promise<{differences: string[], fix: string}>} */
function verdictFor(problem, received) {
  const key = problem + "|" + (received || "");
  if (!verdicts.has(key)) {
    verdicts.set(
      key,
      fetch("/embedded-widget/diagnostics", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ problem: problem, expected: allowedOrigin, received: received }),
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(new Error("HTTP " + response.status))))
        .then((verdict) => ({
          differences: Array.isArray(verdict.differences) ? verdict.differences : [],
          fix: typeof verdict.fix === "string" && verdict.fix ? verdict.fix : GENERIC_FIX,
        }))
        .catch((error) => ({
          differences: ["(The mock could not be asked what differs: " + error.message + ".)"],
          fix: GENERIC_FIX,
        }))
    );
  }
  return verdicts.get(key);
}

export function clearDiagnosis() {
  generation += 1;
  diagnosisSlot.replaceChildren();
}

/**
 * Shows a diagnosis once the mock's verdict is in (the panel appears whole, never half-explained).
 * @param {{problem: string, heading: string, intro: string, received: string|null, receivedLabel: string,
 *          notes?: string[]}} d
 */
async function showDiagnosis(d) {
  generation += 1;
  const mine = generation;
  const verdict = await verdictFor(d.problem, d.received);
  if (mine !== generation) return;

  const rows = [h("dt", {}, "Expected"), h("dd", {}, allowedOrigin ? h("code", {}, allowedOrigin) : "(no allowedOrigin)")];
  rows.push(h("dt", {}, d.receivedLabel), h("dd", {}, d.received ? h("code", {}, d.received) : "unknown"));
  const panel = h(
    "section",
    { class: "diagnosis", role: "alert", "aria-labelledby": "diagnosis-heading" },
    h("h2", { id: "diagnosis-heading" }, d.heading),
    h("p", {}, d.intro),
    h("dl", {}, rows),
    verdict.differences.length ? h("ul", {}, verdict.differences.map((text) => h("li", {}, text))) : null,
    h("p", { class: "fix" }, verdict.fix),
    (d.notes || []).map((text) => h("p", {}, text))
  );
  diagnosisSlot.replaceChildren(panel);
  console.warn("[airbyte-mock widget] " + [d.heading + "."].concat(verdict.differences, [verdict.fix]).join(" "));
}

/** The embedding page's origin as the referrer tells it: a strong hint, since the parent's origin is unreadable. */
function referrerOrigin() {
  if (!document.referrer) return null;
  try {
    const origin = new URL(document.referrer).origin;
    return origin === "null" ? null : origin;
  } catch (_error) {
    return null;
  }
}

export function diagnoseOriginMismatch(received) {
  state.sawMismatch = true;
  // The host page is the very origin allowedOrigin was meant to name, written as browsers write it
  // (e.g. allowedOrigin has a trailing slash or :443). Airbyte's API mints such tokens without a word,
  // and the real module then ignores the token forever: say exactly that.
  if (servedVerdict.allowed_origin_problem && servedVerdict.suggestion && servedVerdict.suggestion === received) {
    showDiagnosis({
      problem: "origin_mismatch",
      heading: "The widget token's allowed_origin is not written the way browsers write origins",
      intro:
        "The host page " + received + " sent its token, but this widget was minted for allowed_origin '" + allowedOrigin +
        "'. Airbyte's API accepts that value, but the authentication module compares event.origin with it as a string, " +
        "so the real module ignores the token and hangs without a word. This page ignored the token too.",
      received: received,
      receivedLabel: "Received from",
    });
    return;
  }
  showDiagnosis({
    problem: "origin_mismatch",
    heading: "The token came from an unexpected origin",
    intro:
      "A message with a scopedAuthToken arrived from " + received + ", but this widget was minted for allowedOrigin " +
      allowedOrigin + ". Origins must match exactly (the real Airbyte module silently ignores the token and hangs), so the token was ignored.",
    received: received,
    receivedLabel: "Received from",
  });
}

export function diagnoseNoToken() {
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
    notes: notes,
  });
  showStatus("Airbyte", "Still waiting for the token…");
}

export function diagnoseBadAllowedOrigin(extra) {
  const missing = !allowedOrigin;
  showDiagnosis({
    problem: "bad_allowed_origin",
    heading: missing ? "The widget URL has no allowedOrigin" : "allowedOrigin is not an origin a browser can match",
    intro: missing
      ? "The iframe URL must carry ?allowedOrigin=<the host page's origin>; the widget-token endpoint adds it. Without it the page cannot ask for its token."
      : "The widget URL says allowedOrigin = '" + allowedOrigin + "'. Browsers compare it with the sending page's origin as a string, so it can never match." + (extra ? " " + extra : ""),
    received: referrerOrigin(),
    receivedLabel: "Referrer origin",
  });
}
