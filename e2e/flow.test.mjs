// The whole flow in headless Chromium: the mock and the demo server on free loopback ports, the Yew SPA
// served by the demo server, the widget script and the authentication-module page served by the mock.
// Each scenario asserts what the user sees.
//
// Run:  cargo build -p airbyte-mock -p demo-server && (cd web && trunk build --release) && (cd e2e && node --test)
// Env:  AIRBYTE_MOCK_BIN, DEMO_SERVER_BIN (default target/debug/<name>), DEMO_WEB_DIST (default web/dist)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

import { MASK, ROOT, UUID, binary, freePort, launchChromium, pickUser, shot, startMock, startServer, stopServer, users } from "./support.mjs";

const DIST = process.env.DEMO_WEB_DIST ? path.resolve(process.env.DEMO_WEB_DIST) : path.join(ROOT, "web/dist");
const STRIPE_SECRET = "sk_test_e2e_secret_value";

let mock;
let app; // the default demo server
let browser;
const extraServers = [];

/** A demo server against the mock; `env` overrides its configuration. Resolves with the URL to open. */
async function startDemo(env = {}, port = 0) {
  const server = await startServer(binary("demo-server", "DEMO_SERVER_BIN"), ["--addr", `127.0.0.1:${port}`], {
    env: { AIRBYTE_API_URL: `${mock.origin}/api/v1`, DEMO_WEB_DIST: DIST, ...env },
    pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  });
  return { ...server, url: `http://localhost:${server.match[1]}` };
}

