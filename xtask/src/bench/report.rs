//! The bench's figures, the goals they are held to, and how they are shown: a table on stdout and JSON on disk.

use std::fmt::{self, Write as _};
use std::time::Duration;

use serde_json::{Value, json};

/// The throughput the SDK must keep, as a share of the bare loop's.
pub(crate) const MIN_SDK_SHARE: f64 = 0.95;
/// The most peak RSS callctl may add per extra id read from a file: the 16-byte fingerprint `terminate_all`
/// documents as its only per-id memory ("memory flat in the number of ids" apart from it).
pub(crate) const MAX_BYTES_PER_EXTRA_ID: f64 = 16.0;
/// The most one `callctl cartesia cancel ID` may take, as a multiple of curl's wall time.
pub(crate) const MAX_SINGLE_VS_CURL: f64 = 1.5;
/// The most peak RSS one `callctl cartesia cancel ID` may use.
pub(crate) const MAX_SINGLE_RSS_KIB: u64 = 16 * 1024;

/// The share of the machine's CPU that other work may take during a bulk run before the run is called noisy. On a
/// quiet machine it is about 1%: the kernel's loopback work is charged to the two processes.
pub(crate) const NOISY_SHARE: f64 = 0.15;

/// Which bulk loop a run measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `CartesiaClient` through `terminate_all`, the reports read in a task on the runtime's workers, as callctl
    /// reads them.
    Sdk,
    /// Diagnostic: as `Sdk`, the reports read on the `block_on` thread (callctl's old way).
    SdkBlockOn,
    /// A plain `reqwest::Client` loop.
    Bare,
    /// Diagnostic: `CartesiaClient::terminate` with `buffer_unordered`, without the bulk engine.
    Client,
}

impl Mode {
    /// The harness's name for it (`calls-bench sdk`, `calls-bench bare`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Sdk => "sdk",
            Mode::SdkBlockOn => "sdk-block-on",
            Mode::Bare => "bare",
            Mode::Client => "client",
        }
    }
}

/// One bulk run, as the harness reported it, plus the simulator's CPU time during it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BulkRun {
    pub(crate) mode: Mode,
    pub(crate) seconds: f64,
    pub(crate) calls_per_s: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// The harness's CPU time from the first request to the last answer.
    pub(crate) cpu_s: f64,
    pub(crate) peak_rss_kib: u64,
    /// The simulator's CPU time over the same run (seen from outside, so a little wider).
    pub(crate) sim_cpu_s: f64,
    /// The machine's busy CPU time over the run that neither the harness nor the simulator used: other processes,
    /// and the kernel's loopback work (softirq) that is charged to no process. High values mean a noisy run.
    pub(crate) other_cpu_s: f64,
}

/// One `callctl cartesia cancel --ids-from FILE` run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IdsRun {
    pub(crate) ids: u32,
    pub(crate) wall: Duration,
    pub(crate) cpu: Duration,
    pub(crate) peak_rss_kib: u64,
}

/// Single-call runs of one tool: wall times of unmetered runs, peak RSS of metered ones.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SingleRuns {
    pub(crate) walls: Vec<Duration>,
    pub(crate) peak_rss_kib: Vec<u64>,
}

impl SingleRuns {
    fn wall_ms(&self) -> f64 {
        median(self.walls.iter().map(|wall| wall.as_secs_f64() * 1000.0))
    }

    fn rss_kib(&self) -> f64 {
        median(self.peak_rss_kib.iter().map(|&kib| kib as f64))
    }

    fn to_json(&self) -> Value {
        json!({
            "wall_ms_median": self.wall_ms(),
            "wall_ms": self.walls.iter().map(|wall| wall.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
            "peak_rss_kib_median": self.rss_kib(),
            "peak_rss_kib": self.peak_rss_kib,
        })
    }
}

/// curl's single-call runs, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Curl {
    Measured(SingleRuns),
    Skipped(String),
}

