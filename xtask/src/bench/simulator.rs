//! The `calls-sim` process the bench runs against: its own process, so that neither the harness nor callctl is
//! charged for its CPU time, on `127.0.0.1` at a free port.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::procfs;

/// The variable holding the simulator's Cartesia key, as calls-sim prints it and the SDK reads it.
const API_KEY_ENV: &str = "CARTESIA_API_KEY";
/// The variable holding the simulator's base URL.
const BASE_URL_ENV: &str = "CARTESIA_BASE_URL";

/// A running simulator, stopped when dropped.
#[derive(Debug)]
pub(crate) struct Simulator {
    child: Child,
    base_url: String,
    api_key: String,
    ticks_per_second: u64,
}

impl Simulator {
    /// Starts `program` (the release `calls-sim`) and reads the environment lines it prints.
    ///
    /// # Errors
    ///
    /// When it cannot start or prints no Cartesia key and base URL.
    pub(crate) fn start(program: &Path) -> Result<Simulator> {
        let mut child = Command::new(program)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let stdout = child.stdout.take().context("calls-sim has no stdout")?;
        let mut simulator = Simulator {
            child,
            base_url: String::new(),
            api_key: String::new(),
            ticks_per_second: procfs::ticks_per_second(),
        };
        // It prints `NAME=value` lines, then serves; both Cartesia lines are all we need.
        for line in BufReader::new(stdout).lines() {
            let line = line.context("cannot read calls-sim's output")?;
            if let Some((name, value)) = parse_env_line(&line) {
                match name {
                    API_KEY_ENV => simulator.api_key = value.to_owned(),
                    BASE_URL_ENV => simulator.base_url = value.to_owned(),
                    _ => {}
                }
            }
            if !simulator.api_key.is_empty() && !simulator.base_url.is_empty() {
                return Ok(simulator);
            }
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = simulator.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        bail!(
            "calls-sim did not print {API_KEY_ENV} and {BASE_URL_ENV}: {}",
            stderr.trim()
        )
    }

    /// The environment that points the SDK, callctl and the harness at the simulator.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        vec![
            (API_KEY_ENV.to_owned(), self.api_key.clone()),
            (BASE_URL_ENV.to_owned(), self.base_url.clone()),
        ]
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Cartesia key it accepts.
    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The CPU time it has used so far.
    ///
    /// # Errors
    ///
    /// When it is no longer running.
    pub(crate) fn cpu(&self) -> Result<Duration> {
        procfs::stat(self.child.id(), self.ticks_per_second)
            .filter(|stat| stat.state != 'Z')
            .map(|stat| stat.cpu)
            .context("calls-sim is no longer running")
    }

    /// Its peak RSS so far, in KiB.
    pub(crate) fn peak_rss_kib(&self) -> Option<u64> {
        procfs::vm_hwm_kib(self.child.id())
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        // Our own child, by its handle: SIGKILL, then reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `NAME=value`, as calls-sim prints it (callctl sim's `export NAME=value` is accepted too).
fn parse_env_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (name, value) = line.split_once('=')?;
    Some((name.trim(), value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_are_read_with_or_without_export() {
        assert_eq!(
            parse_env_line("CARTESIA_BASE_URL=http://127.0.0.1:4242"),
            Some(("CARTESIA_BASE_URL", "http://127.0.0.1:4242"))
        );
        assert_eq!(
            parse_env_line("export CARTESIA_API_KEY=sk_car_sim\n"),
            Some(("CARTESIA_API_KEY", "sk_car_sim"))
        );
        assert_eq!(parse_env_line("calls-sim: serving"), None);
    }
}
