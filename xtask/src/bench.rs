//! `cargo xtask bench`: what bulk termination, callctl's memory and a single cancel cost, in one run.
//!
//! Everything runs against `calls-sim` on loopback, in its own process (the release binary on `127.0.0.1:0`), so
//! that no figure includes the simulator's work. Each step builds on release binaries built first, in the caller's
//! target directory:
//!
//! 1. **Bulk termination.** `calls-bench sdk` cancels N seeded `started` calls through `CartesiaClient` and
//!    `terminate_all` at concurrency 64, reading the reports where callctl reads them; `calls-bench bare` sends the
//!    same requests from a plain `reqwest` loop. Two diagnostics tell where the difference goes: `sdk-block-on` reads
//!    the reports on a runtime worker instead of the main thread, and `client` calls `CartesiaClient::terminate`
//!    without the bulk engine. The modes take turns, each run on fresh calls (a cancelled call cannot be cancelled
//!    again), and the medians are compared: loopback numbers on two cores are noisy, so runs during which other
//!    work took the machine are flagged and, once every mode has quiet runs, left out. Each run reports its own
//!    calls/s, p50/p99 latency, CPU time and peak RSS from `/proc/self`; the simulator's CPU time over the run is
//!    read from its `/proc/<pid>/stat`, the machine's from `/proc/stat`.
//! 2. **callctl's memory.** `callctl cartesia cancel --ids-from FILE --output json --concurrency 64` with 20,000
//!    and 200,000 ids, stdout to `/dev/null`: peak RSS and wall time as a user would see them.
//! 3. **One cancel.** `callctl cartesia cancel ID` as a whole process against the same request sent by `curl`,
//!    each on a fresh call; wall times from plain runs, peak RSS from metered runs (see `bench/meter.rs`).
//!
//! Seeding is done by `calls-bench seed` in a process of its own, before each measured process starts. The table
//! goes to stdout with each goal marked PASS or MISS; a MISS is a finding, not a failure. The same figures are
//! written to `<target-dir>/bench/latest.json`. CI does not run this: it is a measurement, not a test.

mod meter;
pub(crate) mod procfs;
mod report;
pub(crate) mod simulator;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cargo_metadata::Message;

use crate::command;
use crate::workspace::Workspace;
use meter::{Job, Meter};
use report::{BulkRun, Curl, IdsRun, MODES, Mode, Report, SingleRuns};
use simulator::Simulator;

/// How much `cargo xtask bench` measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// Calls per bulk run, and ids in callctl's smaller file.
    pub calls: u32,
    /// Ids in callctl's larger file.
    pub many_ids: u32,
    /// Bulk runs per mode.
    pub runs: u32,
    /// Single-cancel runs per tool for wall time.
    pub single_runs: u32,
    /// Requests in flight in bulk runs.
    pub concurrency: u32,
}

impl Default for BenchOptions {
    /// The figures issue 6 asks for: 20,000 calls at concurrency 64, 200,000 ids, 20 single cancels, and 5 runs per
    /// bulk mode (a run takes about a second, so medians of 5 are cheap).
    fn default() -> Self {
        BenchOptions {
            calls: 20_000,
            many_ids: 200_000,
            runs: 5,
            single_runs: 20,
            concurrency: 64,
        }
    }
}

/// Metered single-cancel runs per tool, for peak RSS (their wall time includes GNU time, so it is not used).
const SINGLE_METERED_RUNS: u32 = 5;

/// The release binaries the bench runs.
#[derive(Debug)]
struct Binaries {
    harness: PathBuf,
    callctl: PathBuf,
    sim: PathBuf,
}

