//! `CHANGELOG.md` in the [Keep a Changelog](https://keepachangelog.com/en/1.1.0/) format: the checks of
//! `cargo xtask changelog`, and the move of `## [Unreleased]` under a new version at release time.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

mod check;
mod line;
mod release;

pub use check::{Problem, SECTIONS, check};
pub use release::{Released, release};

/// The changelog's file name, at the workspace root.
pub const FILE: &str = "CHANGELOG.md";

/// The check of `cargo xtask changelog`, on `root/CHANGELOG.md`.
///
/// # Errors
///
/// If the file cannot be read or breaks a rule; every broken rule is printed with its line first.
pub fn check_file(root: &Path) -> Result<()> {
    let path = root.join(FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| anyhow!("cannot read {}: {error}", path.display()))?;
    let problems = check(&text);
    if problems.is_empty() {
        println!("{} follows Keep a Changelog", FILE);
        return Ok(());
    }
    for problem in &problems {
        println!("{}:{}: {}", FILE, problem.line, problem.message);
    }
    bail!(
        "{} breaks Keep a Changelog in {} places",
        FILE,
        problems.len()
    )
}
