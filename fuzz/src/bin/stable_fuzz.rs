//! `stable_fuzz`: runs the fuzz targets on a stable toolchain (see `calls_fuzz::runner`).
//!
//! ```text
//! stable_fuzz [--seconds N] [--target NAME]... [--seed S] [--json]
//! ```
//!
//! Each target runs for N seconds (default 10) over its corpus and seeded mutations; a table (or, with `--json`,
//! one JSON object per target and line, for `cargo xtask fuzz`) goes to standard output. The exit status is 1 when
//! any target panicked (its inputs are in `fuzz/artifacts/<target>/`), 2 for a usage error.

// A command-line tool reports to its user on standard output.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use calls_fuzz::runner::{self, Report};

struct Args {
    seconds: u64,
    targets: Vec<String>,
    seed: u64,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 10,
        targets: Vec::new(),
        // A new seed each run explores new inputs; it is printed, so a run can be repeated.
        seed: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
        json: false,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |name: &str| words.next().ok_or(format!("{name} needs a value"));
        match word.as_str() {
            "--seconds" => {
                let text = value("--seconds")?;
                args.seconds = text
                    .parse()
                    .map_err(|_| format!("--seconds takes a whole number, not {text:?}"))?;
            }
            "--seed" => {
                let text = value("--seed")?;
                args.seed = text
                    .parse()
                    .map_err(|_| format!("--seed takes a whole number, not {text:?}"))?;
            }
            "--target" => {
                let name = value("--target")?;
                if runner::target(&name).is_none() {
                    return Err(format!(
                        "no target {name:?}; the targets are {}",
                        runner::TARGETS.join(", ")
                    ));
                }
                args.targets.push(name);
            }
            "--json" => args.json = true,
            "-h" | "--help" => {
                return Err(
                    "usage: stable_fuzz [--seconds N] [--target NAME]... [--seed S] [--json]"
                        .into(),
                );
            }
            other => return Err(format!("unexpected argument {other:?} (see --help)")),
        }
    }
    if args.targets.is_empty() {
        args.targets = runner::TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    runner::quiet_panics();
    if args.json {
        // Standard output is for the JSON lines; the seed still belongs on the terminal, to repeat the run.
        eprintln!(
            "stable_fuzz: seed {}, {} s per target",
            args.seed, args.seconds
        );
    } else {
        println!(
            "seed {}, {} s per target, {} targets",
            args.seed,
            args.seconds,
            args.targets.len()
        );
        println!(
            "{:<28} {:>12} {:>10} {:>10} {:>8}",
            "target", "executions", "execs/s", "accepted", "crashes"
        );
    }
    let mut reports = Vec::new();
    for target in &args.targets {
        let report = runner::run(target, Duration::from_secs(args.seconds), args.seed);
        if args.json {
            println!("{}", json(&report));
        } else {
            println!(
                "{:<28} {:>12} {:>10.0} {:>10} {:>8}",
                report.target,
                report.executions,
                report.executions_per_second(),
                report.accepted,
                report.crashes.len()
            );
        }
        reports.push(report);
    }
    let mut failed = false;
    for report in &reports {
        if let Some(problem) = &report.problem {
            eprintln!("{}: {problem}", report.target);
            failed = true;
        }
        for crash in &report.crashes {
            eprintln!("{}: {crash}", report.target);
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn json(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "target": report.target,
        "executions": report.executions,
        "seconds": report.elapsed.as_secs_f64(),
        "accepted": report.accepted,
        "corpus": report.corpus,
        "slowest_ms": report.slowest.as_secs_f64() * 1000.0,
        "crashing_executions": report.crashing_executions,
        "crashes": report.crashes.iter().map(|crash| serde_json::json!({
            "panic": crash.panic.to_string(),
            "minimized": String::from_utf8_lossy(&crash.minimized),
            "artifact": crash.artifact.as_ref().map(|path| path.display().to_string()),
        })).collect::<Vec<_>>(),
        "problem": report.problem,
    })
}
