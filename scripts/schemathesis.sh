#!/usr/bin/env bash
# schemathesis (from PyPI, pinned) against the mock: generated requests for every emulated operation
# of an OpenAPI document, checking that no answer is a server error and every answer matches the
# document's response schema. The mock runs on a free loopback port with an application token.
#   scripts/schemathesis.sh                  # Airbyte's published document (the repository's copy)
#   scripts/schemathesis.sh mock             # the mock's own document, GET /_mock/openapi.json
#   scripts/schemathesis.sh DOC [ARGS...]    # any document path or URL; ARGS go to `schemathesis run`
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

# An application token, and the organization it belongs to (sent as X-Organization-Id, so generated
# values of that header parameter do not turn every request into a 403).
read -r TOKEN ORG < <("$VENV/bin/python" - "$URL" <<'PY'
import base64, json, sys, urllib.request
url = sys.argv[1]
body = json.dumps({"client_id": "mock-client-id", "client_secret": "mock-client-secret"}).encode()
request = urllib.request.Request(url + "/api/v1/account/applications/token", data=body,
                                 headers={"content-type": "application/json"})
token = json.load(urllib.request.urlopen(request))["access_token"]
claims = token.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
print(token, claims["organization_id"])
PY
)

DOC=${1:-published}
[ $# -gt 0 ] && shift
case "$DOC" in
  published) DOC="$PUBLISHED" ;;
  mock) DOC="$URL/_mock/openapi.json" ;;
esac

ARGS=(
  run "$DOC" --url "$URL"
  -H "Authorization: Bearer $TOKEN" -H "X-Organization-Id: $ORG"
  --checks "${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance}"
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}"
  --request-timeout 10
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
