//! `cargo xtask`: the workspace's own tooling (the alias lives in `.cargo/config.toml`).

// A command-line tool reports to its user on standard output.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use jiff::civil::Date;
use xtask::bench::{self, BenchOptions};
use xtask::changelog;
use xtask::ci::{self, CiOptions};
use xtask::git::Git;
use xtask::package::CargoPackager;
use xtask::publish_metadata;
use xtask::registry::{CratesIo, PublishWait};
use xtask::release::{self, ReleaseOptions, Tools};
use xtask::soak::{self, SoakOptions};
use xtask::version_request::VersionRequest;
use xtask::workspace::Workspace;

/// Tooling for the calls workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    /// The workspace root; by default the one xtask belongs to.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every CI check: fmt, clippy, tests, docs, each facade feature alone, metadata, changelog, package.
    Ci {
        /// Leave out the final `cargo package`.
        #[arg(long)]
        skip_package: bool,
    },
    /// Check that every publishable crate has its crates.io metadata.
    CheckMetadata,
    /// Check that CHANGELOG.md follows Keep a Changelog.
    Changelog,
    /// Release every crate at one new version; a dry run unless given --execute.
    Release {
        /// `patch`, `minor`, `major`, or an exact version (the current one resumes a half-done release).
        version: VersionRequest,
        /// Do it: edit, commit, tag and publish. Without it, only print what would happen.
        #[arg(long)]
        execute: bool,
        /// The date for the changelog heading, YYYY-MM-DD; today (UTC) by default.
        #[arg(long, value_name = "DATE")]
        date: Option<Date>,
    },
    /// Fuzz every decoder of provider data for N seconds per target: cargo-fuzz on nightly when installed, else the
    /// stable runner. Fails when a target crashes.
    Fuzz {
        /// Seconds per target.
        #[arg(long, value_name = "N", default_value_t = 60)]
        seconds: u64,
    },
    /// Measure bulk termination by the plain reqwest loop, the SDK and callctl (alternating, ratios to the loop),
    /// callctl with a million ids, and one cancel vs curl, against calls-sim; builds release binaries first. Not
    /// part of CI.
    Bench {
        /// Calls per bulk run.
        #[arg(long, value_name = "N", default_value_t = BenchOptions::default().calls)]
        calls: u32,
        /// Rounds of bulk runs, each mode once per round (medians are reported).
        #[arg(long, value_name = "N", default_value_t = BenchOptions::default().runs)]
        runs: u32,
        /// Single-cancel runs per tool.
        #[arg(long, value_name = "N", default_value_t = BenchOptions::default().single_runs)]
        single_runs: u32,
        /// Ids in callctl's large runs (the goals are judged at 1,000,000 only).
        #[arg(long, value_name = "N", default_value_t = bench::LARGE_IDS)]
        large_ids: u32,
        /// Leave out the large runs (seeding two million calls takes minutes).
        #[arg(long)]
        quick: bool,
    },
    /// Cancel a million calls through the bulk engine against calls-sim with one in ten misbehaving (503, 429 with
    /// Retry-After, reset, lost reply); check one true answer per id and no double cancel, report memory. Builds
    /// release binaries first.
    Soak(SoakOptions),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // xtask lives one level below the workspace root.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = cli
        .root
        .unwrap_or_else(|| manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf());
    match cli.command {
        Command::Ci { skip_package } => ci::run(&root, CiOptions { skip_package }),
        Command::CheckMetadata => {
            let problems = publish_metadata::check(&Workspace::load(&root)?);
            for problem in &problems {
                println!("{problem}");
            }
            if !problems.is_empty() {
                bail!("{} crates are not ready to publish", problems.len());
            }
            println!("every publishable crate has its metadata");
            Ok(())
        }
        Command::Changelog => changelog::check_file(&root),
        Command::Fuzz { seconds } => xtask::fuzz::run(&root, seconds),
        Command::Bench {
            calls,
            runs,
            single_runs,
            large_ids,
            quick,
        } => bench::run(
            &root,
            &BenchOptions {
                calls,
                runs,
                single_runs,
                large_ids: (!quick).then_some(large_ids),
                ..BenchOptions::default()
            },
        ),
        Command::Soak(options) => soak::run(&root, &options),
        Command::Release {
            version,
            execute,
            date,
        } => {
            let date = match date {
                Some(date) => date,
                None => jiff::Timestamp::now()
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .date(),
            };
            let git = Git::new(&root);
            let registry = CratesIo::new(&root);
            let packager = CargoPackager::new(&root);
            let tools = Tools {
                git: &git,
                registry: &registry,
                packager: &packager,
                wait: PublishWait::default(),
            };
            let plan = release::plan(
                &root,
                &ReleaseOptions {
                    request: version,
                    date,
                },
                tools,
            )?;
            print!("{plan}");
            if !execute {
                println!("\ndry run: nothing was changed; pass --execute to do the steps above");
                return Ok(());
            }
            release::execute(&plan, tools)?;
            println!(
                "\nreleased {}: push with `git push origin {} v{}`",
                plan.version,
                release::BRANCH,
                plan.version
            );
            Ok(())
        }
    }
}
