// Headless-Chromium test of the widget stand-in: a host page on one loopback origin loads /widget.js from
// the mock on another origin, gets a real widget token from the mock, and drives the authentication-module
// page inside the iframe.
//
// Run:  cargo build -p airbyte-mock && (cd e2e && npm ci && node --test)
// Env:  AIRBYTE_MOCK_BIN  path of the mock binary (default: ../target/debug/airbyte-mock from this folder)
//       CHROMIUM_PATH     Chromium executable (default /usr/bin/chromium, Debian's package)
// Screenshots go to ../target/e2e/*.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";

import { MASK, UUID, launchChromium, shot, startMock, stopServer } from "./support.mjs";

let mock; // {child, origin, output: string[]}
let host; // {server, origin}
let browser;

async function postJson(url, body, bearer) {
  const headers = { "Content-Type": "application/json" };
  if (bearer) headers.Authorization = "Bearer " + bearer;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`POST ${url} -> ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

/** A real widget token from the mock: application token first, then the widget token. */
async function mintWidgetToken(workspaceName, allowedOrigin) {
  const app = await postJson(mock.origin + "/api/v1/account/applications/token", {
    client_id: "mock-client-id",
    client_secret: "mock-client-secret",
  });
  assert.ok(app.access_token, "application token");
  const widget = await postJson(
    mock.origin + "/api/v1/account/applications/widget-token",
    { workspace_name: workspaceName, allowed_origin: allowedOrigin },
    app.access_token
  );
  assert.ok(widget.token, "widget token");
  return widget.token;
}

function decodeWidgetToken(token) {
  return JSON.parse(Buffer.from(token, "base64").toString("utf8"));
}

// ------------------------------------------------------------------------------------------------
// The host page, on a second loopback origin (localhost vs the mock's 127.0.0.1: cross-origin)
// ------------------------------------------------------------------------------------------------
function hostPage() {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Host app (e2e)</title>
  <script src="${mock.origin}/widget.js"></script>
  <script>window.__events = [];</script>
</head>
<body>
  <h1>Host app</h1>
  <p>This page embeds the Airbyte widget served by the mock.</p>
</body>
</html>`;
}

