// The built SPA (web/dist) must never carry a credential: the browser only ever sees widget tokens.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

import { ROOT } from "./support.mjs";

const DIST = process.env.DEMO_WEB_DIST ? path.resolve(process.env.DEMO_WEB_DIST) : path.join(ROOT, "web/dist");
// The mock's documented demo secret, the secrets the test suites store in sources (the sample
// configurations of mock-api/tests/api/helpers.rs), plus any secret configured in this environment.
const SECRETS = [
  "mock-client-secret",
  "sk_test_sampleSecret42",
  "pg-sample-password",
  "ghp_sampleToken123",
  "pat-na1-sample",
  "sf-sample-client-secret",
  "sf-sample-refresh-token",
  process.env.AIRBYTE_CLIENT_SECRET,
  process.env.AIRBYTE_MOCK_CLIENT_SECRET,
  process.env.AIRBYTE_MOCK_ADMIN_TOKEN,
].filter(Boolean);

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

test("the built SPA assets contain no client secret or stored secret", () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `build the SPA first: ${DIST}`);
  const all = files(DIST);
  assert.ok(all.some((f) => f.endsWith(".wasm")), "the wasm module is part of the check");
  for (const file of all) {
    const bytes = fs.readFileSync(file);
    for (const secret of SECRETS) {
      assert.equal(bytes.includes(secret), false, `${path.relative(ROOT, file)} contains a secret`);
    }
    // The SPA has no business knowing the name of the credential either.
    assert.equal(bytes.includes("client_secret"), false, `${path.relative(ROOT, file)} mentions client_secret`);
  }
});
