// Shared by the browser suites: start the project's binaries on free loopback ports, launch Debian's
// Chromium (never a downloaded browser), and small helpers.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..");
export const SHOTS = path.resolve(ROOT, "target/e2e");
export const MASK = "**********";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A binary of this workspace: env override (relative to the cwd), else target/debug/<name>. */
export function binary(name, envVar) {
  const bin = process.env[envVar] ? path.resolve(process.env[envVar]) : path.resolve(ROOT, "target/debug", name);
  if (!fs.existsSync(bin)) {
    throw new Error(`${name} not found at ${bin}: run 'cargo build -p ${name === "airbyte-mock" ? "airbyte-mock" : name}' or set ${envVar}`);
  }
  return bin;
}

/**
 * Spawns `bin` and resolves once its output matches `pattern` (which should capture what the caller
 * needs, e.g. the URL it listens on). Rejects with the output if it exits first or takes over 30 s.
 */
export function startServer(bin, args, { env = {}, pattern }) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    const output = [];
    let settled = false;
    const settle = (fn, value) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn(value);
      }
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(reject, new Error(`${path.basename(bin)} did not print ${pattern} within 30 s:\n${output.join("")}`));
    }, 30_000);
    const onData = (chunk) => {
      output.push(chunk.toString());
      const match = pattern.exec(output.join(""));
      if (match) settle(resolve, { child, match, output });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => output.push(chunk.toString()));
    child.on("error", (error) => settle(reject, error));
    child.on("exit", (code, signal) =>
      settle(reject, new Error(`${path.basename(bin)} exited early (code ${code}, signal ${signal}):\n${output.join("")}`))
    );
  });
}

export async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

/** The mock on a free port; `origin` is `http://127.0.0.1:<port>`. */
export async function startMock(args = []) {
  const server = await startServer(binary("airbyte-mock", "AIRBYTE_MOCK_BIN"), ["--addr", "127.0.0.1:0", ...args], {
    pattern: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  return { ...server, origin: server.match[1] };
}

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + ".png") });
}

/** The demo app's users, from its user picker. The picker starts with the signed-in user alone and
 * fills in when /api/users answers, so this waits for more than one. */
export async function users(page) {
  await page.waitForFunction(() => document.querySelectorAll("#user-picker option").length > 1);
  return page.locator("#user-picker option").evaluateAll((options) => options.map((o) => o.value));
}

/** Signs `user` in through the picker (it must be one of the offered users). */
export async function pickUser(page, user) {
  await page.locator("#user-picker").selectOption(user);
}
