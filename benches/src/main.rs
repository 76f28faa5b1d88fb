//! `calls-bench`: the release-built half of `cargo xtask bench`.
//!
//! Each mode runs against a calls-sim already listening at `CARTESIA_BASE_URL`, with the key in `CARTESIA_API_KEY`
//! (the lines `calls-sim` prints), and works on the call ids `{prefix}0`, `{prefix}1`, … `{prefix}{count - 1}`:
//!
//! - `seed` makes those calls `started` through the simulator's `/_sim` control API, and can write the ids to a file
//!   for `callctl --ids-from`;
//! - `sdk` cancels them through `CartesiaClient` and `terminate_all`, the path `callctl cartesia cancel` takes,
//!   reading the reports where callctl reads them;
//! - `bare` sends the same requests from the strongest plain loop: 64 worker tasks on the multi-thread runtime
//!   sharing one queue of ids and one `reqwest::Client`, no SDK logic (see `bare.rs`), as the baseline;
//! - `soak` cancels a million calls (or `--count`) through `terminate_all` while the simulator injects faults that
//!   `seed --faults-per-mille` scripted, and checks one true answer per id and no double cancel (see `soak.rs`);
//! - `client` (a diagnostic) calls `CartesiaClient::terminate` for each with `buffer_unordered`, without the bulk
//!   engine, so that the SDK's cost can be split between the engine and the client.
//!
//! The measuring modes print one JSON line: calls, seconds, calls/s, p50/p99 latency, CPU time and peak RSS of this
//! process. Seeding is a separate process so that neither figure includes it. `cargo xtask bench` drives all of this;
//! run by hand, it needs the simulator's environment:
//!
//! ```text
//! calls-sim &                       # prints CARTESIA_API_KEY=… and CARTESIA_BASE_URL=…: export both
//! calls-bench seed --prefix ac_a_ --count 20000
//! calls-bench sdk --prefix ac_a_ --count 20000
//! ```

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

mod bare;
mod latency;
mod measurement;
mod process_usage;
// The workspace's one procfs reader lives in xtask, which reads its children with it; compiled here as well so
// that neither crate depends on the other (xtask would otherwise build the SDK, or this harness xtask's tooling).
// Each crate uses part of it.
#[allow(dead_code)]
#[path = "../../xtask/src/bench/procfs.rs"]
mod procfs;
mod sdk;
mod seed;
mod soak;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::measurement::Measurement;

/// The release-built harness of `cargo xtask bench`; see the crate docs.
#[derive(Debug, Parser)]
#[command(name = "calls-bench")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Seed `started` Cartesia calls `{prefix}0`… in the simulator.
    Seed {
        #[command(flatten)]
        calls: Calls,
        /// Also write the ids there, one per line.
        #[arg(long, value_name = "PATH")]
        ids_file: Option<PathBuf>,
        /// Script faults on some of the calls, for `soak`.
        #[command(flatten)]
        faults: soak::FaultPlan,
    },
    /// Cancel the calls through `terminate_all` while the simulator injects the faults `seed` scripted, check every
    /// answer and the simulator's counters; print one JSON line, and fail when a check failed.
    Soak {
        #[command(flatten)]
        calls: Calls,
        #[command(flatten)]
        options: soak::SoakOptions,
    },
    /// Cancel the calls through the SDK's bulk engine (`terminate_all`), reading the reports in a task on the
    /// runtime's workers as callctl does; print one JSON line.
    Sdk(Calls),
    /// Cancel the calls with a plain `reqwest` loop: `--concurrency` worker tasks sharing one queue of ids and one
    /// client; print one JSON line.
    Bare(Calls),
    /// Diagnostic: cancel the calls with `CartesiaClient::terminate` and `buffer_unordered`, without the bulk
    /// engine; print one JSON line.
    Client(Calls),
}

/// Which calls, and how many requests in flight.
#[derive(Debug, Clone, clap::Args)]
struct Calls {
    /// The ids are this prefix followed by 0, 1, 2, …
    #[arg(long)]
    prefix: String,
    /// How many calls.
    #[arg(long)]
    count: u32,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
}

impl Calls {
    /// The ids, generated lazily, so that no mode holds them all.
    fn ids(&self) -> impl Iterator<Item = String> + Send + 'static {
        let prefix = self.prefix.clone();
        (0..self.count).map(move |i| format!("{prefix}{i}"))
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("calls-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // Two workers in every mode, as callctl uses for bulk work, on the two cores the goals were set for.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let measurement: Measurement = match cli.mode {
        Mode::Seed {
            calls,
            ids_file,
            faults,
        } => {
            return runtime.block_on(seed::run(&calls, ids_file.as_deref(), &faults));
        }
        Mode::Soak { calls, options } => return runtime.block_on(soak::run(&calls, &options)),
        Mode::Sdk(calls) => runtime.block_on(sdk::run(&calls))?,
        Mode::Bare(calls) => runtime.block_on(bare::run(&calls))?,
        Mode::Client(calls) => runtime.block_on(sdk::run_client(&calls))?,
    };
    println!("{}", measurement.to_json());
    Ok(())
}

/// The simulator's base URL and Cartesia key, from the variables the SDK reads.
fn simulator_env() -> Result<(String, String)> {
    use calls_facade::cartesia::{API_KEY_ENV, BASE_URL_ENV};
    let base_url = std::env::var(BASE_URL_ENV)
        .with_context(|| format!("{BASE_URL_ENV} is not set: export the lines calls-sim prints"))?;
    let key = std::env::var(API_KEY_ENV)
        .with_context(|| format!("{API_KEY_ENV} is not set: export the lines calls-sim prints"))?;
    Ok((base_url.trim_end_matches('/').to_owned(), key))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn every_mode_xtask_runs_is_a_subcommand() {
        // The names `cargo xtask bench` and `cargo xtask soak` pass (xtask/src/bench/report.rs, xtask/src/soak.rs),
        // and the diagnostic `client`.
        for mode in ["seed", "sdk", "bare", "client", "soak"] {
            let parsed =
                Cli::try_parse_from(["calls-bench", mode, "--prefix", "ac_", "--count", "1"]);
            assert!(parsed.is_ok(), "{mode}: {parsed:?}");
        }
        assert!(
            Cli::try_parse_from([
                "calls-bench",
                "sdk-block-on",
                "--prefix",
                "a",
                "--count",
                "1"
            ])
            .is_err()
        );
    }
}
