//! `cargo package`: builds the `.crate` files and compiles each as crates.io would, without publishing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

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
}

impl CargoPackager {
    /// Packages members of the workspace at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl Packager for CargoPackager {
    fn package(&self, crates: &[String]) -> Result<()> {
        // Packages left by an earlier run at the same version can be verified against instead of the new ones
        // (seen here: a crate built against a stale `call-core-0.1.0`), so every run starts from an empty
        // `target/package`. Only packaging output goes; the build cache stays.
        let packages = crate::workspace::Workspace::load(&self.root)?
            .target_directory()
            .join("package");
        if packages.exists() {
            std::fs::remove_dir_all(&packages)?;
        }
        command::run(&mut command(&self.root, crates))
    }
}
