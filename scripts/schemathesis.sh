#!/usr/bin/env bash
# schemathesis (from PyPI, pinned) against the mock: generated requests for every emulated operation
# of an OpenAPI document, checking that no answer is a server error and every answer matches the
# document's response schema. The mock runs on a free loopback port with an application token.
#   scripts/schemathesis.sh                  # Airbyte's published document (the repository's copy)
#   scripts/schemathesis.sh mock             # the mock's own document, GET /_mock/openapi.json
#   scripts/schemathesis.sh [DOC] [ARGS...]  # any document path or URL; ARGS go to `schemathesis run`
# Environment: SCHEMATHESIS_VENV (default .tools/venv), AIRBYTE_MOCK_BIN (a built binary; default: build the debug one), SCHEMATHESIS_MAX_EXAMPLES
# (default 10 per operation), SCHEMATHESIS_SEED (default: random), SCHEMATHESIS_CHECKS (default
# not_a_server_error,response_schema_conformance; `all` adds status-code and positive-data checks,
# which report where the mock validates more than the document says).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-$ROOT/.tools/venv}"
PUBLISHED="$ROOT/crates/airbyte-openapi/airbyte-agent-api.openapi.json"

# Paths of the published document the mock does not emulate, mirroring OUT_OF_SCOPE in
# mock-api/tests/api/coverage.rs (empty today: all 34 operations are emulated), each excluded.
OUT_OF_SCOPE_PATHS=()

