//! Running a child process and measuring it: wall time, peak RSS and CPU time.
//!
//! Two ways, chosen once per bench:
//!
//! - **GNU time** (`/usr/bin/time -f '%M %U %S' -o FILE`), when it is installed: the kernel's own figures for the
//!   child (`wait4` rusage: `ru_maxrss`, user and system time), exact whatever the child's lifetime. It costs one
//!   extra `exec` (about a millisecond), so wall times that must be exact, a single cancel's, are taken from runs
//!   without it ([`run_unmetered`]).
//! - **Polling `/proc/<pid>`** otherwise: `VmHWM` from `status` and `utime + stime` from `stat` every half
//!   millisecond for the child's first 100 ms, then every 5 ms (so that polling a long bulk run does not take CPU
//!   from it), until the child is a zombie. CPU time is exact (a zombie's `stat` still has it); peak RSS is the
//!   last reading before the child's memory is released, so a process living a few milliseconds may be
//!   under-counted.
//!
//! Wall time is always ours: from just before `spawn` to the end of `wait`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::procfs;

const GNU_TIME: &str = "/usr/bin/time";

/// How children are measured.
#[derive(Debug)]
pub(crate) enum Meter {
    /// Under GNU time, which writes its figures to `output`.
    GnuTime {
        /// A scratch file for GNU time's report.
        output: PathBuf,
    },
    /// By polling `/proc/<pid>`.
    Polling {
        /// Clock ticks per second of `/proc/<pid>/stat`.
        ticks_per_second: u64,
    },
}

/// What a child did and cost.
#[derive(Debug)]
pub(crate) struct Usage {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) wall: Duration,
    pub(crate) peak_rss_kib: u64,
    pub(crate) cpu: Duration,
}

/// A command to measure: program, arguments, extra environment, and where its standard output goes.
#[derive(Debug, Clone)]
pub(crate) struct Job<'a> {
    pub(crate) program: &'a Path,
    pub(crate) args: Vec<String>,
    pub(crate) env: &'a [(String, String)],
    pub(crate) stdout: StdoutTo,
}

/// Where a measured child's standard output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StdoutTo {
    /// A pipe, read to the end and returned in [`Usage::stdout`].
    Keep,
    /// A file, created or truncated, as a user's `> FILE` would.
    File(PathBuf),
}

impl Meter {
    /// GNU time when `/usr/bin/time` runs and understands `-f`, else polling. `scratch` is a directory for GNU
    /// time's report.
    pub(crate) fn detect(scratch: &Path) -> Meter {
        let works = Command::new(GNU_TIME)
            .args(["-f", "%M", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .is_ok_and(|output| {
                output.status.success()
                    && String::from_utf8_lossy(&output.stderr)
                        .trim()
                        .parse::<u64>()
                        .is_ok()
            });
        if works {
            Meter::GnuTime {
                output: scratch.join("gnu-time.txt"),
            }
        } else {
            Meter::Polling {
                ticks_per_second: procfs::ticks_per_second(),
            }
        }
    }

    /// Removes GNU time's scratch report, if any.
    pub(crate) fn clean_up(&self) {
        if let Meter::GnuTime { output } = self {
            let _ = std::fs::remove_file(output);
        }
    }

    /// How children are measured, for the report.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Meter::GnuTime { .. } => {
                "GNU time (/usr/bin/time -f '%M %U %S'): wait4 rusage of the child"
            }
            Meter::Polling { .. } => {
                "polling /proc/<pid>/status (VmHWM) and /proc/<pid>/stat (utime+stime) every 0.5 ms"
            }
        }
    }

    /// Runs `job` to its end and measures it.
    ///
    /// # Errors
    ///
    /// When the child cannot be started, or its figures cannot be read.
    pub(crate) fn run(&self, job: &Job<'_>) -> Result<Usage> {
        let ((status, stdout, stderr, wall), (peak_rss_kib, cpu)) = match self {
            Meter::GnuTime { output } => {
                let mut command = Command::new(GNU_TIME);
                command
                    .args(["-f", "%M %U %S", "-o"])
                    .arg(output)
                    .arg(job.program)
                    .args(&job.args);
                let ran = run_to_end(command, job, |_| {})?;
                let report = std::fs::read_to_string(output)
                    .with_context(|| format!("cannot read {}", output.display()))?;
                let figures = parse_gnu_time(&report)
                    .with_context(|| format!("unexpected GNU time report: {report:?}"))?;
                (ran, figures)
            }
            Meter::Polling { ticks_per_second } => {
                let mut command = Command::new(job.program);
                command.args(&job.args);
                let mut peak_rss_kib = 0;
                let mut cpu = Duration::ZERO;
                let ran = run_to_end(command, job, |pid| {
                    let started = Instant::now();
                    // Stop polling once the child has exited: a zombie's stat still holds its CPU time, and its
                    // memory, with VmHWM, is gone. The last reading before that is the peak.
                    while let Some(stat) = procfs::stat(pid, *ticks_per_second) {
                        cpu = stat.cpu;
                        if stat.state == 'Z' {
                            break;
                        }
                        if let Some(kib) = procfs::vm_hwm_kib(pid) {
                            peak_rss_kib = kib;
                        }
                        std::thread::sleep(poll_interval(started.elapsed()));
                    }
                })?;
                (ran, (peak_rss_kib, cpu))
            }
        };
        Ok(Usage {
            status,
            stdout,
            stderr,
            wall,
            peak_rss_kib,
            cpu,
        })
    }
}

