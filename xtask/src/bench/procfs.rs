//! CPU time and memory of a process, and the machine's busy time, read from `/proc` (Linux; no `unsafe`, no
//! `getrusage`).
//!
//! The one procfs reader of the workspace: `cargo xtask bench` and `soak` read their children with it, and the
//! `calls-bench` harness (`benches/`) compiles this same file as its own module (`#[path]`) to read itself, so that
//! neither crate depends on the other. Keep it to `std`.

use std::time::Duration;

/// Which process to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Process {
    /// The process reading (`/proc/self`): the harness's use; xtask reads only its children.
    #[allow(dead_code)]
    Current,
    /// Another process, by pid.
    Pid(u32),
}

impl Process {
    fn file(self, name: &str) -> String {
        match self {
            Process::Current => format!("/proc/self/{name}"),
            Process::Pid(pid) => format!("/proc/{pid}/{name}"),
        }
    }
}

/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`), 100 when it cannot be asked: that is `USER_HZ`
/// on every Linux architecture in use.
pub(crate) fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// What a `/proc/<pid>/stat` line says about the process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stat {
    /// The state letter: `R`, `S`, `Z` (exited, not yet reaped)...
    pub(crate) state: char,
    /// User plus system CPU time.
    pub(crate) cpu: Duration,
}

/// Resident memory, now and at its peak, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    /// The resident set size now (`VmRSS`), in KiB.
    pub(crate) rss_kib: u64,
    /// The peak resident set size so far (`VmHWM`), in KiB.
    pub(crate) peak_rss_kib: u64,
}

/// Parses a `/proc/<pid>/stat` line. Fields are counted after the command name's closing parenthesis, since the
/// name itself may hold spaces and parentheses.
pub(crate) fn parse_stat(stat: &str, ticks_per_second: u64) -> Option<Stat> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // After the name: state (field 3), ..., utime (field 14), stime (field 15).
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Stat {
        state,
        cpu: Duration::from_secs_f64((utime + stime) as f64 / ticks_per_second.max(1) as f64),
    })
}

/// `VmRSS` and `VmHWM` of a `/proc/<pid>/status`; absent once the process has exited (its memory is gone).
pub(crate) fn parse_memory(status: &str) -> Option<Memory> {
    Some(Memory {
        rss_kib: kib_line(status, "VmRSS:")?,
        peak_rss_kib: parse_vm_hwm_kib(status)?,
    })
}

/// `VmHWM` of a `/proc/<pid>/status`, in KiB; absent once the process has exited.
fn parse_vm_hwm_kib(status: &str) -> Option<u64> {
    kib_line(status, "VmHWM:")
}

/// The value of a `Name:   1234 kB` line of a `/proc/<pid>/status`.
fn kib_line(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The stat of `process`, if it still exists.
pub(crate) fn stat_of(process: Process, ticks_per_second: u64) -> Option<Stat> {
    let text = std::fs::read_to_string(process.file("stat")).ok()?;
    parse_stat(&text, ticks_per_second)
}

/// The memory of `process`, if it is still running.
pub(crate) fn memory_of(process: Process) -> Option<Memory> {
    let text = std::fs::read_to_string(process.file("status")).ok()?;
    parse_memory(&text)
}

/// The stat of process `pid`, if it still exists.
pub(crate) fn stat(pid: u32, ticks_per_second: u64) -> Option<Stat> {
    stat_of(Process::Pid(pid), ticks_per_second)
}

/// The peak RSS of process `pid` so far, in KiB, if it is still running.
pub(crate) fn vm_hwm_kib(pid: u32) -> Option<u64> {
    memory_of(Process::Pid(pid)).map(|memory| memory.peak_rss_kib)
}

/// The CPU time the whole machine has spent busy (user, nice, system, irq, softirq, steal), from `/proc/stat`.
pub(crate) fn machine_busy(ticks_per_second: u64) -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine_busy(&text, ticks_per_second)
}

/// The busy time of the `cpu` line (all CPUs) of a `/proc/stat`.
fn parse_machine_busy(stat: &str, ticks_per_second: u64) -> Option<Duration> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
    let busy: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|&i| ticks.get(i).copied().unwrap_or(0))
        .sum();
    Some(Duration::from_secs_f64(
        busy as f64 / ticks_per_second.max(1) as f64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let line =
            "4242 (odd (name) x) Z 1 4242 4242 0 -1 4194560 900 0 0 0 150 25 0 0 20 0 3 0 1 1 1";
        assert_eq!(
            parse_stat(line, 100),
            Some(Stat {
                state: 'Z',
                cpu: Duration::from_millis(1750)
            })
        );
        assert_eq!(parse_stat("4242 (short) S 1", 100), None);
        assert_eq!(parse_stat("garbage", 100), None);
    }

    #[test]
    fn machine_busy_time_leaves_out_idle_and_iowait() {
        let stat = "cpu  100 5 50 9000 40 3 7 2 0 0\ncpu0 50 2 25 4500 20 1 3 1 0 0\n";
        assert_eq!(
            parse_machine_busy(stat, 100),
            Some(Duration::from_millis(1670))
        );
        assert_eq!(parse_machine_busy("intr 1 2 3\n", 100), None);
    }

    #[test]
    fn memory_comes_from_vm_rss_and_vm_hwm() {
        let status = "Name:\tcallctl\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm_kib(status), Some(12345));
        assert_eq!(
            parse_memory(status),
            Some(Memory {
                rss_kib: 1000,
                peak_rss_kib: 12345
            })
        );
        let zombie = "Name:\tx\nState:\tZ (zombie)\n";
        assert_eq!(parse_vm_hwm_kib(zombie), None);
        assert_eq!(parse_memory(zombie), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let ticks = ticks_per_second();
        // The state is the main thread's, which may be waiting for this test's thread: only its presence is known.
        assert!(stat_of(Process::Current, ticks).is_some());
        let memory = memory_of(Process::Current);
        assert!(
            memory
                .is_some_and(|memory| memory.peak_rss_kib >= memory.rss_kib && memory.rss_kib > 0),
            "{memory:?}"
        );
    }
}
