//! Fuzz targets for every decoder of provider data in `calls`: call records, list pages, other success answers,
//! abort answers, error bodies, `Retry-After`, webhook bodies and signature headers.
//!
//! Each target is a plain function over bytes that must never panic, whatever the bytes, and that checks what the
//! decoder promises (the documented error kind, a record that re-encodes and decodes again, an error `Display` on
//! one line). Two runners drive the same functions:
//!
//! - **libFuzzer**, through cargo-fuzz on a nightly toolchain: `cargo +nightly fuzz run --features libfuzzer
//!   cartesia_call` (the entry points in `fuzz_targets/` are thin `fuzz_target!`s, behind the `libfuzzer`
//!   feature, so a stable build never compiles libFuzzer);
//! - **the stable runner** ([`runner`]), on any toolchain: the seed corpus in `corpus/<target>/` plus seeded
//!   mutations, panics caught and written to `artifacts/<target>/`. `cargo run --release -p calls-fuzz --bin
//!   stable_fuzz -- --seconds 60`, or `cargo xtask fuzz --seconds 60`, which picks cargo-fuzz when it can.
//!
//! `tests/corpus.rs` runs every target over its corpus and 2,000 mutations with a fixed seed, in `cargo test`.
//!
//! Targets run the code the clients run. Decoders behind public APIs (records, webhooks, signatures) are called
//! through them; the private ones (error bodies, `terminate`'s narrow read, list envelopes, abort answers, other
//! success answers) through each crate's hidden `fuzzing` module, which exists only with the crates' `fuzzing`
//! feature (this crate turns it on), feeds them an answer built from bytes (`call_core::fuzzing::response`) and is
//! no stable API.

mod cartesia;
mod check;
mod error_body;
mod mirai_legacy;
mod mirai_v2;
mod mutate;
mod outcome;
mod retry_after;
pub mod runner;

pub use cartesia::{cartesia_answers, cartesia_batch, cartesia_call, cartesia_page};
pub use error_body::{cartesia_error_body, mirai_error_body};
pub use mirai_legacy::{mirai_legacy_abort_answer, mirai_legacy_signature, mirai_legacy_webhook};
pub use mirai_v2::{
    mirai_v2_abort_answer, mirai_v2_call, mirai_v2_page, mirai_v2_signature_header,
    mirai_v2_webhook,
};
pub use outcome::Outcome;
pub use retry_after::retry_after;
pub use runner::{Report, TARGETS, run};
