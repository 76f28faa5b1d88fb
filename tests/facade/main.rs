//! The facade as a user sees it: both providers behind `Arc<dyn CallControl>`, on local mock servers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod trait_objects;
