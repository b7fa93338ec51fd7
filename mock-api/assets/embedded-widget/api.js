// The end-user API client: every call carries the scoped token the host sent, and every error becomes an
// ApiError whose message reads well in an alert and whose fieldErrors can be placed next to fields.

import { state } from "./page.js";

export const API = "/api/v1/embedded";

export class ApiError extends Error {
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

export async function api(method, path, body) {
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
