//! `cargo xtask soak`: a million ids through the bulk engine against calls-sim with one call in ten misbehaving.
//!
//! It builds `calls-bench` and `calls-sim` in release, starts the simulator in its own process on `127.0.0.1:0`, and
//! runs two harness processes against it: `calls-bench seed`, which seeds `started` calls `ac_soak_0`… and scripts a
//! fault for `--faults-per-mille` of them (a 503, a 429 with `Retry-After`, a reset before the request is handled,
//! or a lost reply after it was), plus one long pause (a 429 asking for [`LONG_PAUSE_SECONDS`], on one call 5% into
//! the run), and seeds [`RINGING_PER_MILLE`] in 1,000 of the calls without a fault ringing (`created`, answered
//! while they are being stopped); then `calls-bench soak`, which cancels them all through `terminate_all` with a ring
//! wait and checks every answer, the simulator's counters and that the run paused for the long pause (see
//! `benches/src/soak.rs` for the checks).
//! Seeding runs in a process of its own so that the soak's memory figures hold the bulk engine and the client only.
//!
//! It prints the figures (throughput, outcomes, what became of each kind of fault, the soak process's resident
//! memory every `--sample-every` reports, the simulator's counters), writes them to `<target-dir>/soak/latest.json`,
//! and fails when any check failed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::bench::build_harness_and_simulator;
use crate::bench::simulator::Simulator;
use crate::command;
use crate::workspace::Workspace;

/// How big a soak, and how hostile. The field docs are `cargo xtask soak`'s help.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SoakOptions {
    /// Calls to seed and cancel.
    #[arg(long, value_name = "N", default_value_t = SoakOptions::default().calls)]
    pub calls: u32,
    /// Requests in flight at once.
    // The engine's ceiling: it halves it on 429s.
    #[arg(long, value_name = "N", default_value_t = SoakOptions::default().concurrency)]
    pub concurrency: u32,
    /// Calls in 1,000 that get a fault.
    #[arg(long, value_name = "N", default_value_t = SoakOptions::default().faults_per_mille)]
    pub faults_per_mille: u32,
    /// Picks which calls get a fault, and which.
    #[arg(long, value_name = "N", default_value_t = SoakOptions::default().fault_seed)]
    pub fault_seed: u64,
    /// The Retry-After of the injected 429s, in seconds.
    // Sent as given.
    #[arg(long, value_name = "SECONDS", default_value_t = SoakOptions::default().retry_after)]
    pub retry_after: String,
    /// Sample the soak's memory every N reports.
    #[arg(long, value_name = "N", default_value_t = SoakOptions::default().sample_every)]
    pub sample_every: u32,
    /// Run the engine without its record of seen ids (the soak's ids are distinct): constant memory.
    // That is `BulkOptions::without_deduplication`.
    #[arg(long)]
    pub without_deduplication: bool,
}

impl Default for SoakOptions {
    /// What issue 10 asks for: 1,000,000 ids, 10% faults, memory at every 100,000 reports. 429s ask for 10 ms: a
    /// 429 closes the client's gate for every request, so with 25,000 of them a whole second each would stop the run
    /// for hours; the path is the same whatever the delay.
    fn default() -> Self {
        SoakOptions {
            calls: 1_000_000,
            concurrency: 64,
            faults_per_mille: 100,
            fault_seed: 1,
            retry_after: "0.01".to_owned(),
            sample_every: 100_000,
            without_deduplication: false,
        }
    }
}

/// The id prefix of the soak's calls.
const PREFIX: &str = "ac_soak_";

/// The `Retry-After` of the soak's one long 429: the whole run pauses for it. Long enough to be a pause every id in
/// flight or in line lives through (hundreds of times the 10 ms of the other 429s), short enough to add only seconds
/// to a run of about a minute.
pub const LONG_PAUSE_SECONDS: u32 = 5;

/// Calls in 1,000 (of those without a fault) seeded ringing: a third answered as the first cancel is refused, a
/// third at the second read, a third at the fourth. Each one waited for holds a slot for up to a second or so (5 in
/// 1,000 took a 20,000-call soak from 11 to 18 s), so a larger share would make the soak measure ringing more than
/// the engine.
pub const RINGING_PER_MILLE: u32 = 2;