/// Everything one `cargo xtask bench` measured.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) when: String,
    pub(crate) commit: Option<String>,
    pub(crate) cpus: usize,
    pub(crate) meter: &'static str,
    pub(crate) calls: u32,
    pub(crate) concurrency: u32,
    pub(crate) bulk: Vec<BulkRun>,
    pub(crate) ids: Vec<IdsRun>,
    pub(crate) callctl_single: SingleRuns,
    pub(crate) curl_single: Curl,
    pub(crate) sim_peak_rss_kib: Option<u64>,
    /// The release build before the measurements.
    pub(crate) build_time: Duration,
    /// The measurements, build excluded.
    pub(crate) elapsed: Duration,
}

/// A goal, its target and what was measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Goal {
    pub(crate) name: &'static str,
    pub(crate) target: String,
    pub(crate) measured: String,
    /// `None` when it could not be measured.
    pub(crate) pass: Option<bool>,
}

impl BulkRun {
    /// Whether other work took more than [`NOISY_SHARE`] of a machine of `cpus` CPUs during the run.
    pub(crate) fn is_noisy(&self, cpus: usize) -> bool {
        self.other_cpu_s > NOISY_SHARE * self.seconds * cpus as f64
    }
}

/// The modes, in the order the tables show them and the first round runs them.
pub(crate) const MODES: [Mode; 4] = [Mode::Sdk, Mode::Bare, Mode::SdkBlockOn, Mode::Client];