async function openApp(url, options = {}) {
  const context = await browser.newContext({ viewport: options.viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.goto(url);
  await page.locator("#connect-button").waitFor();
  return { context, page, pageErrors };
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

async function createStripe(frame, secret = STRIPE_SECRET) {
  await frame.getByRole("button", { name: "Stripe", exact: true }).click();
  await frame.locator("#field-account_id").fill("acct_e2e");
  await frame.locator("#field-client_secret").fill(secret);
  await frame.getByRole("button", { name: "Save" }).click();
}

function dialogOpen(page) {
  return page.evaluate(() => Boolean(document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.open));
}

before(async () => {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error(`the SPA is not built at ${DIST}: run 'cd web && trunk build --release'`);
  }
  mock = await startMock();
  app = await startDemo();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  for (const s of [app, ...extraServers]) await stopServer(s);
  await stopServer(mock);
});

test("a. happy path: connect a source, see the notification, the event log and the list; the secret stays masked", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await openApp(app.url);
  try {
    assert.equal(await page.locator("#user-picker").inputValue(), "user_123", "user_123 is signed in by default");
    await shot(page, "flow-01-app");
    const frame = await connect(page);
    await shot(page, "flow-02-widget-open");
    await createStripe(frame);
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await page.locator("#notification").getByText("Data source connected successfully!").waitFor();

    const entry = logEntries(page, "source_created");
    await entry.first().waitFor();
    // The JSON sits in a collapsed <details>; its text is in the DOM either way.
    const logged = await entry.first().textContent();
    assert.ok(logged.includes(MASK), "the logged SourceRead shows the secret masked");
    assert.ok(!logged.includes(STRIPE_SECRET), "the logged SourceRead does not contain the secret");
    const id = /"id":\s*"([0-9a-f-]{36})"/.exec(logged)?.[1];
    assert.match(id ?? "", UUID, "the event carries the SourceRead id");

    await page.evaluate(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.close());
    const item = page.locator("#sources-list li").filter({ hasText: "Stripe - " });
    await item.first().waitFor();
    assert.equal(await item.count(), 1);
    await shot(page, "flow-03-connected");
    const html = await page.content();
    assert.ok(!html.includes(STRIPE_SECRET), "the secret appears nowhere in the app");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("b. editing a saved integration sends source_updated to the app", { timeout: 90_000 }, async () => {
  const { context, page } = await openApp(app.url);
  try {
    await pickUser(page, (await users(page))[1]);
    const frame = await connect(page);
    await createStripe(frame);
    await page.locator("#notification").getByText("Data source connected successfully!").waitFor();
    await frame.getByRole("button", { name: "Back to integrations" }).click();
    await frame.getByRole("tab", { name: "Saved integrations" }).click();
    await frame.getByRole("button", { name: /^Edit Stripe - / }).click();
    assert.equal(await frame.locator("#field-client_secret").inputValue(), MASK);
    await frame.locator("#field-account_id").fill("acct_e2e_edited");
    await frame.getByRole("button", { name: "Save" }).click();
    await page.locator("#notification").getByText("Data source updated successfully!").waitFor();
    const entry = logEntries(page, "source_updated");
    await entry.first().waitFor();
    // The JSON sits in a collapsed <details>; its text is in the DOM either way.
    assert.ok((await entry.first().textContent()).includes("acct_e2e_edited"), "the update's SourceRead is logged");
  } finally {
    await context.close();
  }
});

test("c. the 'fail' outcome shows source_create_error in both the widget and the app", { timeout: 90_000 }, async () => {
  const { context, page } = await openApp(app.url);
  try {
    await pickUser(page, (await users(page))[2]);
    const frame = await connect(page);
    await createStripe(frame, "fail");
    await frame.locator("#form-alert").getByText(/check/i).waitFor();
    await page.locator("#error").getByText(/check/i).waitFor();
    await logEntries(page, "source_create_error").first().waitFor();
    assert.equal(await logEntries(page, "source_created").count(), 0);
    await shot(page, "flow-04-fail");
  } finally {
    await context.close();
  }
});

test("d. the close button closes the dialog and sends no event", { timeout: 60_000 }, async () => {
  const { context, page } = await openApp(app.url);
  try {
    const frame = await connect(page);
    assert.equal(await dialogOpen(page), true);
    const before = await page.locator("#event-log li").count();
    await frame.getByRole("button", { name: "Close" }).click();
    await page.waitForFunction(() => !document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.open);
    await page.waitForTimeout(300);
    assert.equal(await page.locator("#event-log li").count(), before, "closing logs no event");
  } finally {
    await context.close();
  }
});

test("e. a wrong ALLOWED_ORIGIN is explained by the widget page: a trailing slash, another port", { timeout: 90_000 }, async () => {
  // Trailing slash: the mock mints the token as Airbyte does (with a Warning header); the widget page
  // receives the host's token from an origin that is not allowedOrigin as written, and says why.
  const port = await freePort();
  const slash = await startDemo({ ALLOWED_ORIGIN: `http://localhost:${port}/` }, port);
  extraServers.push(slash);
  let { context, page } = await openApp(slash.url);
  try {
    await page.locator("#connect-button").click();
    const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
    await frame.getByText("not written the way browsers write origins").waitFor({ timeout: 15_000 });
    await frame.getByText(`allowed_origin = 'http://localhost:${port}'`, { exact: false }).waitFor();
  } finally {
    await context.close();
  }

  // Another port: the token is minted, the widget page waits for a token that never comes and explains.
  const other = await startDemo({ ALLOWED_ORIGIN: "http://localhost:1" });
  extraServers.push(other);
  ({ context, page } = await openApp(other.url));
  try {
    await page.locator("#connect-button").click();
    const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
    await frame.getByText("No token arrived from the host page").waitFor({ timeout: 15_000 });
    await frame.getByText(/Port: expected 1/).waitFor();
    await frame.getByText(`allowed_origin = '${other.url}'`, { exact: false }).waitFor();
    await shot(page, "flow-05-origin-diagnosis");
  } finally {
    await context.close();
  }
});

test("f. a token that selects the pro-tier tag lists only pro-tier connectors", { timeout: 60_000 }, async () => {
  const tagged = await startDemo({ AIRBYTE_SOURCE_TEMPLATE_TAGS: "pro-tier" });
  extraServers.push(tagged);
  const { context, page } = await openApp(tagged.url);
  try {
    const frame = await connect(page);
    const names = await frame
      .locator('ul[aria-label="Available integrations"] .item-name')
      .evaluateAll((els) => els.map((e) => e.textContent.trim()).sort());
    assert.deepEqual(names, ["Postgres", "Salesforce", "Stripe"]);
  } finally {
    await context.close();
  }
});

test("g. an OAuth connector through the consent pop-up", { timeout: 90_000 }, async () => {
  const { context, page } = await openApp(app.url);
  try {
    await pickUser(page, (await users(page))[3]);
    const frame = await connect(page);
    await frame.getByRole("button", { name: "Google Sheets", exact: true }).click();
    await frame.locator("#field-spreadsheet_id").fill("1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb");
    const popupPromise = context.waitForEvent("page");
    await frame.getByRole("button", { name: "Authenticate with Google Sheets" }).click();
    const popup = await popupPromise;
    await popup.getByRole("heading", { name: "Google Sheets wants access to your account" }).waitFor();
    await shot(popup, "flow-06-oauth-consent");
    const closed = popup.waitForEvent("close");
    await popup.getByRole("button", { name: "Allow" }).click().catch((e) => {
      if (!/closed/i.test(String(e))) throw e;
    });
    await closed;
    await frame.getByText(/Filled by Google Sheets/).first().waitFor();
    await frame.getByRole("button", { name: "Save" }).click();
    await page.locator("#notification").getByText("Data source connected successfully!").waitFor();
    const entry = logEntries(page, "source_created");
    // The JSON sits in a collapsed <details>; its text is in the DOM either way.
    const logged = await entry.first().textContent();
    assert.match(logged, /"refresh_token":\s*"\*{10}"/, "the OAuth refresh token is redacted like any secret");
  } finally {
    await context.close();
  }
});

test("h. 'Preview your auth module' opens the widget for a typed customer name", { timeout: 90_000 }, async () => {
  const { context, page } = await openApp(app.url);
  const customer = `acme-preview-${Date.now().toString(36)}`;
  try {
    await page.locator("#preview-name").fill(customer);
    await page.locator("#preview-button").click();
    const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
    await frame.getByRole("button", { name: "Sample Data (Faker)", exact: true }).click();
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    // The source landed in the typed customer's workspace.
    const response = await fetch(`${app.url}/api/airbyte/sources?userId=${encodeURIComponent(customer)}`);
    const body = await response.json();
    assert.equal(body.data.length, 1, JSON.stringify(body));
    assert.match(body.data[0].name, /^Sample Data \(Faker\) - /);
  } finally {
    await context.close();
  }
});

test("m. a connected source shows its sync status: starting, then the last sync's records", { timeout: 90_000 }, async () => {
  // A mock of its own with the clock stopped, moved only by /_mock/clock/advance.
  const still = await startMock(["--time-scale", "0"]);
  extraServers.push(still);
  const demo = await startDemo({ AIRBYTE_API_URL: `${still.origin}/api/v1` });
  extraServers.push(demo);
  const { context, page, pageErrors } = await openApp(demo.url);
  try {
    const frame = await connect(page);
    await createStripe(frame);
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await page.evaluate(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.close());
    const item = page.locator("#sources-list li").filter({ hasText: "Stripe - " });
    await item.first().waitFor();
    const sync = item.first().locator(".source-sync");
    await sync.getByText("Sync starting…").waitFor({ timeout: 20_000 });
    // 185 simulated seconds: the first sync ended 120 seconds ago.
    const advanced = await fetch(`${still.origin}/_mock/clock/advance`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ seconds: 185 }),
    });
    assert.equal(advanced.status, 200);
    await sync.getByText(/^Last sync: [\d,]+ records, 2 min ago$/).waitFor({ timeout: 20_000 });
    await shot(page, "flow-13-sync-status");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("n. 'Preview data' shows a connected source's first records through execute, and another entity on request", { timeout: 90_000 }, async () => {
  const { context, page, pageErrors } = await openApp(app.url);
  try {
    const user = (await users(page)).at(-1);
    await pickUser(page, user);
    const frame = await connect(page);
    await createStripe(frame);
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await page.evaluate(() => document.querySelector("dialog.airbyte-widget-dialog-wrapper")?.close());
    const item = page.locator("#sources-list li").filter({ hasText: "Stripe - " }).first();
    await item.waitFor();
    await item.getByRole("button", { name: /^Preview data of / }).click();
    const data = item.locator(".source-data");
    await data.waitFor();
    const first = await data.getAttribute("data-entity");
    assert.ok(first, "an entity is shown");
    assert.equal(await data.locator("p[data-records]").getAttribute("data-records"), "5");
    assert.equal(await data.locator("tbody tr").count(), 5);
    await shot(page, "flow-14-preview-data");

    // Another entity from the picker: its records replace the first ones.
    const options = await data.locator("select option").evaluateAll((o) => o.map((x) => x.value));
    const other = options.find((o) => o !== first);
    assert.ok(other, `more than one entity: ${options}`);
    await data.locator("select").selectOption(other);
    await item.locator(`.source-data[data-entity="${other}"]`).waitFor();
    const html = await page.content();
    assert.ok(!html.includes(STRIPE_SECRET), "the secret appears nowhere in the app");
    await item.getByRole("button", { name: /^Hide data of / }).click();
    await data.waitFor({ state: "detached" });
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
