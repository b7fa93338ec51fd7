// The postMessage protocol with the host page (AirbyteEmbeddedWidget): ask for the scoped token, take it
// only from allowedOrigin, and post results and "CLOSE_DIALOG" to that origin and nowhere else.

import { allowedOrigin } from "./page.js";

/** How long the page waits for the host's answer before it explains why none came. */
export const TOKEN_WAIT_MS = 5000;

export function postToHost(message) {
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

/** Posts "auth_token_request"; returns the error when the browser refuses allowedOrigin as a targetOrigin. */
export function requestToken() {
  try {
    window.parent.postMessage("auth_token_request", allowedOrigin);
    return null;
  } catch (error) {
    // A malformed targetOrigin throws a SyntaxError: the message could never be delivered.
    return error;
  }
}

/**
 * Calls onToken(token) for a {scopedAuthToken} from allowedOrigin and onWrongOrigin(origin) for one from
 * anywhere else. The comparison is exact, as in the real module: that is the whole security of the handshake.
 */
export function listenForToken(onToken, onWrongOrigin) {
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || !Object.prototype.hasOwnProperty.call(data, "scopedAuthToken")) {
      return;
    }
    if (event.origin !== allowedOrigin) {
      onWrongOrigin(event.origin);
      return;
    }
    onToken(data.scopedAuthToken);
  });
}
