//! The facade as a user sees it: every provider behind `Arc<dyn CallControl>`, on mock servers and on calls-sim.
//!
//! `matrix` is the end-to-end fault matrix (one test per row and provider), `bulk` terminates 1,000 calls at once
//! under injected faults, and `offline` is the README's "Testing your integration offline" example.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod bulk;
mod matrix;
mod offline;
mod stop_at_scale;
mod subject;
mod trait_objects;
