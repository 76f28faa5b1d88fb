//! End-to-end tests of the simulator over real HTTP, with a plain `reqwest` client.
//!
//! One test binary; its modules live in `tests/sim/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

#[path = "sim/support.rs"]
mod support;

#[path = "sim/auth.rs"]
mod auth;
#[path = "sim/batches.rs"]
mod batches;
#[path = "sim/campaigns.rs"]
mod campaigns;
#[path = "sim/cartesia.rs"]
mod cartesia;
#[path = "sim/control_api.rs"]
mod control_api;
#[path = "sim/dnc.rs"]
mod dnc;
#[path = "sim/faults.rs"]
mod faults;
#[path = "sim/journal.rs"]
mod journal;
#[path = "sim/lifecycle.rs"]
mod lifecycle;
#[path = "sim/mirai.rs"]
mod mirai;
#[path = "sim/mirai_v2.rs"]
mod mirai_v2;
#[path = "sim/webhooks.rs"]
mod webhooks;
