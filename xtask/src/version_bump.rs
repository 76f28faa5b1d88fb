//! The lockstep version bump, made with `toml_edit` so comments and layout survive.
//!
//! It sets the new version in `[workspace.package]`, in every member that sets its own, and in every
//! requirement on a member: in `[workspace.dependencies]` and in the members' dependency tables (target-specific
//! ones included). A requirement keeps its operator: `=0.1.0` becomes `=0.2.0`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use semver::Version;
use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::file_edit::FileEdit;
use crate::workspace::{Workspace, is_publishable};

/// The dependency tables of a manifest, at the top and under each `[target.'cfg'.…]`.
const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// The `[workspace.package] version` of the root manifest at `root/Cargo.toml`.
///
/// # Errors
///
/// If the manifest cannot be read or has no valid `[workspace.package] version`.
pub fn workspace_version(root: &Path) -> Result<Version> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let document: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let version = document
        .get("workspace")
        .and_then(|workspace| workspace.get("package"))
        .and_then(|package| package.get("version"))
        .and_then(Item::as_str)
        .ok_or_else(|| anyhow!("{} has no [workspace.package] version", path.display()))?;
    Version::parse(version)
        .with_context(|| format!("[workspace.package] version `{version}` is not semver"))
}

/// The manifest edits that move the workspace from `old` to `new`, one per manifest that changes.
///
/// # Errors
///
/// If a manifest cannot be read or parsed, or a publishable member sets its own version other than `old`
/// (it is not in lockstep, and guessing what it wants is not this tool's job).
pub fn plan(workspace: &Workspace, old: &Version, new: &Version) -> Result<Vec<FileEdit>> {
    let root = workspace.root();
    let members: Vec<Member> = workspace
        .members()
        .into_iter()
        .map(|package| {
            let manifest = package.manifest_path.clone().into_std_path_buf();
            Member {
                name: package.name.to_string(),
                dir: canonical(manifest.parent().unwrap_or(root)),
                manifest,
                publishable: is_publishable(package),
            }
        })
        .collect();

    let mut manifests: BTreeSet<PathBuf> = members
        .iter()
        .map(|member| member.manifest.clone())
        .collect();
    manifests.insert(root.join("Cargo.toml"));

    let mut edits = Vec::new();
    for manifest in manifests {
        let before = std::fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?;
        let mut document: DocumentMut = before
            .parse()
            .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
        let dir = manifest.parent().unwrap_or(root);
        let bump = Bump {
            dir,
            members: &members,
            old,
            new,
        };

        if let Some(workspace) = document
            .get_mut("workspace")
            .and_then(Item::as_table_like_mut)
        {
            if let Some(version) = workspace
                .get_mut("package")
                .and_then(Item::as_table_like_mut)
                .and_then(|package| package.get_mut("version"))
                .and_then(Item::as_value_mut)
            {
                set_version(version, &new.to_string());
            }
            if let Some(dependencies) = workspace
                .get_mut("dependencies")
                .and_then(Item::as_table_like_mut)
            {
                bump.requirements(dependencies);
            }
        }
        if let Some(package) = document
            .get_mut("package")
            .and_then(Item::as_table_like_mut)
        {
            bump.own_version(&manifest, package)?;
        }
        for table in DEPENDENCY_TABLES {
            if let Some(dependencies) = document.get_mut(table).and_then(Item::as_table_like_mut) {
                bump.requirements(dependencies);
            }
        }
        if let Some(targets) = document.get_mut("target").and_then(Item::as_table_like_mut) {
            for (_, target) in targets.iter_mut() {
                let Some(target) = target.as_table_like_mut() else {
                    continue;
                };
                for table in DEPENDENCY_TABLES {
                    if let Some(dependencies) =
                        target.get_mut(table).and_then(Item::as_table_like_mut)
                    {
                        bump.requirements(dependencies);
                    }
                }
            }
        }

        let edit = FileEdit::new(manifest, before, document.to_string());
        if edit.changes() {
            edits.push(edit);
        }
    }
    Ok(edits)
}

#[derive(Debug)]
struct Member {
    name: String,
    dir: PathBuf,
    manifest: PathBuf,
    publishable: bool,
}

/// The bump applied to one manifest, whose directory resolves relative dependency paths.
struct Bump<'a> {
    dir: &'a Path,
    members: &'a [Member],
    old: &'a Version,
    new: &'a Version,
}

impl Bump<'_> {
    /// `[package] version`, when the member sets its own instead of `version.workspace = true`.
    fn own_version(&self, manifest: &Path, package: &mut dyn TableLike) -> Result<()> {
        let Some(version) = package.get_mut("version").and_then(Item::as_value_mut) else {
            return Ok(());
        };
        let Some(text) = version.as_str() else {
            return Ok(());
        };
        let member = self
            .members
            .iter()
            .find(|member| member.manifest == manifest);
        if Version::parse(text).ok().as_ref() == Some(self.old) {
            set_version(version, &self.new.to_string());
        } else if let Some(member) = member.filter(|member| member.publishable) {
            bail!(
                "{} has version {text}, not the workspace's {}: publishable crates move in lockstep",
                member.name,
                self.old
            );
        }
        Ok(())
    }

    /// Every requirement in `dependencies` whose `path` points at a member.
    fn requirements(&self, dependencies: &mut dyn TableLike) {
        for (_, dependency) in dependencies.iter_mut() {
            let Some(dependency) = dependency.as_table_like_mut() else {
                continue;
            };
            let Some(path) = dependency.get("path").and_then(Item::as_str) else {
                continue;
            };
            let target = canonical(&self.dir.join(path));
            if !self.members.iter().any(|member| member.dir == target) {
                continue;
            }
            let Some(requirement) = dependency.get_mut("version").and_then(Item::as_value_mut)
            else {
                continue;
            };
            let Some(text) = requirement.as_str() else {
                continue;
            };
            let operator: String = text
                .chars()
                .take_while(|c| matches!(c, '=' | '^' | '~' | ' '))
                .collect();
            set_version(requirement, &format!("{operator}{}", self.new));
        }
    }
}

/// Replaces the string in `value`, keeping the comments and spaces around it.
fn set_version(value: &mut Value, version: &str) {
    let decor = value.decor().clone();
    *value = Value::from(version);
    *value.decor_mut() = decor;
}

/// The path with `..` and symbolic links resolved, or as given if it does not exist.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_version_keeps_the_comment_after_the_value() {
        let mut document: DocumentMut = "[p]\nversion = \"0.1.0\" # lockstep\n".parse().unwrap();
        let value = document["p"]["version"].as_value_mut().unwrap();
        set_version(value, "0.2.0");
        assert_eq!(
            document.to_string(),
            "[p]\nversion = \"0.2.0\" # lockstep\n"
        );
    }
}
