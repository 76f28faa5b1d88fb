//! `cargo package`: builds the `.crate` files and compiles each as crates.io would, without publishing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use cargo_metadata::MetadataCommand;

use crate::command;

/// Packages workspace crates, behind a trait so tests can skip the build.
pub trait Packager: std::fmt::Debug {
    /// Packages and verifies `crates`, given in publish order.
    ///
    /// # Errors
    ///
    /// If a crate cannot be packaged or does not build from its package.
    fn package(&self, crates: &[String]) -> Result<()>;
}

/// The `cargo package` command for `crates` in the workspace at `root`.
///
/// All crates go to one cargo run: since cargo 1.90 it then packages each against the others' new `.crate`
/// files (a local overlay of the registry), so a crate that needs an unpublished version of another member
/// still verifies. `--allow-dirty`, because a release packages its bumped manifests before committing them.
pub fn command(root: &Path, crates: &[String]) -> Command {
    let mut command = command::cargo(root);
    command.args(["package", "--allow-dirty"]);
    for name in crates {
        command.args(["--package", name]);
    }
    command
}

/// The real `cargo package`.
#[derive(Debug, Clone)]
pub struct CargoPackager {
    root: PathBuf,
    envs: Vec<(String, String)>,
}

impl CargoPackager {
    /// Packages members of the workspace at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            envs: Vec::new(),
        }
    }

    /// Sets `key` for the cargo commands it runs (tests run them with `CARGO_NET_OFFLINE`, and in a target
    /// directory of their own with `CARGO_TARGET_DIR`). The directories it cleans follow: `CARGO_TARGET_DIR` and
    /// `CARGO_HOME` set here are the ones cleaned.
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The target directory its cargo commands build into, as `cargo metadata` reports it with the same
    /// environment: `CARGO_TARGET_DIR`, `build.target-dir` in any cargo config, or `target/` under the root.
    fn target_directory(&self) -> Result<PathBuf> {
        let mut metadata = MetadataCommand::new();
        metadata
            .manifest_path(self.root.join("Cargo.toml"))
            .no_deps();
        for (key, value) in &self.envs {
            metadata.env(key, value);
        }
        let metadata = metadata
            .exec()
            .with_context(|| format!("cargo metadata failed for {}", self.root.display()))?;
        Ok(metadata.target_directory.into_std_path_buf())
    }

    /// Cargo's home for its cargo commands: `CARGO_HOME` as set here, else as set for xtask, else `~/.cargo`.
    fn cargo_home(&self) -> Option<PathBuf> {
        let set_here = self
            .envs
            .iter()
            .rev()
            .find(|(key, _)| key == "CARGO_HOME")
            .map(|(_, value)| value.into());
        match set_here.or_else(|| std::env::var_os("CARGO_HOME")) {
            Some(home) if !home.is_empty() => Some(PathBuf::from(home)),
            _ => std::env::home_dir().map(|home| home.join(".cargo")),
        }
    }
}

impl Packager for CargoPackager {
    /// Packages `crates` with nothing of an earlier packaging run left to verify against.
    ///
    /// A second `cargo package` of the same versions verified cartesia-calls against the *first* run's call-core
    /// (seen here, in a warm target directory only). To verify crates that depend on one another, cargo publishes
    /// them to a throwaway registry under `target/package/tmp-registry`, unpacks each `.crate` into
    /// `$CARGO_HOME/registry/src/-<hash of that path>/<name>-<version>`, and builds it into the workspace's own
    /// `target/debug` as a registry package. Cargo takes a registry package's sources and build for immutable, named
    /// by version: the next run, same target directory and same version, finds both already there and uses them as
    /// they are. So each run first removes the `.crate` files of the last one, the unpacked copies
    /// ([`unpacked_sources`]), and, with `cargo clean --package`, the builds of these crates (which also holds the
    /// workspace's own builds of them: they are built again, about a minute, not the dependencies).
    fn package(&self, crates: &[String]) -> Result<()> {
        let workspace = crate::workspace::Workspace::load(&self.root)?;
        let packages = self.target_directory()?.join("package");
        if packages.exists() {
            std::fs::remove_dir_all(&packages)?;
        }
        if let Some(home) = self.cargo_home() {
            let unpacked: Vec<(String, String)> = crates
                .iter()
                .filter_map(|name| {
                    let package = workspace.member(name)?;
                    Some((name.clone(), package.version.to_string()))
                })
                .collect();
            for stale in unpacked_sources(&home, &unpacked)? {
                std::fs::remove_dir_all(&stale).with_context(|| {
                    format!("cannot remove the stale sources in {}", stale.display())
                })?;
            }
        }
        let envs = || self.envs.iter().map(|(key, value)| (key, value));
        if !crates.is_empty() {
            command::run(clean_command(&self.root, crates).envs(envs()))?;
        }
        command::run(command(&self.root, crates).envs(envs()))
    }
}

