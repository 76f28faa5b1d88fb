//! Project tooling for the `calls` workspace, run as `cargo xtask <command>` (see `main.rs` for the CLI).
//!
//! - [`ci`]: every check CI runs, in one command.
//! - [`publish_metadata`]: every publishable crate carries its crates.io metadata.
//! - [`changelog`]: `CHANGELOG.md` follows Keep a Changelog; a release moves `## [Unreleased]`.
//! - [`release`]: lockstep version bump, changelog, commit, tag and ordered, resumable publishing.
//! - [`fuzz`](mod@fuzz): every fuzz target for N seconds, with cargo-fuzz on nightly when installed, else the stable
//!   runner.
//! - [`bench`](mod@bench): bulk termination by a plain reqwest loop, the SDK and callctl, callctl with a million ids,
//!   and one cancel, measured against calls-sim (not in CI).
//!
//! The library exists so the tests in `tests/` can drive each piece on a fixture workspace, with a fake
//! registry; it is not published (`publish = false`).

// A command-line tool reports to its user on standard output.
#![allow(clippy::print_stdout)]

pub mod bench;
pub mod changelog;
pub mod ci;
pub mod command;
pub mod file_edit;
pub mod fuzz;
pub mod git;
pub mod package;
pub mod publish_metadata;
pub mod publish_order;
pub mod registry;
pub mod release;
pub mod soak;
pub mod step;
pub mod version_bump;
pub mod version_request;
pub mod workspace;
