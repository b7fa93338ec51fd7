// Reads the scoped token (a JWT) the host sends: its claims, its workspace, and whether this page can
// use it. The signature is the API's business; the page only decodes to explain problems early.

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

export function workspaceOfClaims(claims) {
  const scope = claims["io.airbyte.auth.workspace_scope"];
  if (scope && typeof scope === "object" && scope.workspaceId) return scope.workspaceId;
  return claims["io.airbyte.auth.workspace_scope.workspaceId"] || null;
}

/**
 * {claims} when this page can use the token, or {problem: {title, text}} saying why not.
 * @param {unknown} token the scopedAuthToken as it arrived
 * @param {string|null} workspaceId the workspace in the widget URL
 */
export function readToken(token, workspaceId) {
  if (typeof token !== "string" || token === "") {
    return {
      problem: {
        title: "The host page sent an empty token",
        text:
          "The message had no usable scopedAuthToken (" + JSON.stringify(token) + "). The widget token's JSON probably has no \"token\" key: mint it again with the widget-token endpoint.",
      },
    };
  }
  let claims;
  try {
    claims = decodeJwtClaims(token);
  } catch (error) {
    return { problem: { title: "The host page sent a token this page cannot read", text: "The scopedAuthToken could not be decoded: " + error.message + "." } };
  }
  const tokenWorkspace = workspaceOfClaims(claims);
  if (workspaceId && tokenWorkspace && tokenWorkspace !== workspaceId) {
    return {
      problem: {
        title: "The token is for another workspace",
        text:
          "This page was opened for workspace " + workspaceId + " (the workspaceId in the widget URL), but the token is scoped to workspace " +
          tokenWorkspace + ". The widget URL and the token must come from the same widget token: pass the whole widget token to AirbyteEmbeddedWidget (or updateToken) instead of mixing parts of two tokens.",
      },
    };
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
    return {
      problem: {
        title: "The token has expired",
        text: "The scoped token expired at " + new Date(claims.exp * 1000).toISOString() + ". Mint a new widget token and call widget.updateToken(newToken), or create a new widget.",
      },
    };
  }
  return { claims: claims };
}