function hostModulePage() {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Host app, ES module (e2e)</title></head>
<body>
  <h1>Host app (module)</h1>
  <script type="module">
    // A dynamic import, so a failure (e.g. a missing CORS header: module scripts are fetched in CORS
    // mode) is reported instead of silently doing nothing.
    import("${mock.origin}/widget.esm.js").then(
      (module) => {
        window.__esm = {
          defaultIsClass: typeof module.default === "function",
          sameClass: module.default === module.AirbyteEmbeddedWidget,
          global: window.AirbyteEmbeddedWidget === module.default,
        };
      },
      (error) => {
        window.__esm = { error: String(error) };
      }
    );
  </script>
</body>
</html>`;
}

function startHost() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const body = req.url.startsWith("/module") ? hostModulePage() : hostPage();
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(body);
    });
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, origin: "http://localhost:" + server.address().port });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Browser helpers
// ------------------------------------------------------------------------------------------------
async function newHostPage(options = {}) {
  const context = await browser.newContext({ viewport: options.viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.goto(host.origin + (options.path || "/"));
  return { context, page, pageErrors };
}

/** Constructs the widget in the host page with an onEvent that records events, and opens it. */
async function openWidget(page, token) {
  await page.evaluate((widgetToken) => {
    window.widget = new window.AirbyteEmbeddedWidget({
      token: widgetToken,
      onEvent: (event) => window.__events.push(event),
    });
    window.widget.open();
  }, token);
  return page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
}

/** Events recorded in the host page (Error objects turned into plain data). */
function recordedEvents(page) {
  return page.evaluate(() =>
    window.__events.map((event) => {
      const copy = { ...event };
      if (event.error !== undefined) {
        copy.error = { isError: event.error instanceof Error, name: event.error.name, message: event.error.message };
      }
      return copy;
    })
  );
}

async function waitForEvent(page, message) {
  await page.waitForFunction((m) => window.__events.some((e) => e && e.message === m), message, { timeout: 20_000 });
  return (await recordedEvents(page)).find((e) => e.message === message);
}

function dialogOpen(page) {
  return page.evaluate(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper").open);
}

/** Clicks a button that closes its own window (the consent pop-up), tolerating the race with the close. */
async function clickAndWaitForClose(popup, locator) {
  const closed = popup.waitForEvent("close");
  await locator.click().catch((error) => {
    if (!/closed/i.test(String(error))) throw error;
  });
  await closed;
}

function uniqueWorkspace(label) {
  return `e2e-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// ------------------------------------------------------------------------------------------------
// Setup / teardown
// ------------------------------------------------------------------------------------------------
before(async () => {
  mock = await startMock();
  host = await startHost();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (host) await new Promise((resolve) => host.server.close(resolve));
  await stopServer(mock);
});

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------
test("a Stripe source created inside the iframe reaches the host as source_created with a redacted SourceRead", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const token = await mintWidgetToken(uniqueWorkspace("create"), host.origin);
    const frame = await openWidget(page, token);

    // The iframe src is the token's widgetUrl, verbatim.
    const src = await page.evaluate(() => document.querySelector("dialog iframe").getAttribute("src"));
    assert.equal(src, decodeWidgetToken(token).widgetUrl);
    assert.equal(await dialogOpen(page), true);

    await frame.getByRole("heading", { name: "Select integration" }).waitFor();
    await frame.getByRole("tab", { name: "Add a new integration" }).waitFor();
    await shot(page, "01-select-integration");

    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("sk_test_abc");
    await frame.locator("#field-start_date").fill("2024-01-01T00:00:00Z");
    assert.equal(await frame.locator("#field-client_secret").getAttribute("type"), "password");
    await shot(page, "02-stripe-form");

    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await frame.getByText("You've connected your account.").waitFor();
    await frame.getByRole("button", { name: "Back to integrations" }).waitFor();
    await shot(page, "03-success");

    const event = await waitForEvent(page, "source_created");
    assert.equal(event.type, "end_user_action_result");
    assert.match(event.data.id, UUID);
    assert.equal(event.data.replication_config.client_secret, MASK);
    assert.equal(event.data.replication_config.account_id, "acct_123");
    assert.match(event.data.name, /^Stripe - /);
    assert.equal(event.data.source_template.name, "Stripe");
    assert.equal((await recordedEvents(page)).length, 1, "exactly one event");

    // The new source is listed under "Saved integrations".
    await frame.getByRole("button", { name: "Back to integrations" }).click();
    await frame.getByRole("tab", { name: "Saved integrations" }).click();
    await frame.getByText(event.data.name).waitFor();
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the 'fail' outcome produces source_create_error and shows the error in the iframe", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("fail"), host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("fail");
    await frame.getByRole("button", { name: "Save" }).click();

    const event = await waitForEvent(page, "source_create_error");
    assert.equal(event.type, "end_user_action_result");
    assert.equal(event.error.isError, true, "error is an Error");
    assert.match(event.error.message, /check/i);
    assert.equal(event.data, undefined);

    const alert = frame.locator("#form-alert");
    await alert.getByText(/check failed/i).waitFor();
    assert.match(await alert.innerText(), /check/i);
    assert.doesNotMatch(await alert.innerText(), /\b(null|undefined)\b/);
    await frame.getByRole("button", { name: "Save" }).waitFor(); // enabled again, form kept
    assert.equal(await frame.locator("#field-account_id").inputValue(), "acct_123");
    await shot(page, "04-fail-outcome");
    assert.ok(!(await recordedEvents(page)).some((e) => e.message === "source_created"));
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("error_<CODE> fails with that code; 'slow' shows the busy state and then succeeds", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("outcomes"), host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("error_403");
    await frame.getByRole("button", { name: "Save" }).click();
    const failed = await waitForEvent(page, "source_create_error");
    assert.match(failed.error.message, /403/);
    await frame.locator("#form-alert").getByText(/403/).waitFor();

    await frame.locator("#field-client_secret").fill("slow");
    const save = frame.locator("#save-button");
    const started = Date.now();
    await save.click();
    // The check is quick; the mock holds the save itself for 3 s.
    await frame.getByRole("button", { name: "Saving…" }).waitFor();
    assert.equal(await save.isDisabled(), true);
    await frame.getByRole("heading", { name: "Success!" }).waitFor({ timeout: 20_000 });
    assert.ok(Date.now() - started >= 3000, "slow delays the save by 3 s");
    await waitForEvent(page, "source_created");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the server's 422 field errors are shown next to their fields", { timeout: 60_000 }, async () => {
  const { context, page } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("422"), host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("sk_test_abc");
    // Matches the field's pattern (checked in the page) but is no date-time (format, checked by the server).
    await frame.locator("#field-start_date").fill("2024-13-45T00:00:00Z");
    await frame.getByRole("button", { name: "Save" }).click();
    const event = await waitForEvent(page, "source_create_error");
    assert.match(event.error.message, /HTTP 422/);
    const fieldError = frame.locator("#field-start_date-error");
    await fieldError.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await frame.locator("#field-start_date").getAttribute("aria-invalid"), "true");
    await shot(page, "04b-server-field-error");
  } finally {
    await context.close();
  }
});

