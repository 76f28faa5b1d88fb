//! This process's CPU time and peak RSS, read from `/proc/self` (Linux only; no `unsafe`, no `getrusage`).

use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Resources this process has used so far.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProcessUsage {
    /// User plus system CPU time.
    pub(crate) cpu: Duration,
    /// The peak resident set size (`VmHWM`), in KiB.
    pub(crate) peak_rss_kib: u64,
}

/// Reads `/proc/self/stat` and `/proc/self/status`.
///
/// # Errors
///
/// When `/proc` is not there or not in the expected format.
pub(crate) fn now(ticks_per_second: u64) -> Result<ProcessUsage> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("cannot read /proc/self/stat")?;
    let status =
        std::fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    Ok(ProcessUsage {
        cpu: cpu_time(&stat, ticks_per_second)?,
        peak_rss_kib: peak_rss_kib(&status)?,
    })
}

/// This process's resident memory now and at its peak.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Memory {
    /// The resident set size now (`VmRSS`), in KiB.
    pub(crate) rss_kib: u64,
    /// The peak resident set size so far (`VmHWM`), in KiB.
    pub(crate) peak_rss_kib: u64,
}

/// Reads `/proc/self/status`.
///
/// # Errors
///
/// When `/proc` is not there or not in the expected format.
pub(crate) fn memory() -> Result<Memory> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    Ok(Memory {
        rss_kib: kib_line(&status, "VmRSS:").context("no VmRSS line in /proc/self/status")?,
        peak_rss_kib: peak_rss_kib(&status)?,
    })
}

/// Clock ticks per second of `/proc/*/stat` (`getconf CLK_TCK`), 100 when it cannot be asked: that is `USER_HZ` on
/// every Linux architecture in use.
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

/// `utime + stime` of a `/proc/<pid>/stat` line. The fields are counted after the command name's closing
/// parenthesis, since the name itself may hold spaces and parentheses.
fn cpu_time(stat: &str, ticks_per_second: u64) -> Result<Duration> {
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        bail!("unexpected /proc/self/stat: {stat}");
    };
    // After the name: state (field 3), ..., utime (field 14), stime (field 15).
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let tick = |index: usize| -> Result<u64> {
        fields
            .get(index)
            .and_then(|field| field.parse().ok())
            .with_context(|| format!("unexpected /proc/self/stat: {stat}"))
    };
    let ticks = tick(11)? + tick(12)?;
    Ok(Duration::from_secs_f64(
        ticks as f64 / ticks_per_second.max(1) as f64,
    ))
}

/// `VmHWM` of a `/proc/<pid>/status`, in KiB.
fn peak_rss_kib(status: &str) -> Result<u64> {
    kib_line(status, "VmHWM:").context("no VmHWM line in /proc/self/status")
}

/// The value of a `Name:   1234 kB` line of a `/proc/<pid>/status`.
fn kib_line(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let stat =
            "4242 (calls (bench) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 150 25 0 0 20 0 3 0 1 1 1";
        assert_eq!(cpu_time(stat, 100).unwrap(), Duration::from_millis(1750));
        assert!(cpu_time("garbage", 100).is_err());
    }

    #[test]
    fn peak_rss_comes_from_vm_hwm() {
        let status =
            "Name:\tcalls-bench\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(peak_rss_kib(status).unwrap(), 12345);
        assert!(peak_rss_kib("Name:\tx\n").is_err());
    }
}
