// Accessibility in headless Chromium: axe-core (@axe-core/playwright) on the demo app, on every screen
// of the authentication-module page (/embedded-widget, inside the widget's dialog) and on the operator
// console at the mock's root, with zero serious or critical violations allowed; and a keyboard-only walk
// of the demo app's happy path (Tab to "Connect your data", Enter, focus kept inside the modal dialog,
// a connector chosen and its form filled and saved with the keyboard, Escape, focus back on the opener).
//
// Run:  cargo build -p airbyte-mock -p demo-server && (cd web && trunk build --release) && (cd e2e && node --test a11y.test.mjs)
// Env:  AIRBYTE_MOCK_BIN, DEMO_SERVER_BIN (default target/debug/<name>), DEMO_WEB_DIST (default web/dist)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";

import { ROOT, binary, launchChromium, pickUser, shot, startMock, startServer, stopServer, users } from "./support.mjs";

const DIST = process.env.DEMO_WEB_DIST ? path.resolve(process.env.DEMO_WEB_DIST) : path.join(ROOT, "web/dist");
const DIALOG = "dialog.airbyte-widget-dialog-wrapper";
const BLOCKING = new Set(["serious", "critical"]);

let mock;
let app;
let browser;
const extraServers = [];

async function startDemo(env = {}) {
  const server = await startServer(binary("demo-server", "DEMO_SERVER_BIN"), ["--addr", "127.0.0.1:0"], {
    env: { AIRBYTE_API_URL: `${mock.origin}/api/v1`, DEMO_WEB_DIST: DIST, ...env },
    pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  });
  return { ...server, url: `http://localhost:${server.match[1]}` };
}

before(async () => {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error(`the SPA is not built at ${DIST}: run 'cd web && trunk build --release'`);
  }
  mock = await startMock(["--time-scale", "0"]);
  app = await startDemo();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  for (const s of [app, ...extraServers]) await stopServer(s);
  await stopServer(mock);
});

async function newPage(url, ready) {
  // Reduced motion turns the pages' colour transitions off: axe measures contrast at one instant,
  // and right after a theme switch a 0.15 s transition would show it colours halfway between themes.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.goto(url);
  await page.locator(ready).waitFor();
  return { context, page, pageErrors };
}

/** One line per violation node, for the assertion message. */
function describe(violations) {
  return violations
    .flatMap((v) =>
      v.nodes.map((n) => `  [${v.impact}] ${v.id}: ${v.help}\n      at ${JSON.stringify(n.target)}\n      ${n.failureSummary?.replace(/\n/g, " | ")}`)
    )
    .join("\n");
}

/**
 * Runs axe on the whole page, iframes included (the widget's cross-origin iframe is analysed in its own
 * frame), and fails on any serious or critical violation. Lesser ones are printed, not fatal.
 */
async function assertAccessible(page, screen) {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact));
  const minor = results.violations.filter((v) => !BLOCKING.has(v.impact));
  if (minor.length) console.log(`# axe, ${screen}: ${minor.length} moderate/minor rule(s)\n${describe(minor)}`);
  assert.equal(blocking.length, 0, `axe, ${screen}: serious or critical violations\n${describe(blocking)}`);
  assert.ok(results.passes.length > 0, "axe ran its rules");
}

async function openWidget(page) {
  await page.locator("#connect-button").click();
  const frame = page.frameLocator(`${DIALOG} iframe`);
  await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
  return frame;
}

async function pickUserAt(page, index) {
  const offered = await users(page);
  await pickUser(page, offered[index % offered.length]);
}

