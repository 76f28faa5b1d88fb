//! `cargo xtask fuzz --seconds N`: every fuzz target of `fuzz/` for N seconds, and a table of what ran.
//!
//! Two engines run the same targets (`fuzz/src/lib.rs`):
//!
//! - **libFuzzer**, coverage-guided, when cargo-fuzz and a nightly toolchain are installed:
//!   `cargo +nightly fuzz run --features libfuzzer <target> <scratch corpus> fuzz/corpus/<target> --
//!   -max_total_time=N`. New inputs go to a scratch corpus under the target directory, never into the seeds kept
//!   in git; crashes go to `fuzz/artifacts/<target>/`.
//! - **the stable runner** otherwise: `cargo run --release -p calls-fuzz --bin stable_fuzz -- --seconds N --json`,
//!   the seed corpus plus seeded mutations, with panics caught and written to `fuzz/artifacts/<target>/`.
//!
//! [`ENGINE_ENV`] picks one explicitly (`libfuzzer` or `stable`). Either way the table lists each target's
//! executions, executions per second and crashes, and the command fails when any target crashed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::command;
use crate::workspace::Workspace;

/// Set to `libfuzzer` or `stable` to choose the engine instead of detecting it.
pub const ENGINE_ENV: &str = "CALLS_FUZZ_ENGINE";

/// The fuzz crate's directory, under the workspace root.
const FUZZ_DIR: &str = "fuzz";

/// How the targets run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// cargo-fuzz on a nightly toolchain.
    LibFuzzer,
    /// `fuzz/src/bin/stable_fuzz.rs` on the current toolchain.
    Stable,
}

