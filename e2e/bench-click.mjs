// `just bench`: click-to-`source_created` in headless Chromium. The demo app (demo-server serving the
// built SPA) against the mock, both release builds; 20 times: open the widget in a fresh browser
// context, fill in Stripe, and time from the Save click (a capture listener in the widget's frame)
// to the `source_created` entry appearing in the app's event log (a MutationObserver in the page).
// Both clocks are performance.timeOrigin + performance.now() of one browser. Not a test: it prints
// one JSON line, {"samples_ms": [...], "median_ms": n}, which the bench tool reads.
//
// Env: AIRBYTE_MOCK_BIN, DEMO_SERVER_BIN (the release binaries), DEMO_WEB_DIST (web/dist), CLICKS (20).

import fs from "node:fs";
import path from "node:path";

import { ROOT, binary, launchChromium, startMock, startServer, stopServer } from "./support.mjs";

const DIST = process.env.DEMO_WEB_DIST ? path.resolve(process.env.DEMO_WEB_DIST) : path.join(ROOT, "web/dist");
const CLICKS = Number(process.env.CLICKS || 20);

if (!fs.existsSync(path.join(DIST, "index.html"))) {
  throw new Error(`the SPA is not built at ${DIST}: run 'just build-web'`);
}

const mock = await startMock();
const app = await startServer(binary("demo-server", "DEMO_SERVER_BIN"), ["--addr", "127.0.0.1:0"], {
  env: { AIRBYTE_API_URL: `${mock.origin}/api/v1`, DEMO_WEB_DIST: DIST },
  pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
});
const url = `http://localhost:${app.match[1]}`;
const browser = await launchChromium();

async function once(i) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator("#connect-button").waitFor();
    await page.evaluate(() => {
      window.__createdAt = null;
      new MutationObserver(() => {
        if (!window.__createdAt && document.querySelector('#event-log li[data-event="source_created"]')) {
          window.__createdAt = performance.timeOrigin + performance.now();
        }
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.locator("#connect-button").click();
    const frame = page.frameLocator("dialog.airbyte-widget-dialog-wrapper iframe");
    await frame.getByRole("tab", { name: "Add a new integration" }).waitFor({ timeout: 20_000 });
    await frame.getByRole("button", { name: /^Stripe\b/ }).first().click({ timeout: 15_000 }).catch(async (e) => {
      await page.screenshot({ path: "/tmp/bench-click-fail.png" });
      console.error(await frame.locator("body").innerText().catch(() => "?"));
      throw e;
    });
    await frame.locator("#field-account_id").fill(`acct_bench_${i}`);
    await frame.locator("#field-client_secret").fill("sk_test_bench_click");
    const handle = await page.locator("dialog.airbyte-widget-dialog-wrapper iframe").elementHandle();
    const widget = await handle.contentFrame();
    await widget.evaluate(() => {
      window.__saveAt = null;
      document.addEventListener(
        "click",
        (e) => {
          if (!window.__saveAt && e.target.closest("button")?.textContent.trim() === "Save") {
            window.__saveAt = performance.timeOrigin + performance.now();
          }
        },
        true
      );
    });
    const started = performance.now();
    await frame.getByRole("button", { name: "Save" }).click();
    await page.locator('#event-log li[data-event="source_created"]').first().waitFor({ timeout: 20_000 });
    const fallback = performance.now() - started;
    const saveAt = await widget.evaluate(() => window.__saveAt);
    const createdAt = await page.evaluate(() => window.__createdAt);
    return saveAt && createdAt ? createdAt - saveAt : fallback;
  } finally {
    await context.close();
  }
}

const samples = [];
try {
  await once(-1); // warm-up: the first run pays for compiling the SPA's wasm
  for (let i = 0; i < CLICKS; i++) samples.push(await once(i));
} finally {
  await browser.close();
  await stopServer(app);
  await stopServer(mock);
}
const sorted = [...samples].sort((a, b) => a - b);
console.log(JSON.stringify({ samples_ms: samples.map((s) => Math.round(s * 10) / 10), median_ms: sorted[Math.floor(sorted.length / 2)] }));
