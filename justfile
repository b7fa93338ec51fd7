# Recipes for the Airbyte Embedded offline workbench. `./dev <recipe>` works without `just` installed.

set shell := ["bash", "-euo", "pipefail", "-c"]

tools := justfile_directory() / ".tools"
export PATH := tools / "bin" + ":" + tools / "node/node_modules/.bin" + ":" + env_var("PATH")
export CARGO_TERM_COLOR := "never"

# List the recipes.
default:
    @just --list

# Install what the build and tests need (idempotent; into .tools/, Chromium from Debian).
setup:
    scripts/setup.sh all

# Every test: formatting and lints, unit and integration, schemathesis, the wasm tests in Chromium, the
# browser suites.
test: setup lint
    # Without the mock binary's jemalloc (mock-api/Cargo.toml, feature `jemalloc`): tests do not
    # measure allocation, and its C build would cost minutes on a fresh clone.
    cargo test --workspace --locked --no-default-features
    # The binary the test build just made (a fixed seed: the same generated requests every run).
    AIRBYTE_MOCK_BIN=target/debug/airbyte-mock SCHEMATHESIS_SEED=1 just schemathesis
    AIRBYTE_MOCK_BIN=target/debug/airbyte-mock SCHEMATHESIS_SEED=1 just schemathesis mock
    just test-wasm
    just test-browser

# wasm-bindgen tests of the Yew widget bindings, in headless Chromium.
test-wasm: (setup-part "wasm") (setup-part "browser")
    cd crates/yew-airbyte-widget && CHROMEDRIVER=/usr/bin/chromedriver \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --locked --target wasm32-unknown-unknown

# The browser suites: the widget stand-in, and the whole flow through the demo app.
test-browser: (setup-part "browser") build-web
    # The binaries the suites start, built as the test build builds them (same features, so after
    # `cargo test --workspace` this compiles nothing).
    cargo test --workspace --locked --no-default-features --no-run
    cd e2e && node --test --test-concurrency=1

# Installed from PyPI (pinned) into .tools/venv; the mock runs on a free port. No argument: Airbyte's
# published document; `mock`: the mock's own /_mock/openapi.json; else a document path or URL
# (further arguments go to `schemathesis run`).
# schemathesis against the mock: no 5xx, no answer outside the document's schemas.
schemathesis *ARGS:
    scripts/schemathesis.sh {{ARGS}}

# Build the SPA (web/dist) in release mode.
build-web: (setup-part "wasm")
    cd web && trunk build --release

# The demo (SPA, mock, demo server in one process); prints the URL once both answer. Ctrl-C stops it.
demo *ARGS: build-web
    cargo run --locked -p workbench -- {{ARGS}}

# Like `demo`, plus `trunk serve` live-reloading the SPA; prints http://localhost:8080 once it answers.
dev *ARGS: (setup-part "wasm")
    cargo run --locked -p workbench -- --dev {{ARGS}}

# The contract suite against the in-process mock.
contract:
    cargo test --locked -p airbyte-contract-tests

# The same contract suite against a live Airbyte API (needs AIRBYTE_CONTRACT_URL, AIRBYTE_CLIENT_ID,
# AIRBYTE_CLIENT_SECRET; optionally AIRBYTE_CONTRACT_SOURCE_TEMPLATE_ID, _SOURCE_CONFIG, _SECRET_FIELD).
contract-live:
    cargo test --locked -p airbyte-contract-tests -- --ignored live::

# (An in-process mock with `--replay CASSETTE --replay-strict` and no upstream; default: the example.)
# The contract suite against a cassette, offline.
contract-replay CASSETTE="mock-api/cassettes/example.json":
    AIRBYTE_CONTRACT_CASSETTE="$(realpath '{{CASSETTE}}')" cargo test --locked -p airbyte-contract-tests --test contract -- replay::

# (The contract suite through the mock's recording proxy in front of a second mock.)
# Record mock-api/cassettes/example.json again.
contract-record-example:
    cargo test --locked -p airbyte-contract-tests --test contract -- --ignored record_the_example_cassette

# Regenerate the mock's OpenAPI copy (docs/mock-openapi.json) and the drift report (docs/DRIFT.md)
# against Airbyte's published document; reasons are kept by hand in docs/drift-reasons.toml.
drift:
    AIRBYTE_MOCK_DRIFT_WRITE=1 cargo test --locked -p airbyte-mock --test api drift::

# Run the mock alone on 127.0.0.1:8001 (flags after the recipe, e.g. `just mock --seed 7`).
mock *ARGS:
    cargo run --locked -p airbyte-mock -- {{ARGS}}

# The release mock under oha against Prism and a minimal floor, start-up, memory, a 60 s soak, the
# SPA's sizes, click-to-source_created: figures, not pass/fail, on a quiet machine. Flags go to the
# tool (`--seconds 2 --skip-soak --skip-prism --skip-click`).
# Benchmarks: figures into BENCHMARKS.md (about 6 minutes; flags e.g. --seconds 2 --skip-soak).
bench *ARGS: (setup-part "browser") (setup-part "bench") build-web
    cargo build --release --locked -p airbyte-mock -p demo-server -p bench
    target/release/bench run {{ARGS}}

# Formatting and lints.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked --no-default-features -- -D warnings

[private]
setup-part part:
    scripts/setup.sh {{part}}
