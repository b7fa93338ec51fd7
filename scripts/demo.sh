#!/usr/bin/env bash
# Runs the mock and the demo server together (and, with --dev, `trunk serve` for live reload of the SPA).
# Ctrl-C stops everything. Used by `just demo` and `just dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PWD/.tools/node/node_modules/.bin:$PATH"
dev=false
[ "${1:-}" = "--dev" ] && dev=true

MOCK_ADDR="${AIRBYTE_MOCK_ADDR:-127.0.0.1:8001}"
DEMO_ADDR="${DEMO_SERVER_ADDR:-127.0.0.1:3000}"
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

cargo build --locked -p airbyte-mock -p demo-server
./target/debug/airbyte-mock --addr "$MOCK_ADDR" &
pids+=($!)
if $dev; then
  # trunk serve answers on :8080 and proxies /api/ to the demo server, so that is the page's origin.
  export ALLOWED_ORIGIN="${ALLOWED_ORIGIN:-http://localhost:8080}"
fi
AIRBYTE_API_URL="${AIRBYTE_API_URL:-http://$MOCK_ADDR/api/v1}" ./target/debug/demo-server --addr "$DEMO_ADDR" &
pids+=($!)
if $dev; then
  (cd web && trunk serve --port 8080 --address 127.0.0.1) &
  pids+=($!)
  url="http://localhost:8080"
else
  url="http://localhost:${DEMO_ADDR##*:}"
fi
sleep 1
echo
echo "  Open $url  (Ctrl-C stops everything)"
echo
wait -n "${pids[@]}"
