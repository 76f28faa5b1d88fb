//! This process's CPU time and memory, read with the workspace's one procfs reader (`procfs`, shared with xtask).

use std::time::Duration;

use anyhow::{Context, Result};

use crate::procfs::{self, Process};

pub(crate) use crate::procfs::{Memory, ticks_per_second};

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
    let stat = procfs::stat_of(Process::Current, ticks_per_second)
        .context("cannot read /proc/self/stat")?;
    Ok(ProcessUsage {
        cpu: stat.cpu,
        peak_rss_kib: memory()?.peak_rss_kib,
    })
}

/// This process's resident memory now and at its peak, from `/proc/self/status`.
///
/// # Errors
///
/// When `/proc` is not there or not in the expected format.
pub(crate) fn memory() -> Result<Memory> {
    procfs::memory_of(Process::Current).context("cannot read VmRSS and VmHWM in /proc/self/status")
}
