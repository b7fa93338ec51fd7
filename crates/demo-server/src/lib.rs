//! The demo backend.