test("inline validation stops a save before anything is sent", { timeout: 60_000 }, async () => {
  const { context, page } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("validate"), host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-start_date").fill("yesterday");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.locator("#field-account_id-error").getByText("is required").waitFor();
    await frame.locator("#field-start_date-error").getByText("expected format").waitFor();
    assert.equal(await frame.locator("#field-account_id").getAttribute("aria-invalid"), "true");
    assert.match(await frame.locator("#field-account_id").getAttribute("aria-describedby"), /field-account_id-error/);
    assert.deepEqual(await recordedEvents(page), []);
  } finally {
    await context.close();
  }
});

test("the close button closes the dialog without an event; Escape closes it too", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("close"), host.origin));
    await frame.getByRole("heading", { name: "Select integration" }).waitFor(); // handshake done
    await frame.getByRole("button", { name: "Close" }).click();
    await page.waitForFunction(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper").open === false);
    assert.deepEqual(await recordedEvents(page), []);

    // Escape with the focus in the host document: the native <dialog> closes.
    await page.evaluate(() => window.widget.open());
    assert.equal(await dialogOpen(page), true);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper").open === false);

    // Escape with the focus inside the iframe: the module page asks the host to close.
    await page.evaluate(() => window.widget.open());
    await frame.getByRole("tab", { name: "Add a new integration" }).focus();
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper").open === false);

    await page.evaluate(() => window.widget.destroy());
    assert.equal(await page.evaluate(() => document.querySelectorAll("dialog.airbyte-widget-dialog-wrapper").length), 0);
    assert.deepEqual(await recordedEvents(page), []);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("editing keeps a masked secret, and deleting asks first and posts no event", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("edit"), host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("sk_test_abc");
    await frame.getByRole("button", { name: "Save" }).click();
    const created = await waitForEvent(page, "source_created");

    await frame.getByRole("button", { name: "Back to integrations" }).click();
    await frame.getByRole("tab", { name: "Saved integrations" }).click();
    await frame.getByRole("button", { name: "Edit " + created.data.name }).click();
    const secret = frame.locator("#field-client_secret");
    await secret.waitFor();
    assert.equal(await secret.inputValue(), MASK);
    assert.equal(await secret.getAttribute("type"), "password");
    await frame.locator("#field-account_id").fill("acct_456");
    await frame.getByRole("button", { name: "Save" }).click();
    const updated = await waitForEvent(page, "source_updated");
    assert.equal(updated.data.id, created.data.id);
    assert.equal(updated.data.replication_config.account_id, "acct_456");
    assert.equal(updated.data.replication_config.client_secret, MASK);

    await frame.getByRole("button", { name: "Back to integrations" }).click();
    await frame.getByRole("tab", { name: "Saved integrations" }).click();
    await frame.getByRole("button", { name: "Delete " + created.data.name }).click();
    await frame.getByRole("heading", { name: "Delete integration" }).waitFor();
    await frame.getByText("Are you sure you want to delete this integration?").waitFor();
    await frame.getByRole("button", { name: "No, nevermind" }).click();
    await frame.getByRole("button", { name: "Delete " + created.data.name }).click();
    await frame.getByRole("button", { name: "Yes, delete this integration" }).click();
    await frame.getByText("No saved integrations yet").waitFor();

    const names = (await recordedEvents(page)).map((e) => e.message);
    assert.deepEqual(names, ["source_created", "source_updated"]);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("OAuth: Allow fills the credentials from the consent pop-up, Deny shows an error", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("oauth"), host.origin));
    await frame.getByRole("button", { name: "Google Sheets", exact: true }).click();
    const authButton = frame.getByRole("button", { name: "Authenticate with Google Sheets" });

    // Deny first.
    let popupPromise = context.waitForEvent("page");
    await authButton.click();
    let popup = await popupPromise;
    await popup.getByRole("heading", { name: "Google Sheets wants access to your account" }).waitFor();
    await shot(popup, "05-oauth-consent");
    await clickAndWaitForClose(popup, popup.getByRole("button", { name: "Deny" }));
    await frame.locator("#form-alert").getByText("Authentication with Google Sheets was denied.").waitFor();

    // Then Allow.
    popupPromise = context.waitForEvent("page");
    await authButton.click();
    popup = await popupPromise;
    await clickAndWaitForClose(popup, popup.getByRole("button", { name: "Allow" }));
    const refresh = frame.locator("#field-credentials-refresh_token");
    await frame.getByText("Filled by Google Sheets OAuth").first().waitFor();
    assert.notEqual(await refresh.inputValue(), "");
    assert.equal(await refresh.getAttribute("type"), "password");
    await shot(page, "05b-oauth-filled");

    // Switching to the service-account variant hides the OAuth button.
    await frame.getByLabel("Authentication").selectOption({ label: "Service Account Key Authentication" });
    await authButton.waitFor({ state: "hidden" });
    await frame.getByLabel("Authentication").selectOption({ label: "Authenticate via Google (OAuth)" });
    await authButton.waitFor({ state: "visible" });

    await frame.locator("#field-spreadsheet_id").fill("1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb");
    // An array of objects: one row per item.
    await frame.getByRole("button", { name: "Add item to Stream Name Overrides" }).click();
    await frame.locator("#field-stream_name_overrides-0-source_stream_name").fill("Sheet1");
    await frame.locator("#field-stream_name_overrides-0-custom_stream_name").fill("orders");
    await frame.getByRole("button", { name: "Save" }).click();
    const event = await waitForEvent(page, "source_created");
    assert.deepEqual(event.data.replication_config.stream_name_overrides, [{ source_stream_name: "Sheet1", custom_stream_name: "orders" }]);
    assert.equal(event.data.replication_config.credentials.refresh_token, MASK);
    assert.equal(event.data.replication_config.credentials.auth_type, "Client");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("a widget token minted for the wrong origin makes the iframe explain the mismatch", { timeout: 60_000 }, async () => {
  const { context, page } = await newHostPage();
  try {
    const wrongOrigin = "http://localhost:1";
    const token = await mintWidgetToken(uniqueWorkspace("origin"), wrongOrigin);
    const frame = await openWidget(page, token);
    const diagnosis = frame.getByRole("alert").filter({ hasText: "No token arrived from the host page" });
    await diagnosis.waitFor({ timeout: 15_000 }); // the page waits 5 s for the token
    const text = await diagnosis.innerText();
    assert.ok(text.includes(wrongOrigin), "names the expected origin: " + text);
    assert.ok(text.includes(host.origin), "names the host origin (from the referrer): " + text);
    assert.ok(text.includes(`Mint the widget token with allowed_origin = '${host.origin}'`), text);
    assert.match(text, /Port: expected 1, the page uses \d+/);
    await shot(page, "06-origin-diagnosis");

    // The diagnosis is also reported to the mock, which logs it.
    const deadline = Date.now() + 5_000;
    while (!mock.output.join("").includes("no_token") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(mock.output.join("").includes("no_token"), "the mock's log mentions the no_token diagnosis");

    // A token pushed by the host (updateToken posts to the widget URL's origin, so it does arrive) comes
    // from the host's origin, not from allowedOrigin: the page ignores it and says why.
    await page.evaluate((t) => window.widget.updateToken(t), token);
    const mismatch = frame.getByRole("alert").filter({ hasText: "The token came from an unexpected origin" });
    await mismatch.waitFor();
    const mismatchText = await mismatch.innerText();
    assert.ok(mismatchText.includes(wrongOrigin) && mismatchText.includes(host.origin), mismatchText);
    assert.match(mismatchText, /Port: expected 1, the page uses \d+/);
    assert.equal(await frame.getByRole("tab").count(), 0, "the token was not accepted");
    assert.deepEqual(await recordedEvents(page), []);
  } finally {
    await context.close();
  }
});

test("a token minted for a trailing-slash origin (Airbyte accepts it) makes the widget page explain the hang", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    // The mock mints it, as Airbyte does, and warns in a header.
    const app = await postJson(mock.origin + "/api/v1/account/applications/token", {
      client_id: "mock-client-id",
      client_secret: "mock-client-secret",
    });
    const response = await fetch(mock.origin + "/api/v1/account/applications/widget-token", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + app.access_token },
      body: JSON.stringify({ workspace_name: uniqueWorkspace("slash"), allowed_origin: host.origin + "/" }),
    });
    assert.equal(response.status, 200);
    const warning = response.headers.get("warning");
    assert.ok(warning && warning.startsWith('299 airbyte-mock "'), String(warning));
    assert.ok(warning.includes("the widget will hang") && warning.includes(`use '${host.origin}'`), warning);
    const token = (await response.json()).token;
    assert.ok(decodeWidgetToken(token).widgetUrl.endsWith("&allowedOrigin=" + encodeURIComponent(host.origin + "/")));

    // The host answers the page's token request (postMessage delivers to "origin/"'s origin), and the page,
    // like the real module, ignores a token from an origin that is not allowedOrigin as written; unlike
    // the real module, it says why and how to fix it.
    const frame = await openWidget(page, token);
    const diagnosis = frame.getByRole("alert").filter({ hasText: "not written the way browsers write origins" });
    await diagnosis.waitFor({ timeout: 15_000 });
    const text = await diagnosis.innerText();
    assert.ok(text.includes(host.origin + "/"), "names the minted value: " + text);
    assert.ok(text.includes("must not end with '/'"), text);
    assert.ok(text.includes(`Mint the widget token with allowed_origin = '${host.origin}'`), text);
    assert.ok(text.includes("hangs without a word"), text);
    await shot(page, "06b-trailing-slash-diagnosis");
    assert.equal(await frame.getByRole("tab").count(), 0, "the token was not accepted");
    assert.deepEqual(await recordedEvents(page), []);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("an onEvent that throws is caught and logged like the real widget: later events still arrive, no page error", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  try {
    const token = await mintWidgetToken(uniqueWorkspace("throws"), host.origin);
    await page.evaluate((widgetToken) => {
      window.widget = new window.AirbyteEmbeddedWidget({
        token: widgetToken,
        onEvent: (event) => {
          window.__events.push(event);
          throw new Error("host bug in onEvent #" + window.__events.length);
        },
      });
      window.widget.open();
    }, token);
    const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");

    // The iframe as the real widget builds it: sized inline, no title (the host may add one itself).
    const iframe = await page.evaluate(() => {
      const element = document.querySelector("dialog iframe");
      return {
        title: element.getAttribute("title"),
        attributes: element.getAttributeNames().sort(),
        style: [element.style.width, element.style.height, element.style.borderStyle],
      };
    });
    assert.equal(iframe.title, null);
    assert.deepEqual(iframe.attributes, ["allow", "frameborder", "src", "style"]);
    assert.deepEqual(iframe.style, ["100%", "100%", "none"]);

    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_123");
    await frame.locator("#field-client_secret").fill("fail");
    await frame.getByRole("button", { name: "Save" }).click();
    await waitForEvent(page, "source_create_error");

    // The handler threw on the first event; the widget keeps working and delivers the next one.
    await frame.locator("#field-client_secret").fill("sk_test_abc");
    await frame.getByRole("button", { name: "Save" }).click();
    await waitForEvent(page, "source_created");
    assert.deepEqual((await recordedEvents(page)).map((e) => e.message), ["source_create_error", "source_created"]);

    assert.deepEqual(pageErrors, [], "nothing escaped as an uncaught page error");
    const logged = consoleErrors.filter((text) => text.startsWith("Error handling message event:"));
    assert.equal(logged.length, 2, consoleErrors.join("\n"));
    assert.ok(logged[0].includes("host bug in onEvent #1"), logged[0]);
  } finally {
    await context.close();
  }
});