/// How long to wait between two readings of a child that has run for `age`: fast while a short-lived child may
/// exit at any moment, slower once it is a long run whose peak builds up over seconds.
fn poll_interval(age: Duration) -> Duration {
    if age < Duration::from_millis(100) {
        Duration::from_micros(500)
    } else {
        Duration::from_millis(5)
    }
}

/// Runs `job` without measuring anything but its wall time: for wall times that must not include a wrapper.
///
/// # Errors
///
/// When the child cannot be started.
pub(crate) fn run_unmetered(job: &Job<'_>) -> Result<(ExitStatus, Vec<u8>, Duration)> {
    let mut command = Command::new(job.program);
    command.args(&job.args);
    let (status, stdout, _, wall) = run_to_end(command, job, |_| {})?;
    Ok((status, stdout, wall))
}

/// Spawns `command` set up for `job`, calls `watch` with its pid while it runs, and waits for it; the output is
/// read on threads so a chatty child never blocks on a full pipe.
fn run_to_end(
    mut command: Command,
    job: &Job<'_>,
    watch: impl FnOnce(u32),
) -> Result<(ExitStatus, Vec<u8>, Vec<u8>, Duration)> {
    let stdout = match &job.stdout {
        StdoutTo::Keep => Stdio::piped(),
        StdoutTo::File(path) => std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?
            .into(),
    };
    command
        .envs(job.env.iter().map(|(key, value)| (key, value)))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child: Child = command
        .spawn()
        .with_context(|| format!("cannot start {}", job.program.display()))?;
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    watch(child.id());
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for {}", job.program.display()))?;
    let wall = started.elapsed();
    let collect = |reader: Option<JoinHandle<Vec<u8>>>| {
        reader
            .map(|handle| handle.join().unwrap_or_default())
            .unwrap_or_default()
    };
    Ok((status, collect(stdout), collect(stderr), wall))
}

fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// `%M %U %S` from GNU time's report: peak RSS in KiB, and user plus system CPU time. The figures are on the last
/// line; a line before it may say "Command exited with non-zero status N".
fn parse_gnu_time(report: &str) -> Option<(u64, Duration)> {
    let line = report.lines().rev().find(|line| !line.trim().is_empty())?;
    let mut words = line.split_whitespace();
    let rss = words.next()?.parse().ok()?;
    let user: f64 = words.next()?.parse().ok()?;
    let system: f64 = words.next()?.parse().ok()?;
    if words.next().is_some() || !(user + system).is_finite() || user + system < 0.0 {
        return None;
    }
    Some((rss, Duration::from_secs_f64(user + system)))
}

/// The text of a child's standard error, for messages.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

/// Fails when a child did not exit successfully, quoting its standard error.
///
/// # Errors
///
/// When `status` is not a success; the error names `what`.
pub(crate) fn check_success(what: &str, status: ExitStatus, stderr: &[u8]) -> Result<()> {
    if !status.success() {
        bail!("{what} failed ({status}): {}", text(stderr));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_time_reports_are_read_from_the_last_line() {
        assert_eq!(
            parse_gnu_time("12768 0.65 0.33\n"),
            Some((12768, Duration::from_secs_f64(0.98)))
        );
        assert_eq!(
            parse_gnu_time("Command exited with non-zero status 1\n7532 0.00 0.01\n"),
            Some((7532, Duration::from_secs_f64(0.01)))
        );
        assert_eq!(parse_gnu_time(""), None);
        assert_eq!(parse_gnu_time("12768 0.65\n"), None);
        assert_eq!(parse_gnu_time("12768 0.65 0.33 extra\n"), None);
    }
}
