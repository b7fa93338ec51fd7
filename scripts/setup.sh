#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already present. Everything goes into
# .tools/ inside the repository (nothing is cached elsewhere), from the package registries only.
#   scripts/setup.sh            # everything
#   scripts/setup.sh browser    # just Chromium and the e2e node packages
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"
what="${1:-all}"

step() { echo "--- setup: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

install_just() {
  have just && return
  step "just (PyPI rust-just, else crates.io)"
  if have python3 && python3 -m venv "$TOOLS/venv" >/dev/null 2>&1 \
      && "$TOOLS/venv/bin/pip" install -q rust-just==1.59.0 >/dev/null 2>&1; then
    ln -sf "$TOOLS/venv/bin/just" "$TOOLS/bin/just"
  else
    cargo install --locked --root "$TOOLS" just --version 1.59.0
  fi
}

install_browser() {
  if ! have chromium || ! have chromedriver; then
    step "chromium + chromedriver (Debian packages)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [ ! -d e2e/node_modules/playwright-core ]; then
    step "e2e node packages (playwright-core, no browser download)"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

case "$what" in
  just) install_just ;;
  browser) install_browser ;;
  all)
    install_just
    install_browser
    ;;
  *) echo "usage: scripts/setup.sh [all|just|browser]" >&2; exit 2 ;;
esac
