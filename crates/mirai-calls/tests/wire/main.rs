//! Wire tests: the exact requests `mirai-calls` sends to both Mirai APIs and how it reads every documented answer,
//! against mockito servers and raw TCP servers on 127.0.0.1; and the webhook parsers and verifiers of both APIs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod control;
mod legacy_abort;
mod legacy_initiate;
mod legacy_update;
mod legacy_webhook;
mod support;
mod v2_abort;
mod v2_active;
mod v2_campaign_control;
mod v2_campaigns;
mod v2_create;
mod v2_dnc;
mod v2_read;
mod v2_recording;
mod v2_terminate;
mod v2_webhook;
