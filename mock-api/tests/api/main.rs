//! Integration tests of `airbyte-mock`: every test starts the real server on an ephemeral loopback port
//! (`airbyte_mock::TestServer`, through `helpers::spawn_app`) and talks HTTP to it with reqwest, so
//! routing, extractors, middleware and the wire format are all exercised exactly as a client sees them.

#![allow(clippy::unwrap_used)]

// The harness: spawn_app() on a TestServer, TestApp request helpers, token helpers and per-connector
// fixtures. JWT decoding, the error-shape assertion and unique names are in airbyte_mock::testkit.
mod helpers;

// Control plane: /_mock/health readiness and /_mock/reset back to the seeded state.
mod admin;
// Who may use /_mock: the admin token, loopback only without one, no CORS on the control plane.
mod admin_guard;
// Control plane backdoors: a source without the widget, every issued token expired at once.
mod backdoors;
// The mock's own OpenAPI document (/_mock/openapi.json) and the drift report against the published one.
mod drift;
// Hardening (issue 12): the route inventory the sweeps share, proptest fuzzing of bodies, queries,
// paths and headers, parallel bursts, the token-forgery matrix, secret leaks, graceful shutdown.
mod hardening_concurrency;
mod hardening_forgery;
mod hardening_fuzz;
mod hardening_routes;
mod hardening_secrets;
mod hardening_shutdown;
// Token tiers: missing, non-Bearer, malformed, forged, expired (401); wrong tier, workspace, organization (403).
mod auth;
// The operator console at /: the page and its CSP, its assets, the credentials route behind the admin guard.
mod console;
// The operator creating, checking and updating sources without the widget.
mod connectors;
// Every operation of the published document: emulated, or listed out of scope with a reason.
mod coverage;
// CORS on the end-user API: preflights for minted origins only, allow-origin bound to the token's origin.
mod cors;
// Execute: list, get and search on a source's simulated entities; errors; the same records per seed.
mod execute;
// Connector definitions from the catalog, cron describe.
mod definitions;
// Fault rules under /_mock/faults: status, body, delay, drop, 429 + Retry-After, times, seeded probability.
mod faults;
// Error shape everywhere: 404, 405, 413, malformed JSON, field paths, a junk-input sweep and a proptest.
mod errors;
// Fixtures: merged over HTTP, loaded at start (--fixture, repeatable or comma-separated), a bad one named and refused whole, reset?to=fixtures.
mod fixtures;
// The request journal under /_mock/requests: entries, filters, the bound, the SSE stream, redaction.
mod journal;
// OAuth app credentials: stored, redacted, used by the consent page, deleted.
mod oauth;
// Contract: responses validated against Airbyte's published OpenAPI 3.1 document (embedded in the airbyte-openapi crate).
mod openapi;
// --state-file: restarts, kill -9 mid-burst, truncated and corrupt files, write failures, SIGTERM.
mod persistence;
// --proxy, --record, --replay: forwarding, the 502, the scrubbed cassette, matching, strict 404s, bad flags.
mod record_replay;
// Simulated replication on the test clock: connections on source create (per connection-template tags), jobs, failures, cascades, the state file.
mod replication;
// The X-Mock-Scenario header: status, delay, drop, a bad value, never echoed or allowed by CORS.
mod scenario;
// The Python SDK's calls beyond the document: the create alias, lookup, server-side OAuth.
mod sdk;
// End-user sources (tag selection, CRUD, redaction, validation, outcome inputs) and the operator's view of them.
mod sources;
// Faithful by default, strict on request: each leniency is a 200 with a Warning (kept in the journal), a 422 under --strict.
mod strictness;
// The state dump (no secret in it) and loading it back: round trip, masked secrets, a bad state refused whole.
mod state;
// Operator catalog: source templates, connection templates and tags.
mod templates;
// TestServer itself: distinct free ports, shutdown on drop, a configuration that takes effect.
mod test_server;
// Application, widget and scoped tokens: shapes, the widget-token codec, allowed_origin rules, concurrency.
mod tokens;
// --validate: clean traffic through every published operation reports nothing; a wrong request is
// reported with the answer unchanged; GET/DELETE /_mock/validation.
mod validation;
// Workspace update, delete (cascading) and stats, validated against the published document.
mod workspace_ops;
// The widget stand-in's assets: scripts, CDN path, module page, diagnostics, OAuth consent.
mod widget;