/// Builds what it needs, runs every measurement, prints the table and writes `bench/latest.json` in the target
/// directory.
///
/// # Errors
///
/// When a build, the simulator or a measured process fails. A missed goal is not an error.
pub fn run(root: &Path, options: &BenchOptions) -> Result<()> {
    let started = Instant::now();
    let workspace = Workspace::load(root)?;
    let out_dir = workspace.target_directory().join("bench");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;

    println!("==> building release binaries");
    let binaries = build(root)?;
    let build_time = started.elapsed();
    let measuring = Instant::now();
    let meter = Meter::detect(&out_dir);
    println!("measuring child processes with {}", meter.describe());

    let sim = Simulator::start(&binaries.sim)?;
    println!("calls-sim listening at {}", sim.base_url());
    let bench = Bench {
        binaries: &binaries,
        sim: &sim,
        env: sim.env(),
        meter: &meter,
        out_dir: &out_dir,
        options,
        ticks_per_second: procfs::ticks_per_second(),
    };

    println!(
        "\n==> bulk: {} runs per mode of {} calls",
        options.runs, options.calls
    );
    let bulk = bench.bulk()?;
    println!("\n==> callctl --ids-from");
    let ids = bench.ids_from_file()?;
    println!("\n==> one cancel: callctl and curl");
    let (callctl_single, curl_single) = bench.single()?;
    let sim_peak_rss_kib = sim.peak_rss_kib();
    drop(sim);
    meter.clean_up();

    let report = Report {
        when: jiff::Timestamp::now().to_string(),
        commit: command::stdout(command::git(root).args(["describe", "--always", "--dirty"])).ok(),
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        meter: meter.describe(),
        calls: options.calls,
        concurrency: options.concurrency,
        bulk,
        ids,
        callctl_single,
        curl_single,
        sim_peak_rss_kib,
        build_time,
        elapsed: measuring.elapsed(),
    };
    println!("\n{report}");
    let path = out_dir.join("latest.json");
    let json = serde_json::to_string_pretty(&report.to_json())?;
    std::fs::write(&path, json + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("figures written to {}", path.display());
    Ok(())
}

/// Builds the binaries in release, in the caller's target directory, and finds them from cargo's own messages.
///
/// callctl is built alone, as `cargo install callctl` would build it: built together with `calls-sim --features
/// cli`, cargo would unify features and link a different callctl than users get.
fn build(root: &Path) -> Result<Binaries> {
    let callctl = build_binaries(root, &["--package", "callctl"], &["callctl"])?;
    let (harness, sim) = build_harness_and_simulator(root)?;
    Ok(Binaries {
        harness,
        callctl: find(&callctl, "callctl")?,
        sim,
    })
}

/// The release `calls-bench` and `calls-sim` (with its `cli` feature), built together.
pub(crate) fn build_harness_and_simulator(root: &Path) -> Result<(PathBuf, PathBuf)> {
    let tools = build_binaries(
        root,
        &[
            "--package",
            "calls-bench",
            "--package",
            "calls-sim",
            "--features",
            "calls-sim/cli",
        ],
        &["calls-bench", "calls-sim"],
    )?;
    Ok((find(&tools, "calls-bench")?, find(&tools, "calls-sim")?))
}

/// The executable cargo built for binary target `name`.
fn find(found: &[(String, PathBuf)], name: &str) -> Result<PathBuf> {
    found
        .iter()
        .find(|(target, _)| target == name)
        .map(|(_, path)| path.clone())
        .with_context(|| format!("cargo built no `{name}` binary"))
}

/// `cargo build --release ARGS`, with diagnostics on the terminal; the executables of the binary targets `names`.
fn build_binaries(root: &Path, args: &[&str], names: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let mut cargo = command::cargo(root);
    cargo
        .args([
            "build",
            "--release",
            "--message-format",
            "json-render-diagnostics",
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let description = command::display(&cargo);
    let mut child = cargo
        .spawn()
        .with_context(|| format!("could not start `{description}`"))?;
    let stdout = child.stdout.take().context("cargo has no stdout")?;
    let mut found = Vec::new();
    for message in Message::parse_stream(std::io::BufReader::new(stdout)) {
        if let Message::CompilerArtifact(artifact) =
            message.with_context(|| format!("cannot read `{description}`"))?
            && let Some(executable) = artifact.executable
            && names.contains(&artifact.target.name.as_str())
        {
            found.push((
                artifact.target.name.to_string(),
                executable.into_std_path_buf(),
            ));
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for `{description}`"))?;
    if !status.success() {
        bail!("`{description}` failed ({status})");
    }
    Ok(found)
}

/// What every measurement needs.
struct Bench<'a> {
    binaries: &'a Binaries,
    sim: &'a Simulator,
    env: Vec<(String, String)>,
    meter: &'a Meter,
    out_dir: &'a Path,
    options: &'a BenchOptions,
    ticks_per_second: u64,
}

impl Bench<'_> {
    /// `calls-bench MODE --prefix PREFIX --count COUNT` with the simulator's environment.
    fn harness(&self, mode: &str, prefix: &str, count: u32) -> Command {
        let mut harness = Command::new(&self.binaries.harness);
        harness
            .args([mode, "--prefix", prefix, "--count", &count.to_string()])
            .args(["--concurrency", &self.options.concurrency.to_string()])
            .envs(self.env.iter().map(|(key, value)| (key, value)));
        harness
    }

    /// Seeds `started` calls `{prefix}0`…, and writes their ids to `ids_file` when given.
    fn seed(&self, prefix: &str, count: u32, ids_file: Option<&Path>) -> Result<()> {
        let mut seed = self.harness("seed", prefix, count);
        if let Some(path) = ids_file {
            seed.arg("--ids-file").arg(path);
        }
        command::stdout(&mut seed).map(drop)
    }

    /// The bulk runs, the modes taking turns (sdk, bare, sdk-block-on, client, then bare, sdk-block-on, client, sdk...),
    /// so that no mode always runs first, or against a simulator holding fewer calls. On a busy machine, rounds go on until every mode has
    /// `runs` quiet runs (see [`report::NOISY_SHARE`]), for at most three times `runs` rounds.
    fn bulk(&self) -> Result<Vec<BulkRun>> {
        let calls = self.options.calls;
        let wanted = self.options.runs.max(1) as usize;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let mut runs: Vec<BulkRun> = Vec::new();
        for round in 0..wanted * 3 {
            let quiet = |mode: Mode| {
                runs.iter()
                    .filter(|run| run.mode == mode && !run.is_noisy(cpus))
                    .count()
            };
            let enough = MODES.iter().all(|&mode| quiet(mode) >= wanted);
            if round >= wanted && enough {
                break;
            }
            let mut order = MODES;
            order.rotate_left(round % MODES.len());
            for mode in order {
                let prefix = format!("ac_{}{round}_", mode.as_str());
                self.seed(&prefix, calls, None)?;
                let busy_before = procfs::machine_busy(self.ticks_per_second);
                let sim_before = self.sim.cpu()?;
                let line = command::stdout(&mut self.harness(mode.as_str(), &prefix, calls))?;
                let sim_cpu = self.sim.cpu()?.saturating_sub(sim_before);
                let busy = procfs::machine_busy(self.ticks_per_second)
                    .zip(busy_before)
                    .map(|(after, before)| after.saturating_sub(before));
                let run = parse_bulk_line(mode, &line, calls, sim_cpu, busy)?;
                println!(
                    "  {:<10} #{:<2} {:>6.0} calls/s, p50 {:.2} ms, p99 {:.2} ms, cpu {:.2} s, sim cpu {:.2} s, other cpu {:.2} s{}",
                    mode.as_str(),
                    runs.len() + 1,
                    run.calls_per_s,
                    run.p50_ms,
                    run.p99_ms,
                    run.cpu_s,
                    run.sim_cpu_s,
                    run.other_cpu_s,
                    if run.is_noisy(cpus) { " (noisy)" } else { "" }
                );
                runs.push(run);
            }
        }
        Ok(runs)
    }

    /// callctl reading the small and the large id file.
    fn ids_from_file(&self) -> Result<Vec<IdsRun>> {
        let mut runs = Vec::new();
        for count in [self.options.calls, self.options.many_ids] {
            let path = self.out_dir.join(format!("ids-{count}.txt"));
            self.seed(&format!("ac_ids{count}_"), count, Some(&path))?;
            let job = Job {
                program: &self.binaries.callctl,
                args: vec![
                    "cartesia".to_owned(),
                    "cancel".to_owned(),
                    "--ids-from".to_owned(),
                    path.to_string_lossy().into_owned(),
                    "--output".to_owned(),
                    "json".to_owned(),
                    "--concurrency".to_owned(),
                    self.options.concurrency.to_string(),
                ],
                env: &self.env,
                discard_stdout: true,
            };
            let usage = self.meter.run(&job);
            let _ = std::fs::remove_file(&path);
            let usage = usage?;
            meter::check_success(
                "callctl cartesia cancel --ids-from",
                usage.status,
                &usage.stderr,
            )?;
            println!(
                "  {count:>7} ids: {:.2} s, peak RSS {} KiB, cpu {:.2} s",
                usage.wall.as_secs_f64(),
                usage.peak_rss_kib,
                usage.cpu.as_secs_f64()
            );
            runs.push(IdsRun {
                ids: count,
                wall: usage.wall,
                cpu: usage.cpu,
                peak_rss_kib: usage.peak_rss_kib,
            });
        }
        Ok(runs)
    }

    /// One cancel by callctl and by curl, alternating, each on its own fresh call: one warm-up each (page cache),
    /// `single_runs` plain runs each for wall time, then metered runs for peak RSS.
    fn single(&self) -> Result<(SingleRuns, Curl)> {
        let curl = match curl_version() {
            Ok(_) => None,
            Err(reason) => {
                println!("  skipping curl: {reason}");
                Some(reason)
            }
        };
        let per_tool = 1 + self.options.single_runs + SINGLE_METERED_RUNS;
        self.seed("ac_one_", per_tool * 2, None)?;
        let mut next_id = 0u32;
        let mut fresh_id = || {
            next_id += 1;
            format!("ac_one_{}", next_id - 1)
        };
        let mut callctl_runs = SingleRuns {
            walls: Vec::new(),
            peak_rss_kib: Vec::new(),
        };
        let mut curl_runs = callctl_runs.clone();
        for round in 0..per_tool {
            let metered = round > self.options.single_runs;
            let warm_up = round == 0;
            let id = fresh_id();
            let job = self.callctl_single(&id);
            let (wall, rss) =
                self.single_run(&job, metered, |stdout| stdout.starts_with("terminated"))?;
            record(&mut callctl_runs, warm_up, metered, wall, rss);
            if curl.is_none() {
                let id = fresh_id();
                let url = format!("{}/agents/calls/{id}/cancel", self.sim.base_url());
                let job = self.curl_single(&url);
                let (wall, rss) = self.single_run(&job, metered, |stdout| {
                    stdout.contains("\"cancelled\":true")
                })?;
                record(&mut curl_runs, warm_up, metered, wall, rss);
            }
        }
        let curl = match curl {
            Some(reason) => Curl::Skipped(reason),
            None => Curl::Measured(curl_runs),
        };
        Ok((callctl_runs, curl))
    }

    fn callctl_single(&self, id: &str) -> Job<'_> {
        Job {
            program: &self.binaries.callctl,
            args: vec!["cartesia".to_owned(), "cancel".to_owned(), id.to_owned()],
            env: &self.env,
            discard_stdout: false,
        }
    }

    fn curl_single(&self, url: &str) -> Job<'static> {
        Job {
            program: Path::new("curl"),
            args: vec![
                "-s".to_owned(),
                "-X".to_owned(),
                "POST".to_owned(),
                "-H".to_owned(),
                format!("Authorization: Bearer {}", self.sim.api_key()),
                "-H".to_owned(),
                "Cartesia-Version: 2026-03-01".to_owned(),
                url.to_owned(),
            ],
            env: &[],
            discard_stdout: false,
        }
    }

    /// Runs `job` once, plain or metered, and checks its answer with `answered`.
    fn single_run(
        &self,
        job: &Job<'_>,
        metered: bool,
        answered: impl Fn(&str) -> bool,
    ) -> Result<(Duration, Option<u64>)> {
        let (status, stdout, stderr, wall, rss) = if metered {
            let usage = self.meter.run(job)?;
            (
                usage.status,
                usage.stdout,
                usage.stderr,
                usage.wall,
                Some(usage.peak_rss_kib),
            )
        } else {
            let (status, stdout, wall) = meter::run_unmetered(job)?;
            (status, stdout, Vec::new(), wall, None)
        };
        let what = format!("`{} {}`", job.program.display(), job.args.join(" "));
        meter::check_success(&what, status, &stderr)?;
        let stdout = meter::text(&stdout);
        if !answered(&stdout) {
            bail!("{what} did not cancel the call: {stdout}");
        }
        Ok((wall, rss))
    }
}

fn record(runs: &mut SingleRuns, warm_up: bool, metered: bool, wall: Duration, rss: Option<u64>) {
    if warm_up {
        return;
    }
    match (metered, rss) {
        (true, Some(kib)) => runs.peak_rss_kib.push(kib),
        _ => runs.walls.push(wall),
    }
}

/// `curl --version`'s first line, or why curl cannot be used.
fn curl_version() -> std::result::Result<String, String> {
    match Command::new("curl")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("curl")
            .to_owned()),
        Ok(output) => Err(format!("`curl --version` failed ({})", output.status)),
        Err(error) => Err(format!("curl is not installed ({error})")),
    }
}