# Without Python (or its venv module) there is no schemathesis: say so loudly and skip, unless
# SCHEMATHESIS_REQUIRED=1 makes that a failure.
skip() {
  echo "=== schemathesis SKIPPED: $*" >&2
  [ "${SCHEMATHESIS_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
}
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "--- schemathesis $VERSION (PyPI) into ${VENV#"$ROOT/"}"
  if [ ! -x "$VENV/bin/pip" ]; then
    command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
    python3 -m venv "$VENV" || skip "python3 -m venv failed (Debian: apt install python3-venv)"
  fi
  "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi

BIN=${AIRBYTE_MOCK_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --locked -q -p airbyte-mock
  BIN="$ROOT/target/debug/airbyte-mock"
fi

WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# The documented demo credentials, whatever this shell's environment configures.
env -u AIRBYTE_MOCK_CLIENT_ID -u AIRBYTE_MOCK_CLIENT_SECRET -u AIRBYTE_MOCK_STATE_FILE \
  -u AIRBYTE_MOCK_ADMIN_TOKEN RUST_LOG=warn \
  "$BIN" --addr 127.0.0.1:0 >"$WORK/stdout" 2>"$WORK/stderr" &
MOCK_PID=$!
URL=
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/stdout" | head -1 || true)
  [ -n "$URL" ] && break
  kill -0 "$MOCK_PID" 2>/dev/null || { cat "$WORK/stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "the mock did not start" >&2; cat "$WORK/stderr" >&2; exit 1; }

# A config file with the credentials (an application token and its organization as
# X-Organization-Id, so generated values of that header do not turn every request into a 403; a
# scoped token for the end-user operations) and real objects for the path parameters, so operations
# on `{id}` reach more than the 404.
CONFIG="$WORK/schemathesis.toml"
"$VENV/bin/python" - "$URL" "$CONFIG" <<'PY'
import base64, json, sys, urllib.request
url, config = sys.argv[1], sys.argv[2]

def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    return json.load(urllib.request.urlopen(request))

def first(items, *keys):
    for item in items:
        for key in keys:
            if item.get(key):
                return item[key]
    raise SystemExit(f"none of {keys} in {items!r:.200}")

token = call("POST", "/api/v1/account/applications/token",
             {"client_id": "mock-client-id", "client_secret": "mock-client-secret"})["access_token"]
claims = token.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
def stripe_source(workspace):
    return call("POST", "/api/v1/integrations/connectors", {
        "workspace_name": workspace, "connector_type": "stripe",
        "replication_config": {"account_id": "acct_1234567890abcdef", "client_secret": "sk_test_x",
                               "start_date": "2024-01-01T00:00:00Z"}}, token)

source = stripe_source("schemathesis")
# What the DELETE operations get instead: objects nothing else uses (deleting a template or a
# workspace cascades to its sources).
doomed = stripe_source("schemathesis-doomed")
templates = call("GET", "/api/v1/integrations/templates/sources", token=token)["data"]
doomed_template = next(t["id"] for t in templates if t["name"] == "GitHub")
ids = {
    "/api/v1/integrations/connectors/{id}": source["id"],
    "/api/v1/integrations/connectors/{id}/check": source["id"],
    "/api/v1/integrations/connectors/{id}/execute": source["id"],
    "/api/v1/integrations/templates/sources/{id}": source["source_template"]["id"],
    "/api/v1/integrations/templates/connections/{id}": first(
        call("GET", "/api/v1/integrations/templates/connections", token=token)["data"], "id"),
    "/api/v1/integrations/definitions/sources/{id}": first(
        call("GET", "/api/v1/integrations/definitions/sources", token=token)["definitions"],
        "sourceDefinitionId", "id"),
    "/api/v1/integrations/definitions/destinations/{id}": first(
        call("GET", "/api/v1/integrations/definitions/destinations", token=token)["destinations"],
        "destinationDefinitionId", "id"),
}
def workspace_id(name):
    found = call("GET", "/api/v1/workspaces?name_contains=" + name, token=token)["data"]
    return next(w["id"] for w in found if w["name"] == name)

deletes = {
    "/api/v1/integrations/connectors/{id}": ("id", doomed["id"]),
    "/api/v1/integrations/templates/sources/{id}": ("id", doomed_template),
    "/api/v1/workspaces/{workspace_id}": ("workspace_id", workspace_id("schemathesis-doomed")),
    "/api/v1/workspaces/{id}": ("id", workspace_id("schemathesis-doomed")),
}
# The end-user operations take a scoped token, and the source it may see.
scoped = call("POST", "/api/v1/account/applications/scoped-token",
              {"workspace_name": "schemathesis"}, token)["token"]
stripe = source["source_template"]["id"]
mine = call("POST", "/api/v1/embedded/sources", {
    "source_template_id": stripe,
    "source_config": {"account_id": "acct_1234567890abcdef", "client_secret": "sk_test_x",
                      "start_date": "2024-01-01T00:00:00Z"}}, scoped)["id"]
end_user = {
    "/api/v1/embedded/sources": None,
    "/api/v1/embedded/sources/check": None,
    "/api/v1/embedded/sources/{id}": mine,
    "/api/v1/embedded/source-templates": None,
    "/api/v1/embedded/source-templates/{id}": stripe,
    "/api/v1/embedded/organizations/current-scoped": None,
    "/api/v1/embedded/scoped-token/info": None,
    "/api/v1/account/applications/scoped-token/info": None,
}
with open(config, "w") as out:
    out.write(f'headers = {{ Authorization = "Bearer {token}", "X-Organization-Id" = "{claims["organization_id"]}" }}\n\n')
    for path, value in end_user.items():
        out.write(f'[[operations]]\ninclude-path = "{path}"\n'
                  f'headers = {{ Authorization = "Bearer {scoped}" }}\n')
        if value:
            out.write(f'parameters = {{ "path.id" = "{value}" }}\n')
        out.write('\n')
    # The first matching entry applies: the DELETE ones come first.
    for path, (name, value) in deletes.items():
        out.write(f'[[operations]]\ninclude-path = "{path}"\ninclude-method = "DELETE"\n'
                  f'parameters = {{ "path.{name}" = "{value}" }}\n\n')
    for path, value in ids.items():
        out.write(f'[[operations]]\ninclude-path = "{path}"\nparameters = {{ "path.id" = "{value}" }}\n\n')
    # The published document calls it `workspace_id`, the mock's own `id`.
    for name in ["workspace_id", "id"]:
        out.write(f'[[operations]]\ninclude-path = "/api/v1/workspaces/{{{name}}}"\n'
                  f'parameters = {{ "path.{name}" = "{workspace_id("schemathesis")}" }}\n\n')
    out.write('[[operations]]\ninclude-path = "/api/v1/oauth/credentials/connector_type/{connector_type}"\n'
              'parameters = { "path.connector_type" = "hubspot" }\n')
PY
[ -s "$CONFIG" ] || { echo "could not prepare the schemathesis config" >&2; exit 1; }

# The document is the first argument unless that is already a schemathesis flag.
DOC=published
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  DOC=$1
  shift
fi
case "$DOC" in
  published) DOC="$PUBLISHED" ;;
  mock) DOC="$URL/_mock/openapi.json" ;;
esac

ARGS=(
  --config-file "$CONFIG"
  run "$DOC" --url "$URL"
  --checks "${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance}"
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}"
  --request-timeout 10
  # Every warning but unmatched_filter: the config names the paths of both documents.
  --warnings missing_auth,missing_test_data,validation_mismatch,base_url_mismatch,low_valid_rate,rate_limited,unresolvable_reference,unsupported_regex,method_not_allowed,missing_deserializer,unused_openapi_auth
  --report junit --report-dir "$ROOT/target/schemathesis"
)
# The control plane can make the mock fail on purpose (fault rules, resets): never fuzz it. (The
# published document has no /_mock path; there the filter would only warn that it matched nothing.)
[ "$DOC" != "$PUBLISHED" ] && ARGS+=(--exclude-path-regex '^/_mock')
[ -n "${SCHEMATHESIS_SEED:-}" ] && ARGS+=(--seed "$SCHEMATHESIS_SEED")
for path in "${OUT_OF_SCOPE_PATHS[@]}"; do
  ARGS+=(--exclude-path "$path")
done
echo "--- schemathesis $VERSION: $DOC against $URL"
"$VENV/bin/schemathesis" "${ARGS[@]}" "$@"
