/*
 * AirbyteEmbeddedWidget: offline stand-in served by airbyte-mock. The one copy of the widget's code.
 *
 * The mock serves it twice, wrapped at compile time (see mock-api/src/routes/widget.rs): /widget.js is this
 * file inside an IIFE that sets window.AirbyteEmbeddedWidget (the drop-in for the CDN script), and
 * /widget.esm.js is this file followed by its exports. So it only declares: no wrapper, no export here.
 *
 * A drop-in replacement for the browser script of @airbyte-embedded/airbyte-embedded-widget 0.4.5,
 * written from the public protocol description (no code of the real package is used). It exposes the
 * same API (constructor({token, onEvent}), open(), updateToken(token), destroy()) and speaks the same
 * postMessage protocol with the authentication-module iframe:
 *
 *   iframe -> host  "auth_token_request"            host answers {scopedAuthToken} (every time it is asked)
 *   host   -> iframe {scopedAuthToken: "<JWT>"}     targetOrigin = origin of widgetUrl, never "*"
 *   iframe -> host  "CLOSE_DIALOG"                  host closes the dialog (no event)
 *   iframe -> host  {type: "...", ...}              host calls onEvent(object)
 *
 * Like the real widget, the message handler and the token posts catch every error and log it with
 * console.error ("Error handling message event:", …): an onEvent that throws never becomes an uncaught
 * page error and does not stop later events. The iframe is sized inline and has no title; the mock's
 * own explanations (origin mismatches, missing tokens) live in the iframe page, where the real module
 * says nothing.
 *
 * Usage:
 *   <script src="http://127.0.0.1:8001/widget.js"></script>        then new AirbyteEmbeddedWidget({token})
 *   import AirbyteEmbeddedWidget from "http://127.0.0.1:8001/widget.esm.js";
 *   import { AirbyteEmbeddedWidget } from "http://127.0.0.1:8001/widget.esm.js";
 *
 * Dependency-free and readable on purpose: no build step beyond that concatenation.
 */
/**
 * Decodes a widget token the way the real widget does: the raw string is padded with "=" to a multiple of
 * 4 (its raw length counts, whitespace included, so a trailing newline breaks it whenever padding is
 * added), the URL-safe alphabet is mapped to the standard one, then atob + JSON.parse, and `widgetUrl`
 * must be truthy. The inner `token` key is not checked (as in the real widget).
 */
function decodeWidgetToken(token) {
  try {
    let base64 = String(token);
    while (base64.length % 4 !== 0) {
      base64 += "=";
    }
    base64 = base64.replace(/-/g, "+").replace(/_/g, "/");
    let json;
    try {
      json = atob(base64);
    } catch (_atobError) {
      throw new Error("Invalid token format: could not decode base64");
    }
    const decoded = JSON.parse(json);
    if (!decoded.widgetUrl) {
      throw new Error("Invalid token: missing widgetUrl");
    }
    return decoded;
  } catch (error) {
    const reason = error && error.message ? error.message : String(error);
    throw new Error("Failed to decode token: " + reason);
  }
}

// Sizes follow the real widget: a 500x722 box with a 60px branding strip under it, the strip hidden on
// short screens, everything capped to the viewport.
const AIRBYTE_WIDGET_CSS = [
  ".airbyte-widget-dialog-wrapper {",
  "  padding: 0; border: none; background: transparent; color: inherit;",
  "  margin: auto; max-width: 100vw; max-height: 100vh; overflow: hidden;",
  "}",
  ".airbyte-widget-dialog-wrapper::backdrop {",
  "  background-color: hsl(241, 51%, 20%); opacity: 0.6;",
  "}",
  ".airbyte-widget-dialog-container {",
  "  display: flex; flex-direction: column; align-items: center;",
  "  max-width: 100vw; max-height: 100vh;",
  "}",
  ".airbyte-widget-dialog-content {",
  "  width: 500px; height: 722px; max-width: 100vw; max-height: calc(100vh - 60px);",
  "  border-radius: 10px; overflow: hidden; background: #ffffff;",
  "  box-shadow: 0 10px 40px rgba(0, 0, 0, 0.25);",
  "}",
  ".airbyte-widget-dialog-branding {",
  "  height: 60px; display: flex; align-items: center; justify-content: center;",
  "}",
  ".airbyte-widget-dialog-branding svg { display: block; }",
  "@media (max-height: 782px) {",
  "  .airbyte-widget-dialog-branding { display: none; }",
  "  .airbyte-widget-dialog-content { max-height: 100vh; }",
  "}",
  "@media (max-width: 500px) {",
  "  .airbyte-widget-dialog-content { border-radius: 0; }",
  "}",
].join("\n");

