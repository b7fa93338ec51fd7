// The demo app's "Mock control" panel in headless Chromium: shown only when the demo server talks to
// the mock, Reset, one-shot faults on source creation and on the widget token, and the live request
// journal. The mock, the demo server and the built SPA as in flow.test.mjs.
//
// The fault and journal routes (/_mock/faults, /_mock/requests) come from the control plane's other
// parts; a scenario that needs one is skipped, saying so, when the mock does not have it.
//
// Run:  cargo build -p airbyte-mock -p demo-server && (cd web && trunk build --release) && (cd e2e && node --test)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

import { MASK, ROOT, binary, launchChromium, pickUser, shot, startMock, startServer, stopServer, users } from "./support.mjs";

const DIST = process.env.DEMO_WEB_DIST ? path.resolve(process.env.DEMO_WEB_DIST) : path.join(ROOT, "web/dist");
const STRIPE_SECRET = "sk_test_control_panel_secret";
const CLIENT_SECRET = "e2e-control-client-secret";

let mock;
let app;
let browser;
const extraServers = [];

async function startDemo(env = {}) {
  const server = await startServer(binary("demo-server", "DEMO_SERVER_BIN"), ["--addr", "127.0.0.1:0"], {
    env: {
      AIRBYTE_API_URL: `${mock.origin}/api/v1`,
      AIRBYTE_CLIENT_SECRET: CLIENT_SECRET,
      DEMO_WEB_DIST: DIST,
      ...env,
    },
    pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  });
  return { ...server, url: `http://localhost:${server.match[1]}` };
}

/** Opens the app and waits until it has asked the server whether it talks to the mock. */
async function openApp(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  const asked = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/mock");
  await page.goto(url);
  await page.locator("#connect-button").waitFor();
  await asked;
  return { context, page, pageErrors };
}

/** Whether the mock has a control-plane route yet (another part of issue #9 adds it). */
async function mockHas(route) {
  const response = await fetch(`${mock.origin}/_mock/${route}`);
  return response.status !== 404;
}

async function connect(page) {
  await page.locator("#connect-button").click();
  const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
  await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
  return frame;
}

function logEntries(page, name) {
  return page.locator(`#event-log li[data-event="${name}"]`);
}

function journalEntries(page, method, pathname, status) {
  return page.locator(`#mock-journal li[data-method="${method}"][data-path="${pathname}"][data-status="${status}"]`);
}

before(async () => {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error(`the SPA is not built at ${DIST}: run 'cd web && trunk build --release'`);
  }
  mock = await startMock(["--client-secret", CLIENT_SECRET]);
  app = await startDemo();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  for (const s of [app, ...extraServers]) await stopServer(s);
  await stopServer(mock);
});

test("i. the Mock control panel is shown against the mock and absent against another API", { timeout: 60_000 }, async () => {
  let { context, page } = await openApp(app.url);
  try {
    await page.locator("#mock-control").getByRole("heading", { name: "Mock control" }).waitFor();
    await shot(page, "control-01-panel");
  } finally {
    await context.close();
  }

  // The same server software against an API that is not the mock (it answers, but has no /_mock).
  const other = await startDemo({
    AIRBYTE_API_URL: `${mock.origin}/not-the-mock/api/v1`,
    AIRBYTE_WIDGET_SCRIPT_URL: `${mock.origin}/widget.js`,
  });
  extraServers.push(other);
  ({ context, page } = await openApp(other.url));
  try {
    await page.waitForTimeout(200);
    assert.equal(await page.locator("#mock-control").count(), 0, "no panel");
    const response = await fetch(`${other.url}/api/mock/reset`, { method: "POST" });
    assert.equal(response.status, 404);
  } finally {
    await context.close();
  }
});

