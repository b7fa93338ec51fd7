//! The `workbench` launcher as a real process: when it prints the URL, how a taken port fails, how
//! it stops, and what its log lines carry.

#![allow(clippy::unwrap_used)]

mod dev;
mod helpers;
mod logs;
mod ports;
mod ready;