// An original, deliberately simple text mark (not Airbyte's logo): a rounded square with two bars,
// then the word "Airbyte" and a small "mock" tag so nobody mistakes the stand-in for the real thing.
const AIRBYTE_WIDGET_BRANDING_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="132" height="28" viewBox="0 0 132 28" role="img" aria-label="Airbyte (offline mock)">' +
  '<rect x="1" y="4" width="20" height="20" rx="6" fill="#ffffff" fill-opacity="0.9"/>' +
  '<rect x="6" y="9" width="10" height="3" rx="1.5" fill="#615eff"/>' +
  '<rect x="6" y="16" width="6" height="3" rx="1.5" fill="#615eff"/>' +
  '<text x="28" y="20" fill="#ffffff" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="16" font-weight="700">' +
  'Airbyte<tspan dx="6" font-size="10" font-weight="400" fill-opacity="0.75">mock</tspan></text>' +
  "</svg>";

class AirbyteEmbeddedWidget {
  /**
   * @param {{token: string, onEvent?: (event: {type: string, [key: string]: any}) => void}} config
   */
  constructor(config) {
    const options = config || {};
    if (!options.token) {
      throw new Error("Token is required to initialize AirbyteEmbeddedWidget");
    }
    this.decodedToken = decodeWidgetToken(options.token);
    // Kept as given, like the real widget: a non-function onEvent fails (and is logged) when called.
    this.onEvent = options.onEvent;
    this.handleMessage = this.handleMessage.bind(this);

    // One <style> per instance, as the real widget does (destroy() leaves it in place).
    this.styleElement = document.createElement("style");
    this.styleElement.textContent = AIRBYTE_WIDGET_CSS;
    document.head.appendChild(this.styleElement);

    this.dialog = document.createElement("dialog");
    this.dialog.setAttribute("aria-label", "Airbyte Widget");
    this.dialog.className = "airbyte-widget-dialog-wrapper";

    const container = document.createElement("div");
    container.className = "airbyte-widget-dialog-container";

    const content = document.createElement("div");
    content.className = "airbyte-widget-dialog-content";

    this.iframe = document.createElement("iframe");
    this.iframe.setAttribute("src", this.decodedToken.widgetUrl); // verbatim: nothing appended
    this.iframe.setAttribute("frameborder", "0");
    this.iframe.setAttribute("allow", "fullscreen");
    // Sized inline and nothing more, as the real widget does (no title: naming the iframe for assistive
    // technology is the host page's job, which it can do after construction).
    this.iframe.style.width = "100%";
    this.iframe.style.height = "100%";
    this.iframe.style.border = "none";

    const branding = document.createElement("div");
    branding.className = "airbyte-widget-dialog-branding";
    branding.innerHTML = AIRBYTE_WIDGET_BRANDING_SVG;

    content.appendChild(this.iframe);
    container.appendChild(content);
    container.appendChild(branding);
    this.dialog.appendChild(container);

    window.addEventListener("message", this.handleMessage);
    // Appended now, not in open(): the iframe loads and completes the token handshake in the background.
    document.body.appendChild(this.dialog);
  }

  /** Shows the dialog modally. Escape closes it (native <dialog> behaviour). */
  open() {
    this.dialog.showModal();
  }

  /** Replaces the token and pushes the new scoped token to the iframe without reloading it. */
  updateToken(token) {
    if (!token) {
      throw new Error("Token is required");
    }
    this.decodedToken = decodeWidgetToken(token);
    try {
      const targetOrigin = new URL(this.decodedToken.widgetUrl).origin;
      if (this.iframe.contentWindow) {
        this.iframe.contentWindow.postMessage({ scopedAuthToken: this.decodedToken.token }, targetOrigin);
      }
    } catch (error) {
      // As in the real widget: a relative widgetUrl or a refused post is logged, never thrown at the host.
      console.error("Error sending updated token to iframe:", error);
    }
  }

  /** Removes the dialog and the message listener. */
  destroy() {
    window.removeEventListener("message", this.handleMessage);
    this.dialog.remove();
  }

  /**
   * @private
   * Everything in here is caught and logged, as in the real widget: an exception thrown by the host's
   * onEvent (or a relative widgetUrl, which makes new URL() throw on every message) never escapes as an
   * uncaught page error, and later messages are handled as usual.
   */
  handleMessage(event) {
    try {
      // The accepted origin is recomputed from the current token on every message (as in the real widget).
      const widgetOrigin = new URL(this.decodedToken.widgetUrl).origin;
      const fromWidget = event.origin === widgetOrigin || event.source === this.iframe.contentWindow;
      if (!fromWidget) {
        return;
      }
      if (event.origin === window.location.origin && event.source === window) {
        return; // our own window posting to itself
      }

      const data = event.data;
      if (data === "auth_token_request") {
        this.sendAuthToken(widgetOrigin);
      } else if (data === "CLOSE_DIALOG") {
        this.dialog.close();
      } else if (data && typeof data === "object" && data.type) {
        if (this.onEvent) {
          this.onEvent(data);
        }
      }
    } catch (error) {
      console.error("Error handling message event:", error);
    }
  }

  /** @private Answers "auth_token_request" (every time it is asked); a failed post is logged. */
  sendAuthToken(widgetOrigin) {
    try {
      if (this.iframe.contentWindow) {
        this.iframe.contentWindow.postMessage({ scopedAuthToken: this.decodedToken.token }, widgetOrigin);
      }
    } catch (error) {
      console.error("Error posting message to iframe:", error);
    }
  }
}