test("j. Reset in the panel puts the mock back to its seeded state", { timeout: 60_000 }, async () => {
  const { context, page } = await openApp(app.url);
  try {
    // Some state: a workspace for a user, made through the demo server.
    const minted = await fetch(`${app.url}/api/airbyte/widget-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: `reset-${Date.now().toString(36)}` }),
    });
    assert.equal(minted.status, 200);
    let health = await (await fetch(`${mock.origin}/_mock/health`)).json();
    assert.ok(health.counts.workspaces >= 1, JSON.stringify(health));

    await page.locator("#mock-reset").click();
    await page.locator("#mock-status").getByText("The mock is back to its seeded state.").waitFor();
    health = await (await fetch(`${mock.origin}/_mock/health`)).json();
    assert.equal(health.counts.workspaces, 0, JSON.stringify(health));
  } finally {
    await context.close();
  }
});

test("k. a one-shot fault on source creation: the app shows source_create_error, the journal the 503, the retry succeeds", { timeout: 90_000 }, async (t) => {
  if (!(await mockHas("faults"))) {
    t.skip("this mock has no /_mock/faults yet (the faults part of issue #9)");
    return;
  }
  const journal = await mockHas("requests");
  const { context, page, pageErrors } = await openApp(app.url);
  try {
    await pickUser(page, (await users(page))[1]);
    await page.locator("#mock-fault-source-create").click();
    await page.locator("#mock-status").getByText("The next POST /api/v1/embedded/sources answers 503").waitFor();

    const frame = await connect(page);
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_e2e_fault");
    await frame.locator("#field-client_secret").fill(STRIPE_SECRET);
    await frame.getByRole("button", { name: "Save" }).click();

    await logEntries(page, "source_create_error").first().waitFor();
    await page.locator("#error").getByText(/Could not create the Stripe integration/).waitFor();
    assert.equal(await logEntries(page, "source_created").count(), 0, "no source was created");
    if (journal) {
      const failed = journalEntries(page, "POST", "/api/v1/embedded/sources", "503");
      await failed.first().waitFor();
      assert.match(await failed.first().textContent(), /fault/, "the entry names the fault rule");
    }
    await shot(page, "control-02-fault");

    // One shot only: saving again creates the source.
    await frame.getByRole("button", { name: "Save" }).click();
    await page.locator("#notification").getByText("Data source connected successfully!").waitFor();
    if (journal) {
      await journalEntries(page, "POST", "/api/v1/embedded/sources", "201").or(journalEntries(page, "POST", "/api/v1/embedded/sources", "200")).first().waitFor();
      const panel = await page.locator("#mock-control").textContent();
      assert.ok(panel.includes(MASK), "bodies in the journal show masked secrets");
      await page.evaluate(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.close());
      await page.locator("#mock-journal li details").first().evaluate((d) => (d.open = true));
      await page.locator("#mock-control").scrollIntoViewIfNeeded();
      await shot(page, "control-03-journal");
    }
    const html = await page.content();
    assert.ok(!html.includes(STRIPE_SECRET), "the source's secret appears nowhere in the page");
    assert.ok(!html.includes(CLIENT_SECRET), "the client secret appears nowhere in the page");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("l. a one-shot fault on the widget token: the app explains the 503, the next try opens the widget", { timeout: 90_000 }, async (t) => {
  if (!(await mockHas("faults"))) {
    t.skip("this mock has no /_mock/faults yet (the faults part of issue #9)");
    return;
  }
  const { context, page } = await openApp(app.url);
  try {
    await pickUser(page, (await users(page))[2]);
    await page.locator("#mock-fault-widget-token").click();
    await page.locator("#mock-status").getByText("The next POST /api/v1/account/applications/widget-token answers 503").waitFor();
    await page.locator("#connect-button").click();
    await page.locator("#error").getByText(/Could not get a widget token/).waitFor();
    assert.match(await page.locator("#error").textContent(), /503/);
    if (await mockHas("requests")) {
      await journalEntries(page, "POST", "/api/v1/account/applications/widget-token", "503").first().waitFor();
    }
    await connect(page);
  } finally {
    await context.close();
  }
});