test("updateToken pushes a new token without reloading the iframe", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newHostPage();
  try {
    const workspace = uniqueWorkspace("update");
    const frame = await openWidget(page, await mintWidgetToken(workspace, host.origin));
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_kept");
    await page.evaluate(() => {
      window.__loads = 0;
      document.querySelector("dialog iframe").addEventListener("load", () => window.__loads++);
    });
    const fresh = await mintWidgetToken(workspace, host.origin);
    await page.evaluate((t) => window.widget.updateToken(t), fresh);
    // The form (and what was typed) survives, and saving works with the new token.
    assert.equal(await frame.locator("#field-account_id").inputValue(), "acct_kept");
    await frame.locator("#field-client_secret").fill("sk_test_new");
    await frame.getByRole("button", { name: "Save" }).click();
    await waitForEvent(page, "source_created");
    assert.equal(await page.evaluate(() => window.__loads), 0, "no reload");
    await assert.rejects(page.evaluate(() => window.widget.updateToken("")), /Token is required/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the constructor throws the real widget's messages", { timeout: 30_000 }, async () => {
  const { context, page } = await newHostPage();
  try {
    const messages = await page.evaluate(() => {
      const attempt = (config) => {
        try {
          new window.AirbyteEmbeddedWidget(config);
          return "no error";
        } catch (error) {
          return error.message;
        }
      };
      const b64 = (s) => btoa(s);
      return {
        missing: attempt({}),
        empty: attempt({ token: "" }),
        notBase64: attempt({ token: "%%%%" }),
        notJson: attempt({ token: b64("not json") }),
        noUrl: attempt({ token: b64('{"token":"x"}') }),
        // unpadded and URL-safe input is accepted (no padding needed: 20 chars)
        unpadded: attempt({ token: b64('{"widgetUrl":"http://127.0.0.1:9/x"}').replace(/=+$/, "") }),
        trailingNewline: attempt({ token: b64('{"widgetUrl":"http://127.0.0.1:9/x"}').replace(/=+$/, "") + "\n" }),
      };
    });
    assert.equal(messages.missing, "Token is required to initialize AirbyteEmbeddedWidget");
    assert.equal(messages.empty, "Token is required to initialize AirbyteEmbeddedWidget");
    assert.equal(messages.notBase64, "Failed to decode token: Invalid token format: could not decode base64");
    assert.match(messages.notJson, /^Failed to decode token: .*JSON/);
    assert.equal(messages.noUrl, "Failed to decode token: Invalid token: missing widgetUrl");
    assert.equal(messages.unpadded, "no error");
    assert.equal(messages.trailingNewline, "Failed to decode token: Invalid token format: could not decode base64");
  } finally {
    await context.close();
  }
});

test("the ES-module form exports the class (named and default) and sets the global", { timeout: 30_000 }, async () => {
  const { context, page } = await newHostPage({ path: "/module" });
  try {
    await page.waitForFunction(() => window.__esm !== undefined, null, { timeout: 10_000 });
    const result = await page.evaluate(() => window.__esm);
    assert.equal(
      result.error,
      undefined,
      "importing /widget.esm.js from another origin failed; module scripts are fetched in CORS mode, so the mock must answer it with Access-Control-Allow-Origin"
    );
    assert.deepEqual(result, { defaultIsClass: true, sameClass: true, global: true });
  } finally {
    await context.close();
  }
});

test("phone-width layout renders the form", { timeout: 60_000 }, async () => {
  const { context, page } = await newHostPage({ viewport: { width: 360, height: 740 } });
  try {
    const frame = await openWidget(page, await mintWidgetToken(uniqueWorkspace("phone"), host.origin));
    await frame.getByRole("button", { name: "Postgres", exact: true }).click();
    await frame.locator("#field-host").waitFor();
    const box = await page.locator("dialog iframe").boundingBox();
    assert.ok(box.width <= 360, "the iframe fits the phone width: " + box.width);
    await shot(page, "07-phone-postgres");
  } finally {
    await context.close();
  }
});
