//! The contract suite. Every check runs against the in-process mock (`mock::*`) and, on request,
//! against a live Airbyte API (`live::*`, ignored unless run with `--ignored` and the environment of
//! `airbyte_contract_tests::LIVE_ENV`; see the README's "Contract suite").
//!
//! - `checks`: the token flow, the widget-token format, scoped-token info, template listing and tag
//!   filters, the source lifecycle with redaction, and error shapes and statuses.
//!
//! - `replay::*`: every check against a mock replaying a cassette with no upstream
//!   (`AIRBYTE_CONTRACT_CASSETTE`, by default `mock-api/cassettes/example.json`;
//!   `just contract-replay CASSETTE`).
//! - `recording`: the whole suite recorded through the mock's proxy from a second mock, the
//!   cassette searched for secrets and tokens, then replayed offline.
//!
//! Responses are snapshotted (insta, under `snapshots/`) twice: normalised in full (mock only, its data
//! is seeded) and as a shape (keys and types), which the live API must match too.

#![allow(clippy::unwrap_used)]

mod checks;
mod recording;

use airbyte_contract_tests::Target;

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod mock {
            $(
                #[tokio::test]
                async fn $name() {
                    let target = super::Target::mock().await;
                    super::checks::$name(&target).await;
                }
            )*
        }

        mod replay {
            $(
                #[tokio::test]
                async fn $name() {
                    let target = super::Target::replay(&super::Target::cassette()).await;
                    super::checks::$name(&target).await;
                }
            )*
        }

        /// Every check, one after the other, against one target (what a recording runs).
        pub(crate) async fn run_all(target: &Target) {
            $( checks::$name(target).await; )*
        }

        mod live {
            $(
                #[tokio::test]
                #[ignore = "live Airbyte API: set AIRBYTE_CONTRACT_URL, AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET, then `just contract-live`"]
                async fn $name() {
                    let target = super::Target::live().unwrap_or_else(|reason| panic!("{reason}"));
                    super::checks::$name(&target).await;
                }
            )*
        }
    };
}

contract!(
    application_token,
    widget_token_format,
    scoped_token_info,
    template_listing_and_tags,
    source_lifecycle_and_redaction,
    error_shapes,
);
