// The mock's own operator API, used exactly as a backend would: client credentials (read from the
// control plane's /_mock/console/credentials) -> an application token -> Bearer calls.

let credentials = null;
let token = null;

async function call(method, path, body, bearer) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const message = (data && data.message) || `${response.status} ${response.statusText}`;
    const error = new Error(`${method} ${path}: ${message}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export async function getCredentials() {
  if (!credentials) credentials = await call("GET", "/_mock/console/credentials");
  return credentials;
}

async function applicationToken(fresh = false) {
  if (!token || fresh) {
    const { client_id, client_secret } = await getCredentials();
    const reply = await call("POST", "/api/v1/account/applications/token", { client_id, client_secret });
    token = reply.access_token;
  }
  return token;
}

/** An operator API call with the application token, renewed once if it expired. */
export async function api(method, path, body) {
  try {
    return await call(method, path, body, await applicationToken());
  } catch (error) {
    if (error.status !== 401) throw error;
    return call(method, path, body, await applicationToken(true));
  }
}

/** Mock-only call (under /_mock): loopback or the admin token, no application token. */
export function control(path, method = "GET", body = undefined) {
  return call(method, `/_mock${path}`, body);
}
