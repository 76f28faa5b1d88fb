//! The few git operations a release needs, run with the `git` command line.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::command;

/// A git work tree.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    /// The work tree that contains `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory git runs in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `git status --porcelain`: empty when the tree is clean, untracked files included.
    ///
    /// # Errors
    ///
    /// If git fails, for example outside a repository.
    pub fn status(&self) -> Result<String> {
        command::stdout(command::git(&self.dir).args(["status", "--porcelain"]))
    }

    /// The checked-out branch, or `None` on a detached `HEAD`.
    ///
    /// # Errors
    ///
    /// If git fails.
    pub fn current_branch(&self) -> Result<Option<String>> {
        let branch = command::stdout(command::git(&self.dir).args(["branch", "--show-current"]))?;
        Ok((!branch.is_empty()).then_some(branch))
    }

    /// The commit `revision` names, or `None` if it names none (an absent tag, say).
    ///
    /// # Errors
    ///
    /// If git cannot be run.
    pub fn commit_of(&self, revision: &str) -> Result<Option<String>> {
        let output = command::output(command::git(&self.dir).args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ]))?;
        if !output.status.success() {
            return Ok(None);
        }
        Ok(Some(
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        ))
    }

    /// The subject line of the `HEAD` commit.
    ///
    /// # Errors
    ///
    /// If git fails, for example in a repository without commits.
    pub fn head_subject(&self) -> Result<String> {
        command::stdout(command::git(&self.dir).args(["log", "-1", "--format=%s", "HEAD"]))
    }

    /// `git commit -am <message>`: commits every change to tracked files.
    ///
    /// # Errors
    ///
    /// If git fails, for example with nothing to commit.
    pub fn commit_all(&self, message: &str) -> Result<()> {
        command::run(command::git(&self.dir).args(["commit", "--quiet", "-am", message]))
    }

    /// Creates the annotated tag `name` on `HEAD`.
    ///
    /// # Errors
    ///
    /// If git fails, for example when the tag exists.
    pub fn tag(&self, name: &str, message: &str) -> Result<()> {
        command::run(command::git(&self.dir).args(["tag", "-a", name, "-m", message]))
    }
}
