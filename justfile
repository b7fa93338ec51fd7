# Recipes for the Airbyte Embedded offline workbench. `./dev <recipe>` works without `just` installed.

set shell := ["bash", "-euo", "pipefail", "-c"]

tools := justfile_directory() / ".tools"
export PATH := tools / "bin" + ":" + env_var("PATH")
export CARGO_TERM_COLOR := "never"

# List the recipes.
default:
    @just --list

# Install what the build and tests need (idempotent; into .tools/).
setup:
    scripts/setup.sh all

# Every test: unit and integration (cargo), then the browser suite in headless Chromium.
test: setup
    cargo test --workspace --locked
    just test-browser

# The browser suite only (builds the mock first).
test-browser: (setup-part "browser")
    cargo build --locked -p airbyte-mock
    cd e2e && node --test --test-concurrency=1

[private]
setup-part part:
    scripts/setup.sh {{part}}

# Run the mock on 127.0.0.1:8001 (pass flags after `--`, e.g. `just mock --seed 7`).
mock *ARGS:
    cargo run --locked -p airbyte-mock -- {{ARGS}}

# Formatting and lints, as CI would want them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