/// `cargo clean` of `crates`' builds, whatever their source: the workspace's and an earlier packaging run's.
pub fn clean_command(root: &Path, crates: &[String]) -> Command {
    let mut command = command::cargo(root);
    command.arg("clean");
    for name in crates {
        command.args(["--package", name]);
    }
    command
}

/// Where cargo unpacked earlier copies of these packages (`(name, version)`): every
/// `<cargo home>/registry/src/<registry>/<name>-<version>` that exists.
///
/// Cargo unpacks a registry package once and, finding its directory there later (`.cargo-ok`), never again, so an
/// earlier packaging run's copy would be built instead of the new `.crate` (see [`CargoPackager`]'s `package`).
/// Every registry's directory is searched, not only the throwaway one's, since its name is cargo's to choose; a
/// copy of a crates.io package of the same name and version would only be unpacked again from cargo's cache.
///
/// # Errors
///
/// If `registry/src` exists but cannot be listed.
pub fn unpacked_sources(cargo_home: &Path, packages: &[(String, String)]) -> Result<Vec<PathBuf>> {
    let sources = cargo_home.join("registry").join("src");
    let registries = match std::fs::read_dir(&sources) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot list {}", sources.display()));
        }
    };
    let mut found = Vec::new();
    for registry in registries {
        let registry = registry.with_context(|| format!("cannot list {}", sources.display()))?;
        for (name, version) in packages {
            let unpacked = registry.path().join(format!("{name}-{version}"));
            if unpacked.is_dir() {
                found.push(unpacked);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_unpacked_copies_of_exactly_these_versions() -> Result<()> {
        let home = std::env::temp_dir().join(format!("xtask-unpacked-{}", std::process::id()));
        let src = home.join("registry").join("src");
        let overlay = src.join("-14cd1cce6819ff87");
        let index = src.join("index.crates.io-1949cf8c6b5b557f");
        for dir in [
            overlay.join("call-core-0.1.0"),
            overlay.join("call-core-0.1.1"),
            overlay.join("cartesia-calls-0.1.0"),
            index.join("serde-1.0.0"),
            index.join("call-core-0.1.0"),
        ] {
            std::fs::create_dir_all(dir)?;
        }
        let packages = [
            ("call-core".to_owned(), "0.1.0".to_owned()),
            ("cartesia-calls".to_owned(), "0.1.0".to_owned()),
            ("mirai-calls".to_owned(), "0.1.0".to_owned()),
        ];
        let found = unpacked_sources(&home, &packages);
        std::fs::remove_dir_all(&home)?;
        assert_eq!(
            found?,
            vec![
                overlay.join("call-core-0.1.0"),
                overlay.join("cartesia-calls-0.1.0"),
                index.join("call-core-0.1.0"),
            ]
        );
        Ok(())
    }

    #[test]
    fn the_directories_cleaned_are_those_the_packagers_environment_names() -> Result<()> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask has a parent")?;
        let elsewhere = std::env::temp_dir().join(format!("xtask-target-{}", std::process::id()));
        let home = std::env::temp_dir().join(format!("xtask-home-{}", std::process::id()));
        let packager = CargoPackager::new(root)
            .env("CARGO_TARGET_DIR", &elsewhere.to_string_lossy())
            .env("CARGO_HOME", &home.to_string_lossy());
        let target = packager.target_directory();
        let _ = std::fs::remove_dir_all(&home);
        assert_eq!(target?, elsewhere);
        assert_eq!(packager.cargo_home(), Some(home));
        Ok(())
    }

    #[test]
    fn a_cargo_home_without_sources_has_none() -> Result<()> {
        let home = std::env::temp_dir().join(format!("xtask-no-sources-{}", std::process::id()));
        let packages = [("call-core".to_owned(), "0.1.0".to_owned())];
        assert!(unpacked_sources(&home, &packages)?.is_empty());
        Ok(())
    }
}
