//! A typed async client for the Airbyte Embedded API.
