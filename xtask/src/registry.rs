//! The crate registry a release publishes to, behind a trait so tests can fake it.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use semver::Version;

use crate::command;

/// Where crates are published.
pub trait Registry: std::fmt::Debug {
    /// Whether `name` at `version` can be downloaded from the registry now.
    ///
    /// # Errors
    ///
    /// If the registry cannot be asked: an unknown answer must stop a release, never count as "no".
    fn is_published(&self, name: &str, version: &Version) -> Result<bool>;

    /// Publishes the workspace member `name` as it is on disk.
    ///
    /// # Errors
    ///
    /// If the upload fails.
    fn publish(&self, name: &str) -> Result<()>;
}

/// How long to wait for a published crate to show in the registry, and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishWait {
    /// The longest wait before giving up.
    pub timeout: Duration,
    /// The pause between two looks.
    pub interval: Duration,
}

impl Default for PublishWait {
    /// Ten minutes, looking every five seconds: crates.io usually shows a crate within a minute.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            interval: Duration::from_secs(5),
        }
    }
}

impl PublishWait {
    /// Waits until `registry` shows `name` at `version`.
    ///
    /// # Errors
    ///
    /// If the registry cannot be asked, or the crate does not show within the timeout.
    pub fn until_published(
        &self,
        registry: &dyn Registry,
        name: &str,
        version: &Version,
    ) -> Result<()> {
        let start = Instant::now();
        loop {
            if registry.is_published(name, version)? {
                return Ok(());
            }
            if start.elapsed() >= self.timeout {
                bail!(
                    "{name} {version} was published but did not show in the registry within {:?}; \
                     rerun the release later to go on",
                    self.timeout
                );
            }
            thread::sleep(self.interval);
        }
    }
}

/// crates.io, through cargo itself: `cargo info --registry crates-io` to look, `cargo publish` to publish.
///
/// cargo reads the sparse index and honours the user's registry configuration and credentials, so xtask
/// needs no HTTP client of its own and never sees a token.
#[derive(Debug, Clone)]
pub struct CratesIo {
    root: PathBuf,
}

impl CratesIo {
    /// crates.io, publishing members of the workspace at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl Registry for CratesIo {
    fn is_published(&self, name: &str, version: &Version) -> Result<bool> {
        // `--registry` makes cargo ask the registry instead of describing the workspace member.
        let output = command::output(command::cargo(&self.root).args([
            "info",
            "--registry",
            "crates-io",
            &format!("{name}@{version}"),
        ]))?;
        if output.status.success() {
            return Ok(true);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("could not find") {
            return Ok(false);
        }
        bail!(
            "cannot ask crates.io about {name} {version}: {}",
            stderr.trim()
        )
    }

    fn publish(&self, name: &str) -> Result<()> {
        // The package step verified every crate against the others as they will be published, so cargo need
        // not build each one again here.
        command::run(command::cargo(&self.root).args(["publish", "--no-verify", "--package", name]))
    }
}