impl Engine {
    /// The engine [`ENGINE_ENV`] names, else libFuzzer when `cargo +nightly fuzz --version` works, else stable.
    ///
    /// # Errors
    ///
    /// When [`ENGINE_ENV`] holds another value.
    pub fn detect() -> Result<Self> {
        match std::env::var(ENGINE_ENV).ok().as_deref() {
            Some("libfuzzer") => return Ok(Engine::LibFuzzer),
            Some("stable") => return Ok(Engine::Stable),
            Some(other) => bail!("{ENGINE_ENV} must be `libfuzzer` or `stable`, not {other:?}"),
            None => {}
        }
        // `cargo` on the PATH (the rustup proxy), not `$CARGO`: only the proxy understands `+nightly`.
        let probe = Command::new("cargo")
            .args(["+nightly", "fuzz", "--version"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        Ok(match probe {
            Ok(status) if status.success() => Engine::LibFuzzer,
            _ => Engine::Stable,
        })
    }
}

/// What one target's run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The target.
    pub target: String,
    /// Inputs run.
    pub executions: u64,
    /// How long it ran.
    pub seconds: f64,
    /// One line per crash: what panicked, and where the input was written.
    pub crashes: Vec<String>,
}

impl Row {
    /// Executions per second.
    pub fn executions_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.executions as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Runs every target for `seconds` with the engine [`Engine::detect`] picks, prints the table, and fails if any
/// target crashed.
///
/// # Errors
///
/// When a target crashed, when the fuzz crate cannot be built or run, or when its output cannot be read.
pub fn run(root: &Path, seconds: u64) -> Result<()> {
    let targets = targets(root)?;
    let engine = Engine::detect()?;
    println!(
        "fuzzing {} targets for {seconds} s each with {}",
        targets.len(),
        match engine {
            Engine::LibFuzzer => "libFuzzer (cargo +nightly fuzz)",
            Engine::Stable => "the stable runner",
        }
    );
    let rows = match engine {
        Engine::LibFuzzer => run_libfuzzer(root, &targets, seconds)?,
        Engine::Stable => run_stable(root, seconds)?,
    };
    print!("{}", table(&rows));
    let crashed: Vec<&Row> = rows.iter().filter(|row| !row.crashes.is_empty()).collect();
    for row in &crashed {
        for crash in &row.crashes {
            println!("{}: {crash}", row.target);
        }
    }
    if !crashed.is_empty() {
        bail!(
            "{} of {} fuzz targets crashed; the inputs are in {FUZZ_DIR}/artifacts/",
            crashed.len(),
            rows.len()
        );
    }
    Ok(())
}

/// The targets: the names of `fuzz/fuzz_targets/*.rs`, sorted.
///
/// # Errors
///
/// When the directory cannot be read or holds no target.
pub fn targets(root: &Path) -> Result<Vec<String>> {
    let dir = root.join(FUZZ_DIR).join("fuzz_targets");
    let mut names = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "rs")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    if names.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    Ok(names)
}

fn run_libfuzzer(root: &Path, targets: &[String], seconds: u64) -> Result<Vec<Row>> {
    let scratch = Workspace::load(root)?
        .target_directory()
        .join("fuzz-corpus");
    let mut rows = Vec::new();
    for target in targets {
        let corpus = scratch.join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("cannot create {}", corpus.display()))?;
        let seeds: PathBuf = [FUZZ_DIR, "corpus", target].iter().collect();
        let mut fuzz = Command::new("cargo");
        fuzz.current_dir(root)
            .args(["+nightly", "fuzz", "run", "--features", "libfuzzer", target])
            .arg(&corpus)
            .arg(&seeds)
            .args([
                "--".to_owned(),
                format!("-max_total_time={seconds}"),
                "-print_final_stats=1".to_owned(),
            ]);
        println!("{target}: {}", command::display(&fuzz));
        let output = command::output(&mut fuzz)?;
        let log = String::from_utf8_lossy(&output.stderr);
        let mut row = parse_libfuzzer(target, &log);
        if !output.status.success() && row.crashes.is_empty() {
            // libFuzzer found something it wrote no artifact for (an out-of-memory, a timeout), or the build failed.
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            row.crashes.push(format!(
                "`{}` failed ({}): {}",
                command::display(&fuzz),
                output.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads what libFuzzer printed: the executions (`stat::number_of_executed_units`, else the `Done N runs in S
/// second(s)` line), the time, and every `Test unit written to PATH`.
pub fn parse_libfuzzer(target: &str, log: &str) -> Row {
    let mut row = Row {
        target: target.to_owned(),
        executions: 0,
        seconds: 0.0,
        crashes: Vec::new(),
    };
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("Done ") {
            let mut words = rest.split_whitespace();
            if let Some(runs) = words.next().and_then(|w| w.parse().ok()) {
                row.executions = runs;
            }
            if let Some(secs) = words.nth(2).and_then(|w| w.parse().ok()) {
                row.seconds = secs;
            }
        } else if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
            if let Ok(runs) = rest.trim().parse() {
                row.executions = runs;
            }
        } else if let Some(rest) = line.strip_prefix("stat::average_exec_per_sec:") {
            if let Ok(rate) = rest.trim().parse::<f64>()
                && row.seconds == 0.0
                && rate > 0.0
            {
                row.seconds = row.executions as f64 / rate;
            }
        } else if let Some(at) = line.find("Test unit written to ") {
            let path = line[at + "Test unit written to ".len()..].trim();
            row.crashes.push(format!("libFuzzer wrote {path}"));
        }
    }
    row
}

fn run_stable(root: &Path, seconds: u64) -> Result<Vec<Row>> {
    let mut fuzz = command::cargo(root);
    fuzz.args([
        "run",
        "--release",
        "--quiet",
        "--package",
        "calls-fuzz",
        "--bin",
        "stable_fuzz",
        "--",
        "--seconds",
    ])
    .arg(seconds.to_string())
    .arg("--json")
    .stdin(Stdio::null())
    .stdout(Stdio::piped());
    let mut child = fuzz
        .spawn()
        .with_context(|| format!("could not start `{}`", command::display(&fuzz)))?;
    let stdout = child
        .stdout
        .take()
        .context("the stable runner's output was not captured")?;
    let mut rows = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let row = parse_stable_line(&line?)?;
        println!(
            "{}: {} executions, {} crashes",
            row.target,
            row.executions,
            row.crashes.len()
        );
        rows.push(row);
    }
    let status = child.wait()?;
    // Exit status 1 means "a target crashed", which the rows already say; anything else is a failure to run.
    if !status.success() && rows.iter().all(|row| row.crashes.is_empty()) {
        bail!("`{}` failed ({status})", command::display(&fuzz));
    }
    Ok(rows)
}

/// Reads one line of `stable_fuzz --json`.
///
/// # Errors
///
/// When the line is not the JSON object `stable_fuzz` prints.
pub fn parse_stable_line(line: &str) -> Result<Row> {
    let value: serde_json::Value = serde_json::from_str(line).with_context(|| {
        format!("the stable runner printed something that is not JSON: {line:?}")
    })?;
    let target = value["target"]
        .as_str()
        .with_context(|| format!("no target in {line:?}"))?
        .to_owned();
    let mut crashes: Vec<String> = value["crashes"]
        .as_array()
        .map(|crashes| {
            crashes
                .iter()
                .map(|crash| {
                    let panic = crash["panic"].as_str().unwrap_or("a panic");
                    match crash["artifact"].as_str() {
                        Some(path) => format!("{panic} (input in {path})"),
                        None => panic.to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(problem) = value["problem"].as_str() {
        crashes.push(format!("did not run: {problem}"));
    }
    Ok(Row {
        target,
        executions: value["executions"].as_u64().unwrap_or(0),
        seconds: value["seconds"].as_f64().unwrap_or(0.0),
        crashes,
    })
}

/// The table: target, executions, executions per second, crashes.
pub fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<28} {:>13} {:>10} {:>8}\n",
        "target", "executions", "execs/s", "crashes"
    );
    for row in rows {
        out.push_str(&format!(
            "{:<28} {:>13} {:>10.0} {:>8}\n",
            row.target,
            row.executions,
            row.executions_per_second(),
            row.crashes.len()
        ));
    }
    let total: u64 = rows.iter().map(|row| row.executions).sum();
    let crashes: usize = rows.iter().map(|row| row.crashes.len()).sum();
    out.push_str(&format!(
        "{:<28} {:>13} {:>10} {:>8}\n",
        "total", total, "", crashes
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_stats_and_artifacts() {
        let log = "INFO: Seed: 1\n#2097152\tpulse  corp: 1/1b\nDone 2819788 runs in 61 second(s)\n\
                   stat::number_of_executed_units: 2819790\nstat::average_exec_per_sec:     46226\n";
        let row = parse_libfuzzer("cartesia_call", log);
        assert_eq!(row.executions, 2_819_790);
        assert!((row.seconds - 61.0).abs() < f64::EPSILON);
        assert!(row.crashes.is_empty());

        let crash = "==1== ERROR: libFuzzer: deadly signal\nstat::number_of_executed_units: 500\n\
                     stat::average_exec_per_sec:     250\n\
                     artifact_prefix='fuzz/artifacts/mirai_v2_call/'; Test unit written to \
                     fuzz/artifacts/mirai_v2_call/crash-da39a3ee\n";
        let row = parse_libfuzzer("mirai_v2_call", crash);
        assert_eq!(row.executions, 500);
        assert!((row.seconds - 2.0).abs() < f64::EPSILON);
        assert_eq!(
            row.crashes,
            ["libFuzzer wrote fuzz/artifacts/mirai_v2_call/crash-da39a3ee"]
        );
    }

    #[test]
    fn reads_the_stable_runner_lines() {
        let row = parse_stable_line(
            r#"{"target":"cartesia_page","executions":1200,"seconds":2.0,"crashes":[]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.executions, 1200);
        assert!((row.executions_per_second() - 600.0).abs() < f64::EPSILON);
        let row = parse_stable_line(
            r#"{"target":"x","executions":3,"seconds":1.0,"crashes":[{"panic":"boom (at a.rs:1:2)","artifact":"fuzz/artifacts/x/crash-1"}],"problem":null}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            row.crashes,
            ["boom (at a.rs:1:2) (input in fuzz/artifacts/x/crash-1)"]
        );
        assert!(parse_stable_line("warning: something").is_err());
    }

    #[test]
    fn the_table_has_a_row_per_target_and_a_total() {
        let rows = [
            Row {
                target: "a".into(),
                executions: 10,
                seconds: 1.0,
                crashes: Vec::new(),
            },
            Row {
                target: "b".into(),
                executions: 5,
                seconds: 0.0,
                crashes: vec!["x".into()],
            },
        ];
        let table = table(&rows);
        assert_eq!(table.lines().count(), 4);
        assert!(
            table
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("total") && l.contains("15"))
        );
    }

    #[test]
    fn lists_the_targets_of_this_workspace() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."));
        let targets = targets(root).unwrap_or_else(|e| panic!("{e}"));
        assert!(targets.contains(&"cartesia_call".to_owned()), "{targets:?}");
    }
}