/// Reads the harness's JSON line; every call must have been cancelled, or the figures mean nothing. `busy` is the
/// whole machine's busy CPU time over the harness's life, when known.
fn parse_bulk_line(
    mode: Mode,
    line: &str,
    calls: u32,
    sim_cpu: Duration,
    busy: Option<Duration>,
) -> Result<BulkRun> {
    let value: serde_json::Value = serde_json::from_str(line.lines().last().unwrap_or(""))
        .with_context(|| format!("calls-bench {} printed {line:?}", mode.as_str()))?;
    let number = |key: &str| {
        value[key]
            .as_f64()
            .with_context(|| format!("calls-bench {} printed no `{key}`: {line}", mode.as_str()))
    };
    let ok = number("ok")?;
    if ok < f64::from(calls) {
        bail!(
            "calls-bench {}: only {ok} of {calls} calls were cancelled; first failure: {}",
            mode.as_str(),
            value["first_failure"]
        );
    }
    Ok(BulkRun {
        mode,
        seconds: number("seconds")?,
        calls_per_s: number("calls_per_s")?,
        p50_ms: number("p50_ms")?,
        p99_ms: number("p99_ms")?,
        cpu_s: number("cpu_s")?,
        peak_rss_kib: number("peak_rss_kib")? as u64,
        sim_cpu_s: sim_cpu.as_secs_f64(),
        other_cpu_s: busy.map_or(0.0, |busy| {
            (busy.as_secs_f64() - sim_cpu.as_secs_f64() - number("process_cpu_s").unwrap_or(0.0))
                .max(0.0)
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_line_is_read_and_every_call_must_be_cancelled() {
        let line = r#"{"calls":3,"calls_per_s":3000.0,"cpu_s":0.5,"first_failure":null,"mode":"sdk","ok":3,"p50_ms":1.5,"p99_ms":4.0,"peak_rss_kib":12000,"process_cpu_s":0.6,"seconds":0.001}"#;
        let ms = Duration::from_millis;
        let run = parse_bulk_line(Mode::Sdk, line, 3, ms(800), Some(ms(1500))).unwrap();
        assert_eq!(run.calls_per_s, 3000.0);
        assert_eq!(run.peak_rss_kib, 12000);
        assert_eq!(run.sim_cpu_s, 0.8);
        // 1.5 s busy, of which 0.8 s the simulator and 0.6 s the harness.
        assert!((run.other_cpu_s - 0.1).abs() < 1e-9, "{}", run.other_cpu_s);
        let short = line.replace(r#""ok":3"#, r#""ok":2"#);
        assert!(parse_bulk_line(Mode::Sdk, &short, 3, ms(0), None).is_err());
        assert!(parse_bulk_line(Mode::Sdk, "not json", 3, ms(0), None).is_err());
    }
}
