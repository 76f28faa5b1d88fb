//! callctl as scripts use it: the real binary against calls-sim.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod batch_stop;
mod bulk;
mod config;
mod mirai;
mod scale;
mod shell;
mod single;
mod support;
mod waits;
