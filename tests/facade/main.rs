//! The facade as a user sees it: every provider behind `Arc<dyn CallControl>`, on mock servers and on calls-sim.
//!
//! `matrix` is the end-to-end fault matrix (one test per row and provider), `bulk` terminates 1,000 calls at once
//! under injected faults, `offline` is the README's "Testing your integration offline" example, and `properties` checks
//! call ids and list streams end to end over generated inputs (proptest).
//! `canary` proves unique keys never reach any output, error, log or panic; `what_we_send` checks every request's
//! headers and body, and that no key or request goes where it should not (redirects, cleartext, repeats).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod bulk;
mod canary;
mod matrix;
mod offline;
mod properties;
mod stop_at_scale;
mod subject;
mod trait_objects;
mod what_we_send;
