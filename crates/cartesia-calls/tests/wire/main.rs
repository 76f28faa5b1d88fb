//! Wire tests: the exact requests `cartesia-calls` sends and how it reads every documented answer, against
//! mockito servers on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod audio;
mod batches;
mod cancel;
mod client;
mod create;
mod delete;
mod get;
mod list;
mod logs;
mod number;
mod stop_batch;
mod support;
mod terminate;
