#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already present. Everything goes into
# .tools/ inside the repository (nothing is cached elsewhere), from the package registries only.
#   scripts/setup.sh            # everything
#   scripts/setup.sh toolchain  # the Rust toolchain rust-toolchain.toml pins
#   scripts/setup.sh browser    # just Chromium and the e2e node packages
#   scripts/setup.sh wasm       # the wasm32 target, trunk, wasm-bindgen-cli, wasm-opt
#   scripts/setup.sh bench      # `just bench` only: oha (crates.io) and Prism (npm); not part of "all"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$TOOLS/node/node_modules/.bin:$PATH"
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than 1.95
BINARYEN_VERSION=132.0.0       # Debian's wasm-opt 108 cannot read rustc 1.95's wasm
OHA_VERSION=1.16.0             # `just bench`'s load generator
PRISM_VERSION=5.16.0           # `just bench`'s comparison: npm @stoplight/prism-cli
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)

step() { echo "--- setup: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# The toolchain rust-toolchain.toml pins. rustup installs a missing one on first use, unless
# RUSTUP_AUTO_INSTALL=0 (as on these machines), so install it explicitly.
install_toolchain() {
  local channel
  channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
  rustup run "$channel" rustc --version >/dev/null 2>&1 && return
  step "rust $channel (rustup, with clippy, rustfmt and the wasm32 target)"
  rustup toolchain install "$channel" --profile minimal \
    --component clippy,rustfmt --target wasm32-unknown-unknown
}

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
  if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/@axe-core/playwright ]; then
    step "e2e node packages (playwright-core, @axe-core/playwright; no browser download)"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

has_version() { have "$1" && "$1" --version 2>/dev/null | grep -qF "$2"; }

install_wasm() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || {
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  }
  has_version trunk "trunk $TRUNK_VERSION" || {
    step "trunk $TRUNK_VERSION (cargo install --debug, about 3 minutes)"
    # A debug build of trunk installs in half the time of its fat-LTO release profile and builds
    # the SPA just as well; trunk's own speed hardly matters next to cargo's.
    cargo install --debug --locked --root "$TOOLS" trunk --version "$TRUNK_VERSION"
  }
  has_version wasm-bindgen "wasm-bindgen $WBG_VERSION" || {
    step "wasm-bindgen-cli $WBG_VERSION (cargo install, about 2 minutes)"
    # --locked fails on this registry for some versions (a pinned dependency is missing), so fall back.
    cargo install --locked --root "$TOOLS" wasm-bindgen-cli --version "$WBG_VERSION" \
      || cargo install --root "$TOOLS" wasm-bindgen-cli --version "$WBG_VERSION"
  }
  has_version wasm-opt "version ${BINARYEN_VERSION%%.*}" || {
    step "wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    mkdir -p "$TOOLS/node"
    (cd "$TOOLS/node" && { [ -f package.json ] || echo '{"private": true}' > package.json; } \
      && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
  }
}

# `just bench` only: the load generator and the mock it is compared with.
install_bench() {
  has_version oha "$OHA_VERSION" || {
    step "oha $OHA_VERSION (cargo install --locked, a few minutes, once)"
    cargo install --locked --root "$TOOLS" oha --version "$OHA_VERSION"
  }
  [ -x "$TOOLS/node/node_modules/.bin/prism" ] || {
    step "prism (npm @stoplight/prism-cli@$PRISM_VERSION)"
    mkdir -p "$TOOLS/node"
    (cd "$TOOLS/node" && { [ -f package.json ] || echo '{"private": true}' > package.json; } \
      && npm install --no-audit --no-fund --silent "@stoplight/prism-cli@$PRISM_VERSION")
  }
}

for what in "${@:-all}"; do
  case "$what" in
    toolchain) install_toolchain ;;
    just) install_just ;;
    browser) install_browser ;;
    wasm) install_wasm ;;
    bench) install_bench ;;
    all)
      install_toolchain
      install_just
      install_wasm
      install_browser
      ;;
    *) echo "usage: scripts/setup.sh [all|toolchain|just|browser|wasm|bench]..." >&2; exit 2 ;;
  esac
done
