// The operator console at the mock's root in headless Chromium: enabling and disabling a connector
// (source templates, seen by an end user's scoped token), the widget preview, and a customer's sources
// and last job after a source is created through the operator API and the stopped clock is advanced.
//
// Run:  cargo build -p airbyte-mock && (cd e2e && node --test console.test.mjs)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { launchChromium, shot, startMock, stopServer } from "./support.mjs";

const CREDENTIALS = { client_id: "mock-client-id", client_secret: "mock-client-secret" };

let mock;
let browser;

before(async () => {
  mock = await startMock(["--time-scale", "0"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopServer(mock);
});

async function post(path, body, bearer) {
  const headers = { "content-type": "application/json" };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`${mock.origin}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json();
  assert.ok(response.ok, `${path}: ${JSON.stringify(data)}`);
  return data;
}

async function appToken() {
  return (await post("/api/v1/account/applications/token", CREDENTIALS)).access_token;
}

/** The source template names an end user of `workspace` sees, with a fresh scoped token. */
async function endUserTemplates(workspace) {
  const { token } = await post("/api/v1/account/applications/scoped-token", { workspace_name: workspace }, await appToken());
  const response = await fetch(`${mock.origin}/api/v1/embedded/source-templates`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).data.map((t) => t.name);
}

async function openConsole(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${mock.origin}/`);
  await page.locator("body[data-ready=true]").waitFor();
  return { context, page, errors };
}

test("the console shows the installation details, the catalog and the destinations", async () => {
  const { context, page, errors } = await openConsole(390);
  try {
    assert.equal(await page.locator('[data-field="client_id"] code').textContent(), CREDENTIALS.client_id);
    assert.equal(await page.locator('[data-field="client_secret"] code').textContent(), CREDENTIALS.client_secret);
    assert.equal(await page.locator('[data-field="api_url"] code').textContent(), mock.origin);
    assert.ok((await page.locator("#connector-list > li").count()) > 0);
    assert.ok((await page.locator("#destination-list > li").count()) > 0);
    assert.equal(await page.locator("#status").textContent(), "");
    // Readable at 390 px: nothing wider than the viewport.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    await shot(page, "console-390");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("disable then enable a connector: the end user's templates follow, and the widget preview opens", async () => {
  const { context, page, errors } = await openConsole();
  try {
    const card = page.locator('#connector-list > li[data-enabled="true"]').last();
    const name = await card.getAttribute("data-name");
    const item = page.locator(`#connector-list > li[data-name="${name}"]`);
    assert.ok((await endUserTemplates("console-a")).includes(name), `${name} listed at first`);

    await item.getByRole("button", { name: `Disable ${name}` }).click();
    await page.locator(`#connector-list > li[data-name="${name}"][data-enabled="false"]`).waitFor();
    assert.ok(!(await endUserTemplates("console-a")).includes(name), `${name} no longer listed`);

    await item.getByRole("button", { name: `Enable ${name}` }).click();
    await page.locator(`#connector-list > li[data-name="${name}"][data-enabled="true"]`).waitFor();
    assert.ok((await endUserTemplates("console-a")).includes(name), `${name} listed again`);
    await shot(page, "console-connectors");

    await page.locator("#customer-name").fill("console-preview");
    await page.locator("#preview-form button[type=submit]").click();
    const frame = page.locator(".airbyte-widget-dialog-content iframe");
    await frame.waitFor();
    await page.frameLocator(".airbyte-widget-dialog-content iframe").getByText(name).first().waitFor();
    await shot(page, "console-preview");
    assert.equal(await page.locator("#status").textContent(), "");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a customer's sources and last job after an operator-created source and an advanced clock", async () => {
  const token = await appToken();
  const source = await post(
    "/api/v1/integrations/connectors",
    {
      workspace_name: "console-customer",
      connector_type: "source-github",
      replication_config: {
        credentials: { option_title: "PAT Credentials", personal_access_token: "ghp_consoleToken123" },
        repositories: ["airbytehq/airbyte"],
      },
    },
    token,
  );
  // The first hourly sync starts on the hour and runs about a minute.
  await post("/_mock/clock/advance", { seconds: 3900 });

  const { context, page, errors } = await openConsole();
  try {
    const customer = page.locator('#customer-list > li[data-workspace="console-customer"]');
    await customer.waitFor();
    await customer.locator(`[data-source-id="${source.id}"]`).waitFor();
    const lastJob = await customer.locator(".last-job").first().textContent();
    assert.match(lastJob, /^succeeded, \d+ records, \d{4}-\d\d-\d\dT/);
    await shot(page, "console-customers");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("execute on a customer's source lists records, and 'Fail next sync' fails the connection's next job", async () => {
  const token = await appToken();
  const source = await post(
    "/api/v1/integrations/connectors",
    {
      workspace_name: "console-execute",
      connector_type: "source-github",
      replication_config: {
        credentials: { option_title: "PAT Credentials", personal_access_token: "ghp_consoleExecute1" },
        repositories: ["airbytehq/airbyte"],
      },
    },
    token,
  );
  const { context, page, errors } = await openConsole();
  try {
    await page.locator(`#execute-source option[value="${source.id}"]`).waitFor({ state: "attached" });
    await page.selectOption("#execute-source", source.id);
    await page.locator('#execute-entity option[value="issues"]').waitFor({ state: "attached" });
    await page.selectOption("#execute-entity", "issues");
    await page.fill("#execute-limit", "3");
    await page.getByRole("button", { name: "List records" }).click();
    const summary = page.locator("#execute-result p[data-records]");
    await summary.waitFor();
    assert.equal(await summary.getAttribute("data-records"), "3");
    assert.match(await summary.textContent(), /^3 issues from source-github in \d+ ms/);
    assert.equal(await page.locator("#execute-result tbody tr").count(), 3);
    await shot(page, "console-execute");

    // The connection's first job (started on creation; the clock stands still) fails.
    const customer = page.locator('#customer-list > li[data-workspace="console-execute"]');
    const fail = customer.getByRole("button", { name: /^Fail the next sync of / });
    await fail.click();
    await customer.getByText(/^Next sync fails \(fault-\d+\)$/).waitFor();
    await post("/_mock/clock/advance", { seconds: 120 });
    await page.click("#refresh-customers");
    await page.locator('#customer-list > li[data-workspace="console-execute"] .last-job', { hasText: /^failed/ }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