test("the demo app, before the widget opens", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newPage(app.url, "#connect-button");
  try {
    await assertAccessible(page, "demo app");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the demo app in the dark theme, with events and the journal filled in", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newPage(app.url, "#connect-button");
  try {
    await page.emulateMedia({ colorScheme: "dark" });
    await pickUserAt(page, 4);
    const frame = await openWidget(page);
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").fill("acct_dark");
    await frame.locator("#field-client_secret").fill("sk_test_dark");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await page.evaluate((sel) => document.querySelector(sel)?.close(), DIALOG);
    await page.locator('#event-log li[data-event="source_created"]').first().waitFor();
    await page.locator("#notification").waitFor();
    await assertAccessible(page, "demo app, dark theme, after a source was connected");
    await page.emulateMedia({ colorScheme: "light" });
    await assertAccessible(page, "demo app, light theme, after a source was connected");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("every screen of the widget page inside the demo app's dialog", { timeout: 120_000 }, async () => {
  const { context, page, pageErrors } = await newPage(app.url, "#connect-button");
  try {
    await pickUserAt(page, 3);
    const frame = await openWidget(page);
    await assertAccessible(page, "widget: template list");

    // The config form, then the 'fail' outcome (the form's alert), then the server's field errors.
    await frame.getByRole("button", { name: "Stripe", exact: true }).click();
    await frame.locator("#field-account_id").waitFor();
    await assertAccessible(page, "widget: config form");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.locator("[aria-invalid=true]").first().waitFor();
    await assertAccessible(page, "widget: config form with client-side errors");
    await frame.locator("#field-account_id").fill("acct_a11y");
    await frame.locator("#field-client_secret").fill("fail");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.locator("#form-alert").getByText(/check/i).waitFor();
    await assertAccessible(page, "widget: error screen (source_create_error)");

    // Success.
    await frame.locator("#field-client_secret").fill("sk_test_a11y");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await assertAccessible(page, "widget: success screen");
    await shot(page, "a11y-widget-success");

    // The saved list and the delete confirmation.
    await page.evaluate((sel) => document.querySelector(sel)?.close(), DIALOG);
    await page.locator("#sources-list li").first().waitFor();
    const again = await openWidget(page);
    await again.getByRole("tab", { name: /Saved integrations/ }).click();
    await again.getByRole("tabpanel").getByText(/Stripe/).first().waitFor();
    await assertAccessible(page, "widget: saved integrations");
    await again.getByRole("button", { name: /^Delete Stripe/ }).first().click();
    await again.getByRole("button", { name: "No, nevermind" }).waitFor();
    await assertAccessible(page, "widget: delete confirmation");
    await page.evaluate((sel) => document.querySelector(sel)?.close(), DIALOG);

    // The load error (a one-shot 503 on the template listing) with its "Try again".
    const fault = await fetch(`${mock.origin}/_mock/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "GET", path: "/api/v1/embedded/source-templates", status: 503, times: 1 }),
    });
    assert.equal(fault.status, 201, "the mock takes the fault rule");
    await page.locator("#connect-button").click();
    const failed = page.frameLocator(`${DIALOG} iframe`);
    await failed.getByRole("button", { name: "Try again" }).waitFor({ timeout: 20_000 });
    await assertAccessible(page, "widget: load error");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the widget page's OAuth form and the consent pop-up", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newPage(app.url, "#connect-button");
  try {
    await pickUserAt(page, 6);
    const frame = await openWidget(page);
    await frame.getByRole("button", { name: "Google Sheets", exact: true }).click();
    await frame.locator("#field-spreadsheet_id").waitFor();
    await assertAccessible(page, "widget: OAuth config form");
    const popupPromise = context.waitForEvent("page");
    await frame.getByRole("button", { name: "Authenticate with Google Sheets" }).click();
    const popup = await popupPromise;
    await popup.getByRole("heading", { name: /wants access to your account/ }).waitFor();
    await assertAccessible(popup, "OAuth consent pop-up");
    const closed = popup.waitForEvent("close");
    await popup.getByRole("button", { name: "Allow" }).click().catch((e) => {
      if (!/closed/i.test(String(e))) throw e;
    });
    await closed;
    await frame.getByText(/Filled by Google Sheets/).first().waitFor();
    await assertAccessible(page, "widget: OAuth form filled by the consent");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("the widget page's origin diagnosis", { timeout: 60_000 }, async () => {
  const other = await startDemo({ ALLOWED_ORIGIN: "http://localhost:1" });
  extraServers.push(other);
  const { context, page } = await newPage(other.url, "#connect-button");
  try {
    await page.locator("#connect-button").click();
    const frame = page.frameLocator(`${DIALOG} iframe`);
    await frame.getByText("No token arrived from the host page").waitFor({ timeout: 15_000 });
    await assertAccessible(page, "widget: origin diagnosis");
  } finally {
    await context.close();
  }
});

test("the operator console at the mock's root, and its widget preview", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newPage(`${mock.origin}/`, "body[data-ready=true]");
  try {
    await assertAccessible(page, "console");
    await page.locator("#customer-name").fill("a11y-preview");
    await page.locator("#preview-form button[type=submit]").click();
    const frame = page.frameLocator(`${DIALOG} iframe`);
    await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
    await assertAccessible(page, "console: widget preview");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

/** The widget page's frame (the newest one, should the page hold several). */
function widgetFrame(page) {
  const frames = page.frames().filter((f) => f.url().includes("/embedded-widget"));
  assert.ok(frames.length > 0, "the widget's iframe is loaded");
  return frames[frames.length - 1];
}

/**
 * Where the keyboard focus is: `where` is "frame" (inside the module page), "dialog" (another element
 * of the host's dialog), "none" (nothing focused in the page: the stop a modal <dialog> leaves for the
 * browser's own UI between two rounds) or "outside" (a host element behind the dialog: a leak).
 */
async function focusState(page) {
  const host = await page.evaluate((sel) => {
    const el = document.activeElement;
    return {
      tag: el?.tagName ?? null,
      id: el?.id ?? "",
      inDialog: Boolean(el?.closest(sel)),
      dialogOpen: Boolean(document.querySelector(sel)?.open),
    };
  }, DIALOG);
  const inner = await widgetFrame(page).evaluate(() => {
    const el = document.activeElement;
    return { focused: document.hasFocus(), tag: el?.tagName ?? null, id: el?.id ?? "", text: (el?.textContent ?? "").trim().slice(0, 40) };
  });
  let where = "outside";
  if (inner.focused) where = "frame";
  else if (host.inDialog) where = "dialog";
  else if (host.tag === "BODY" || host.tag === null) where = "none";
  return { where, host, inner };
}

/** One Tab (or Shift+Tab) press; fails if the focus lands on anything behind the dialog. */
async function press(page, key, step) {
  await page.keyboard.press(key);
  const state = await focusState(page);
  assert.notEqual(state.where, "outside", `${key} #${step} took the focus out of the dialog: ${JSON.stringify(state)}`);
  return state;
}

/** Presses Tab until `done(focus inside the module page)` holds, the focus staying in the dialog. */
async function tabUntil(page, done, what, max = 40) {
  for (let step = 1; step <= max; step++) {
    const state = await press(page, "Tab", step);
    if (state.where === "frame" && done(state.inner)) return;
  }
  assert.fail(`${what}: not reached within ${max} Tab presses`);
}

test("keyboard only: Tab to 'Connect your data', Enter, the focus stays in the dialog, connect a source, Escape, the focus returns", { timeout: 120_000 }, async () => {
  const { context, page, pageErrors } = await newPage(app.url, "#connect-button");
  try {
    await pickUserAt(page, 5);
    await page.evaluate(() => document.activeElement?.blur());
    let reached = false;
    for (let presses = 0; presses < 40 && !reached; presses++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "connect-button");
    }
    assert.ok(reached, "Tab reaches the 'Connect your data' button");
    assert.equal(await page.locator("#connect-button:focus-visible").count(), 1, "the focused button shows a focus ring");

    await page.keyboard.press("Enter");
    const frame = page.frameLocator(`${DIALOG} iframe`);
    await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
    const opened = await focusState(page);
    assert.ok(opened.host.dialogOpen, "Enter opened the dialog");
    assert.equal(opened.where, "frame", `the focus moves into the module page: ${JSON.stringify(opened)}`);
    assert.equal(await page.locator(`${DIALOG} iframe`).getAttribute("title"), "Airbyte: connect your data", "the host names the iframe");

    // The first Tab reaches the module page's first control (not the browser's UI), and two full
    // rounds each way never leave the dialog: the focus cycles through the module page's controls
    // with at most the one stop for the browser's UI per round.
    const first = await press(page, "Tab", 1);
    assert.equal(first.where, "frame", `the first Tab lands on a control of the module page: ${JSON.stringify(first)}`);
    const firstControl = `${first.inner.tag}#${first.inner.id}:${first.inner.text}`;
    for (const key of ["Tab", "Shift+Tab"]) {
      let returns = 0;
      let stops = 0;
      for (let step = 1; step <= 40 && returns < 2; step++) {
        const state = await press(page, key, step);
        if (state.where === "none") stops++;
        if (state.where === "frame" && `${state.inner.tag}#${state.inner.id}:${state.inner.text}` === firstControl) returns++;
      }
      assert.equal(returns, 2, `${key}: the focus comes round to the first control again`);
      assert.ok(stops <= 2, `${key}: ${stops} stops outside the module page in two rounds`);
    }

    // Choose Stripe, fill the form and save, all from the keyboard.
    await tabUntil(page, (f) => f.tag === "BUTTON" && f.text.startsWith("Stripe"), "the Stripe connector");
    await page.keyboard.press("Enter");
    await frame.locator("#field-account_id").waitFor();
    await tabUntil(page, (f) => f.id === "field-account_id", "the account_id field");
    await page.keyboard.type("acct_keyboard");
    await tabUntil(page, (f) => f.id === "field-client_secret", "the client_secret field");
    await page.keyboard.type("sk_test_keyboard");
    await tabUntil(page, (f) => f.tag === "BUTTON" && f.text === "Save", "the Save button");
    await page.keyboard.press("Enter");
    await frame.getByRole("heading", { name: "Success!" }).waitFor();
    await page.locator('#event-log li[data-event="source_created"]').first().waitFor();

    // Escape (pressed inside the module page) closes the dialog; the focus is back on the opener.
    assert.equal((await focusState(page)).where, "frame");
    await page.keyboard.press("Escape");
    await page.waitForFunction((sel) => !document.querySelector(sel)?.open, DIALOG, { timeout: 5_000 });
    await page.waitForFunction(() => document.activeElement?.id === "connect-button", null, { timeout: 5_000 }).catch(() => {});
    const closed = await focusState(page);
    assert.equal(closed.host.id, "connect-button", `the focus returns to the opener: ${JSON.stringify(closed)}`);
    await page.keyboard.press("Tab");
    assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), "IFRAME", "Tab goes on from the opener, not into the closed dialog");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test("keyboard only in the console: Enter in the preview form opens the widget with the focus inside; Escape gives it back", { timeout: 60_000 }, async () => {
  const { context, page, pageErrors } = await newPage(`${mock.origin}/`, "body[data-ready=true]");
  try {
    await page.locator("#customer-name").focus();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("a11y-keyboard");
    await page.keyboard.press("Enter");
    const frame = page.frameLocator(`${DIALOG} iframe`);
    await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator(`${DIALOG} iframe`).getAttribute("title"), "Airbyte widget preview for a11y-keyboard");
    assert.equal((await focusState(page)).where, "frame", "the focus is in the module page");
    const first = await press(page, "Tab", 1);
    assert.equal(first.where, "frame", `the first Tab lands on a control of the module page: ${JSON.stringify(first)}`);
    await page.keyboard.press("Escape");
    await page.waitForFunction((sel) => !document.querySelector(sel)?.open, DIALOG, { timeout: 5_000 });
    await page.waitForFunction(() => document.activeElement?.id === "customer-name", null, { timeout: 5_000 }).catch(() => {});
    assert.equal(await page.evaluate(() => document.activeElement?.id), "customer-name", "the focus is back where it was");
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