/// Builds, seeds, soaks, prints and records the figures.
///
/// # Errors
///
/// When a build or a process fails, or a soak check failed.
pub fn run(root: &Path, options: &SoakOptions) -> Result<()> {
    let workspace = Workspace::load(root)?;
    let out_dir = workspace.target_directory().join("soak");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;

    println!("==> building release binaries");
    let (harness, sim) = build_harness_and_simulator(root)?;
    let sim = Simulator::start(&sim)?;
    println!("calls-sim listening at {}", sim.base_url());
    let harness = |mode: &str| {
        let mut command = Command::new(&harness);
        command
            .args([mode, "--prefix", PREFIX])
            .args(["--count", &options.calls.to_string()])
            .args(["--concurrency", &options.concurrency.to_string()])
            .args(["--faults-per-mille", &options.faults_per_mille.to_string()])
            .args(["--fault-seed", &options.fault_seed.to_string()])
            .args(["--retry-after", &options.retry_after])
            .args(["--long-pause", &LONG_PAUSE_SECONDS.to_string()])
            .args(["--ringing-per-mille", &RINGING_PER_MILLE.to_string()])
            .envs(sim.env());
        command
    };

    println!(
        "\n==> seeding {} calls, {} in 1,000 with a fault, one with a {LONG_PAUSE_SECONDS} s 429, \
         {RINGING_PER_MILLE} in 1,000 of the others ringing",
        options.calls, options.faults_per_mille
    );
    let seeding = Instant::now();
    command::stdout(&mut harness("seed"))?;
    let seed_seconds = seeding.elapsed().as_secs_f64();
    println!("seeded in {seed_seconds:.1} s");

    println!("\n==> cancelling them through terminate_all");
    let mut soak = harness("soak");
    soak.args(["--sample-every", &options.sample_every.to_string()]);
    if options.without_deduplication {
        soak.arg("--without-deduplication");
    }
    let output = command::output(&mut soak)?;
    let sim_peak_rss_kib = sim.peak_rss_kib();
    drop(sim);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(mut figures) = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
    else {
        bail!(
            "calls-bench soak printed no figures ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    };
    figures["seed_seconds"] = seed_seconds.into();
    figures["sim_peak_rss_kib"] = sim_peak_rss_kib.into();
    figures["when"] = jiff::Timestamp::now().to_string().into();
    figures["commit"] =
        command::stdout(command::git(root).args(["describe", "--always", "--dirty"]))
            .ok()
            .map(|c| c.trim().to_owned())
            .into();

    print!("{}", render(&figures));
    let path = out_dir.join("latest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&figures)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("figures written to {}", path.display());

    let failed = failed_checks(&figures);
    if !failed.is_empty() || !output.status.success() {
        bail!(
            "the soak failed ({}): {}",
            output.status,
            if failed.is_empty() {
                String::from_utf8_lossy(&output.stderr).trim().to_owned()
            } else {
                failed.join("; ")
            }
        );
    }
    println!("every check passed");
    Ok(())
}

/// The checks the harness listed as failed.
fn failed_checks(figures: &Value) -> Vec<String> {
    figures["failed"]
        .as_array()
        .map(|failed| {
            failed
                .iter()
                .map(|f| f.as_str().map_or_else(|| f.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The figures as a short report.
fn render(figures: &Value) -> String {
    use std::fmt::Write as _;
    let number = |pointer: &str| {
        figures
            .pointer(pointer)
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    let mib = |kib: f64| kib / 1024.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} calls in {:.1} s: {:.0} calls/s (seeding took {:.1} s); deduplication {}",
        number("/calls"),
        number("/seconds"),
        number("/calls_per_s"),
        number("/seed_seconds"),
        if figures["deduplication"] == Value::Bool(false) {
            "off"
        } else {
            "on"
        },
    );
    let _ = writeln!(
        out,
        "reports: {} for {} distinct ids; outcomes: {}",
        number("/reports"),
        number("/distinct"),
        figures["outcomes"]
    );
    if let Some(kinds) = figures["by_fault"].as_object() {
        let _ = writeln!(
            out,
            "\n{:<18} {:>9} {:>11} {:>14} {:>13}",
            "fault", "calls", "terminated", "mean attempts", "most attempts"
        );
        for (kind, tally) in kinds {
            let field = |name: &str| tally[name].as_f64().unwrap_or(0.0);
            let _ = writeln!(
                out,
                "{kind:<18} {:>9} {:>11} {:>14.2} {:>13}",
                field("calls"),
                field("terminated"),
                field("mean_attempts"),
                field("most_attempts"),
            );
        }
    }
    if let Some(samples) = figures["memory"].as_array() {
        let _ = writeln!(
            out,
            "\n{:>9} {:>9} {:>10} {:>15}",
            "reports", "seconds", "RSS MiB", "peak RSS MiB"
        );
        for sample in samples {
            let field = |name: &str| sample[name].as_f64().unwrap_or(0.0);
            let _ = writeln!(
                out,
                "{:>9} {:>9.1} {:>10.1} {:>15.1}",
                field("reports"),
                field("seconds"),
                mib(field("rss_kib")),
                mib(field("peak_rss_kib")),
            );
        }
    }
    let _ = writeln!(
        out,
        "\nsimulator: {} cancel requests, {} reached its handler, {} reads; {} calls, {} ended by api_cancelled, {} \
         still started, {} still ringing; {} faults never fired; peak RSS {:.0} MiB",
        number("/simulator/cancel_requests"),
        number("/simulator/cancels_handled"),
        number("/simulator/get_requests"),
        number("/simulator/calls"),
        number("/simulator/api_cancelled"),
        number("/simulator/still_started"),
        number("/simulator/still_ringing"),
        number("/simulator/faults_pending"),
        mib(number("/sim_peak_rss_kib")),
    );
    let _ = writeln!(
        out,
        "pauses: the provider held the run paused for {:.1} s in all (one long pause of {} s scripted){}",
        number("/pauses/paused_s"),
        number("/pauses/long_pause_s"),
        match figures
            .pointer("/pauses/ended_by_pause_s")
            .and_then(Value::as_f64)
        {
            Some(asked) => format!("; a {asked:.1} s pause ended the run"),
            None => String::new(),
        },
    );
    let _ = writeln!(
        out,
        "ringing: {} calls seeded ringing, {} waited for ({:.1} s in all, {:.2} s at most) with a ring wait of {} s",
        number("/ringing/calls"),
        number("/ringing/waited_for"),
        number("/ringing/waited_s"),
        number("/ringing/longest_wait_s"),
        number("/ringing/ring_wait_s"),
    );
    for failed in failed_checks(figures) {
        let _ = writeln!(out, "FAILED: {failed}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_checks_are_read_and_rendered() {
        let figures = serde_json::json!({
            "calls": 10, "reports": 10, "distinct": 10, "seconds": 1.0, "calls_per_s": 10.0,
            "outcomes": {"terminated": 9, "failed:transport": 1},
            "by_fault": {"reset": {"calls": 1, "terminated": 0, "mean_attempts": 3.0, "most_attempts": 3}},
            "memory": [{"reports": 10, "seconds": 1.0, "rss_kib": 2048, "peak_rss_kib": 4096}],
            "simulator": {"cancel_requests": 12, "cancels_handled": 9},
            "pauses": {"long_pause_s": 5, "paused_s": 5.25, "ended_by_pause_s": null},
            "ringing": {"calls": 3, "ring_wait_s": 90, "waited_for": 2, "waited_s": 1.5, "longest_wait_s": 1.0},
            "failed": ["9 of 10 calls reported terminated"],
        });
        assert_eq!(
            failed_checks(&figures),
            ["9 of 10 calls reported terminated"]
        );
        let text = render(&figures);
        assert!(
            text.contains("FAILED: 9 of 10 calls reported terminated"),
            "{text}"
        );
        assert!(
            text.contains("       10       1.0        2.0             4.0"),
            "{text}"
        );
        assert!(
            text.contains("12 cancel requests, 9 reached its handler"),
            "{text}"
        );
        assert!(
            text.contains("paused for 5.2 s in all (one long pause of 5 s scripted)\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "ringing: 3 calls seeded ringing, 2 waited for (1.5 s in all, 1.00 s at most)"
            ),
            "{text}"
        );
        assert!(failed_checks(&serde_json::json!({"failed": []})).is_empty());
    }
}