/// The median (the mean of the middle two for an even count); 0 for none.
pub(crate) fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Report {
    /// Whether the medians leave out noisy runs: only when every mode has a quiet one.
    fn quiet_only(&self) -> bool {
        MODES.iter().all(|&mode| {
            self.bulk
                .iter()
                .any(|run| run.mode == mode && !run.is_noisy(self.cpus))
        })
    }

    /// The runs of `mode` the medians count: its quiet runs when [`Self::quiet_only`], else all of them.
    fn counted_runs(&self, mode: Mode) -> impl Iterator<Item = &BulkRun> {
        let quiet_only = self.quiet_only();
        self.bulk
            .iter()
            .filter(move |run| run.mode == mode && !(quiet_only && run.is_noisy(self.cpus)))
    }

    /// The median of a bulk figure over the counted runs of `mode`.
    fn median(&self, mode: Mode, figure: impl Fn(&BulkRun) -> f64) -> f64 {
        median(self.counted_runs(mode).map(figure))
    }

    /// How many runs of `mode` the medians count.
    fn counted(&self, mode: Mode) -> usize {
        self.counted_runs(mode).count()
    }

    /// A mode's throughput as a share of the bare loop's (medians).
    fn share(&self, mode: Mode) -> f64 {
        let bare = self.median(Mode::Bare, |run| run.calls_per_s);
        let of_mode = self.median(mode, |run| run.calls_per_s);
        if bare > 0.0 { of_mode / bare } else { 0.0 }
    }

    /// The SDK's throughput as a share of the bare loop's (medians).
    fn sdk_share(&self) -> f64 {
        self.share(Mode::Sdk)
    }

    /// The runs with the fewest and the most ids, when they differ.
    fn id_runs(&self) -> Option<(&IdsRun, &IdsRun)> {
        let small = self.ids.iter().min_by_key(|run| run.ids)?;
        let large = self.ids.iter().max_by_key(|run| run.ids)?;
        (large.ids > small.ids).then_some((small, large))
    }

    /// Peak RSS added per extra id between the smallest and the largest id file.
    fn bytes_per_extra_id(&self) -> Option<f64> {
        let (small, large) = self.id_runs()?;
        let grown = large.peak_rss_kib as f64 - small.peak_rss_kib as f64;
        Some(grown * 1024.0 / f64::from(large.ids - small.ids))
    }

    fn single_vs_curl(&self) -> Option<f64> {
        match &self.curl_single {
            Curl::Measured(curl) if curl.wall_ms() > 0.0 => {
                Some(self.callctl_single.wall_ms() / curl.wall_ms())
            }
            _ => None,
        }
    }

    /// The goals of issue 6, each with its verdict.
    pub(crate) fn goals(&self) -> Vec<Goal> {
        let share = self.sdk_share();
        let per_id = self.bytes_per_extra_id();
        let vs_curl = self.single_vs_curl();
        let single_rss = self.callctl_single.rss_kib();
        vec![
            Goal {
                name: "sdk throughput / bare loop",
                target: format!(">= {MIN_SDK_SHARE:.2}"),
                measured: format!("{share:.3}"),
                pass: Some(share >= MIN_SDK_SHARE),
            },
            Goal {
                name: "callctl RSS per extra id",
                target: format!("<= {MAX_BYTES_PER_EXTRA_ID:.0} B"),
                measured: per_id.map_or_else(|| "-".to_owned(), |bytes| format!("{bytes:.1} B")),
                pass: per_id.map(|bytes| bytes <= MAX_BYTES_PER_EXTRA_ID),
            },
            Goal {
                name: "single cancel wall / curl",
                target: format!("<= {MAX_SINGLE_VS_CURL:.1}x"),
                measured: vs_curl.map_or_else(|| "curl skipped".to_owned(), |r| format!("{r:.2}x")),
                pass: vs_curl.map(|ratio| ratio <= MAX_SINGLE_VS_CURL),
            },
            Goal {
                name: "single cancel peak RSS",
                target: format!("<= {} MiB", MAX_SINGLE_RSS_KIB / 1024),
                measured: mib(single_rss),
                pass: Some(single_rss <= MAX_SINGLE_RSS_KIB as f64),
            },
        ]
    }

    /// The figures as JSON, for `target/bench/latest.json`.
    pub(crate) fn to_json(&self) -> Value {
        let mode = |mode: Mode| {
            json!({
                "calls_per_s": self.median(mode, |r| r.calls_per_s),
                "seconds": self.median(mode, |r| r.seconds),
                "p50_ms": self.median(mode, |r| r.p50_ms),
                "p99_ms": self.median(mode, |r| r.p99_ms),
                "cpu_s": self.median(mode, |r| r.cpu_s),
                "cpu_us_per_call": self.median(mode, |r| r.cpu_s) * 1e6 / f64::from(self.calls.max(1)),
                "peak_rss_kib": self.median(mode, |r| r.peak_rss_kib as f64),
                "sim_cpu_s": self.median(mode, |r| r.sim_cpu_s),
                "other_cpu_s": self.median(mode, |r| r.other_cpu_s),
                "runs_counted": self.counted(mode),
            })
        };
        let runs: Vec<Value> = self
            .bulk
            .iter()
            .map(|run| {
                json!({
                    "mode": run.mode.as_str(),
                    "seconds": run.seconds,
                    "calls_per_s": run.calls_per_s,
                    "p50_ms": run.p50_ms,
                    "p99_ms": run.p99_ms,
                    "cpu_s": run.cpu_s,
                    "peak_rss_kib": run.peak_rss_kib,
                    "sim_cpu_s": run.sim_cpu_s,
                    "other_cpu_s": run.other_cpu_s,
                    "noisy": run.is_noisy(self.cpus),
                })
            })
            .collect();
        let ids: Vec<Value> = self
            .ids
            .iter()
            .map(|run| {
                json!({
                    "ids": run.ids,
                    "wall_s": run.wall.as_secs_f64(),
                    "calls_per_s": f64::from(run.ids) / run.wall.as_secs_f64().max(1e-9),
                    "cpu_s": run.cpu.as_secs_f64(),
                    "peak_rss_kib": run.peak_rss_kib,
                })
            })
            .collect();
        let curl = match &self.curl_single {
            Curl::Measured(runs) => runs.to_json(),
            Curl::Skipped(reason) => json!({ "skipped": reason }),
        };
        let goals: Vec<Value> = self
            .goals()
            .into_iter()
            .map(|goal| {
                json!({
                    "name": goal.name,
                    "target": goal.target,
                    "measured": goal.measured,
                    "pass": goal.pass,
                })
            })
            .collect();
        json!({
            "when": self.when,
            "commit": self.commit,
            "cpus": self.cpus,
            "meter": self.meter,
            "build_s": self.build_time.as_secs_f64(),
            "elapsed_s": self.elapsed.as_secs_f64(),
            "bulk": {
                "calls": self.calls,
                "concurrency": self.concurrency,
                "sdk": mode(Mode::Sdk),
                "bare": mode(Mode::Bare),
                "sdk_block_on": mode(Mode::SdkBlockOn),
                "client": mode(Mode::Client),
                "sdk_share": self.sdk_share(),
                "sdk_block_on_share": self.share(Mode::SdkBlockOn),
                "client_share": self.share(Mode::Client),
                "medians_of_quiet_runs_only": self.quiet_only(),
                "runs": runs,
            },
            "callctl_ids_from_file": {
                "runs": ids,
                "bytes_per_extra_id": self.bytes_per_extra_id(),
            },
            "single_cancel": {
                "callctl": self.callctl_single.to_json(),
                "curl": curl,
                "wall_vs_curl": self.single_vs_curl(),
            },
            "sim_peak_rss_kib": self.sim_peak_rss_kib,
            "goals": goals,
        })
    }
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

impl fmt::Display for Report {
    /// The table: bulk medians and every run, callctl's memory, the single cancel, then the goals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counted = if self.quiet_only() {
            "medians of the quiet runs"
        } else {
            "medians of all runs (none was quiet)"
        };
        writeln!(
            f,
            "bulk termination: {} started calls per run, concurrency {}, calls-sim in its own process on 127.0.0.1, {} cpus; {counted}",
            self.calls, self.concurrency, self.cpus,
        )?;
        writeln!(
            f,
            "  sdk = CartesiaClient + terminate_all, reports read in a task on the runtime's workers as callctl does; bare = plain reqwest, the same requests"
        )?;
        writeln!(
            f,
            "  diagnostics: sdk-block-on = sdk with the reports read on the block_on thread (a wake-up per report); client = CartesiaClient::terminate + buffer_unordered, no bulk engine"
        )?;
        writeln!(
            f,
            "  {:<10} {:>5} {:>9} {:>8} {:>8} {:>8} {:>12} {:>10} {:>10} {:>12}",
            "",
            "runs",
            "calls/s",
            "p50 ms",
            "p99 ms",
            "cpu s",
            "cpu us/call",
            "peak RSS",
            "sim cpu s",
            "other cpu s"
        )?;
        let per_call = |cpu_s: f64| cpu_s * 1e6 / f64::from(self.calls.max(1));
        for mode in MODES {
            let m = |figure: fn(&BulkRun) -> f64| self.median(mode, figure);
            writeln!(
                f,
                "  {:<10} {:>5} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>12.1} {:>10} {:>10.2} {:>12.2}",
                mode.as_str(),
                self.counted(mode),
                m(|r| r.calls_per_s),
                m(|r| r.p50_ms),
                m(|r| r.p99_ms),
                m(|r| r.cpu_s),
                per_call(m(|r| r.cpu_s)),
                mib(m(|r| r.peak_rss_kib as f64)),
                m(|r| r.sim_cpu_s),
                m(|r| r.other_cpu_s),
            )?;
        }
        writeln!(
            f,
            "  share of bare's calls/s: sdk {:.3}, sdk-block-on {:.3}, client {:.3}",
            self.sdk_share(),
            self.share(Mode::SdkBlockOn),
            self.share(Mode::Client)
        )?;
        writeln!(
            f,
            "  every run, in order (noisy: other work took over {:.0}% of the machine's CPU during it):",
            NOISY_SHARE * 100.0
        )?;
        for (i, run) in self.bulk.iter().enumerate() {
            writeln!(
                f,
                "  {:<10} {:>5} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>12.1} {:>10} {:>10.2} {:>12.2}{}",
                run.mode.as_str(),
                format!("#{}", i + 1),
                run.calls_per_s,
                run.p50_ms,
                run.p99_ms,
                run.cpu_s,
                per_call(run.cpu_s),
                mib(run.peak_rss_kib as f64),
                run.sim_cpu_s,
                run.other_cpu_s,
                if run.is_noisy(self.cpus) {
                    "  noisy"
                } else {
                    ""
                }
            )?;
        }

        writeln!(
            f,
            "\ncallctl cartesia cancel --ids-from FILE --output json --concurrency {} (stdout to /dev/null)",
            self.concurrency
        )?;
        writeln!(
            f,
            "  {:>8} {:>8} {:>9} {:>8} {:>10}",
            "ids", "wall s", "calls/s", "cpu s", "peak RSS"
        )?;
        for run in &self.ids {
            writeln!(
                f,
                "  {:>8} {:>8.2} {:>9.0} {:>8.2} {:>10}",
                run.ids,
                run.wall.as_secs_f64(),
                f64::from(run.ids) / run.wall.as_secs_f64().max(1e-9),
                run.cpu.as_secs_f64(),
                mib(run.peak_rss_kib as f64)
            )?;
        }
        if let (Some(bytes), Some((small, large))) = (self.bytes_per_extra_id(), self.id_runs()) {
            writeln!(
                f,
                "  peak RSS grows {:.2}x for {:.0}x the ids: {bytes:.1} bytes per extra id",
                large.peak_rss_kib as f64 / small.peak_rss_kib.max(1) as f64,
                f64::from(large.ids) / f64::from(small.ids.max(1)),
            )?;
        }

        writeln!(
            f,
            "\none cancel as a whole process, each on a fresh started call: median wall of {} runs, median peak RSS of {} metered runs",
            self.callctl_single.walls.len(),
            self.callctl_single.peak_rss_kib.len()
        )?;
        writeln!(f, "  {:<28} {:>8} {:>10}", "", "wall ms", "peak RSS")?;
        let row = |name: &str, runs: &SingleRuns| {
            format!(
                "  {name:<28} {:>8.2} {:>10}",
                runs.wall_ms(),
                mib(runs.rss_kib())
            )
        };
        writeln!(
            f,
            "{}",
            row("callctl cartesia cancel ID", &self.callctl_single)
        )?;
        match &self.curl_single {
            Curl::Measured(curl) => writeln!(f, "{}", row("curl -s -X POST ...", curl))?,
            Curl::Skipped(reason) => writeln!(f, "  curl: skipped: {reason}")?,
        }

        writeln!(f, "\ngoals (issue 6):")?;
        let goals = self.goals();
        let mut missed = 0;
        for goal in &goals {
            let verdict = match goal.pass {
                Some(true) => "PASS",
                Some(false) => {
                    missed += 1;
                    "MISS"
                }
                None => "not measured",
            };
            writeln!(
                f,
                "  {:<28} {:>12}   goal {:<10} {verdict}",
                goal.name, goal.measured, goal.target
            )?;
        }
        let mut summary = String::new();
        if missed == 0 {
            let _ = write!(summary, "every measured goal is met");
        } else {
            let _ = write!(
                summary,
                "{missed} of {} goals MISSED (a measurement, not a failure: the command still succeeds)",
                goals.len()
            );
        }
        writeln!(f, "  {summary}")?;
        write!(
            f,
            "\nchild processes measured with {}\nmeasurements took {:.0}s after a {:.0}s build",
            self.meter,
            self.elapsed.as_secs_f64(),
            self.build_time.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(mode: Mode, calls_per_s: f64) -> BulkRun {
        BulkRun {
            mode,
            seconds: 1.0,
            calls_per_s,
            p50_ms: 1.0,
            p99_ms: 4.0,
            cpu_s: 0.5,
            peak_rss_kib: 10_000,
            sim_cpu_s: 0.8,
            other_cpu_s: 0.1,
        }
    }

    fn report() -> Report {
        let ms = Duration::from_millis;
        Report {
            when: "2026-01-01T00:00:00Z".to_owned(),
            commit: None,
            cpus: 2,
            meter: "test",
            calls: 20_000,
            concurrency: 64,
            bulk: vec![
                bulk(Mode::Sdk, 9_600.0),
                bulk(Mode::Bare, 10_000.0),
                bulk(Mode::Bare, 9_000.0),
                bulk(Mode::Sdk, 1.0),
                bulk(Mode::Sdk, 9_700.0),
                bulk(Mode::Bare, 11_000.0),
            ],
            ids: vec![
                IdsRun {
                    ids: 20_000,
                    wall: ms(1000),
                    cpu: ms(900),
                    peak_rss_kib: 12_000,
                },
                IdsRun {
                    ids: 200_000,
                    wall: ms(10_000),
                    cpu: ms(9000),
                    peak_rss_kib: 18_000,
                },
            ],
            callctl_single: SingleRuns {
                walls: vec![ms(7), ms(8), ms(9)],
                peak_rss_kib: vec![7_000, 8_000],
            },
            curl_single: Curl::Measured(SingleRuns {
                walls: vec![ms(8)],
                peak_rss_kib: vec![11_000],
            }),
            sim_peak_rss_kib: None,
            build_time: ms(1_000),
            elapsed: ms(60_000),
        }
    }

    #[test]
    fn medians_take_the_middle() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }

    #[test]
    fn goals_compare_medians_with_their_targets() {
        let report = report();
        let goals = report.goals();
        // 9,600 of 10,000: the slow outlier run does not move the median.
        assert_eq!(goals[0].measured, "0.960");
        assert_eq!(goals[0].pass, Some(true));
        // 6,000 KiB more for 180,000 more ids.
        assert_eq!(goals[1].measured, "34.1 B");
        assert_eq!(goals[1].pass, Some(false));
        assert_eq!(goals[2].measured, "1.00x");
        assert_eq!(goals[2].pass, Some(true));
        assert_eq!(goals[3].pass, Some(true));
        let table = report.to_string();
        assert!(table.contains("1 of 4 goals MISSED"), "{table}");
        let json = report.to_json();
        assert_eq!(json["bulk"]["sdk"]["calls_per_s"], 9_600.0);
        assert_eq!(json["goals"][1]["pass"], false);
    }

    #[test]
    fn noisy_runs_are_left_out_once_every_mode_has_a_quiet_one() {
        let mut report = report();
        let mut noisy = bulk(Mode::Sdk, 100.0);
        noisy.other_cpu_s = 1.0;
        report.bulk = vec![
            bulk(Mode::Sdk, 9_000.0),
            noisy.clone(),
            bulk(Mode::Bare, 10_000.0),
        ];
        // No quiet client or sdk-block-on run: every run counts.
        assert_eq!(report.sdk_share(), 0.455);
        report.bulk.push(bulk(Mode::Client, 9_500.0));
        report.bulk.push(bulk(Mode::SdkBlockOn, 9_900.0));
        assert!(noisy.is_noisy(2));
        assert_eq!(report.sdk_share(), 0.9);
        assert_eq!(report.counted(Mode::Sdk), 1);
        assert!(report.to_string().contains("  noisy"));
    }

    #[test]
    fn a_skipped_curl_is_not_a_miss() {
        let mut report = report();
        report.curl_single = Curl::Skipped("curl is not installed".to_owned());
        let goals = report.goals();
        assert_eq!(goals[2].pass, None);
        assert!(report.to_string().contains("curl: skipped"));
        assert_eq!(
            report.to_json()["single_cancel"]["wall_vs_curl"],
            Value::Null
        );
    }
}
