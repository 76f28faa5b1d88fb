//! The metadata check: every publishable crate carries what crates.io shows, every other crate says
//! `publish = false`.
//!
//! crates.io itself only requires a description and a license; the rest is what makes a crate findable and
//! its page useful, and is far cheaper to check here than to fix with a new release.

use std::fmt;
use std::path::Path;

use cargo_metadata::Package;

use crate::workspace::{Workspace, is_publishable};

/// The most keywords crates.io accepts.
pub const MAX_KEYWORDS: usize = 5;

/// One crate's metadata problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataProblem {
    /// The package name.
    pub name: String,
    /// Each missing or wrong field, with why.
    pub problems: Vec<String>,
}

impl fmt::Display for MetadataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.problems.join("; "))
    }
}

/// Every problem of every member, all at once; empty when the workspace is ready to publish.
pub fn check(workspace: &Workspace) -> Vec<MetadataProblem> {
    workspace
        .members()
        .into_iter()
        .filter_map(|package| {
            let problems = check_package(workspace.root(), package);
            (!problems.is_empty()).then(|| MetadataProblem {
                name: package.name.to_string(),
                problems,
            })
        })
        .collect()
}

fn check_package(root: &Path, package: &Package) -> Vec<String> {
    let dir = package
        .manifest_path
        .parent()
        .map(|dir| dir.as_std_path())
        .unwrap_or(root);
    if !is_publishable(package) {
        return Vec::new();
    }
    if looks_like_tooling(root, dir, &package.name) {
        return vec!["tooling, tests and benches must set `publish = false`".to_owned()];
    }

    let mut problems = Vec::new();
    if package
        .description
        .as_deref()
        .is_none_or(|text| text.trim().is_empty())
    {
        problems.push("no description".to_owned());
    }
    match (&package.license, &package.license_file) {
        (None, None) => problems.push("no license or license-file".to_owned()),
        (_, Some(file)) if !dir.join(file).is_file() => {
            problems.push(format!("license-file {file} does not exist"));
        }
        _ => {}
    }
    if package.repository.is_none() {
        problems.push("no repository".to_owned());
    }
    match &package.readme {
        None => problems.push("no readme".to_owned()),
        Some(readme) if !dir.join(readme).is_file() => {
            problems.push(format!("readme {readme} does not exist"));
        }
        Some(_) => {}
    }
    if package.keywords.is_empty() {
        problems.push("no keywords".to_owned());
    } else if package.keywords.len() > MAX_KEYWORDS {
        problems.push(format!(
            "{} keywords, crates.io takes at most {MAX_KEYWORDS}",
            package.keywords.len()
        ));
    }
    if package.categories.is_empty() {
        problems.push("no categories".to_owned());
    }
    let has_none = package.description.is_none()
        && package.readme.is_none()
        && package.keywords.is_empty()
        && package.categories.is_empty();
    if has_none {
        return vec![
            "neither crates.io metadata (description, readme, keywords, categories) nor `publish = false`"
                .to_owned(),
        ];
    }
    problems
}

/// xtask, the `tests/` crate and benches are never published, whatever their manifest says.
fn looks_like_tooling(root: &Path, dir: &Path, name: &str) -> bool {
    let relative = dir.strip_prefix(root).unwrap_or(dir);
    let first = relative
        .components()
        .next()
        .map(|component| component.as_os_str().to_string_lossy().into_owned());
    name == "xtask" || matches!(first.as_deref(), Some("xtask" | "tests" | "benches"))
}
