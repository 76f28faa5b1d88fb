//! The workspace as `cargo metadata` describes it: members, which are published, and how they depend on each
//! other.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, Package};

use crate::publish_order::CrateNode;

/// A workspace loaded with `cargo metadata --no-deps`, which reads manifests only: no network, no lock file.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    metadata: Metadata,
}

impl Workspace {
    /// Loads the workspace whose root manifest is `root/Cargo.toml`.
    ///
    /// # Errors
    ///
    /// If cargo cannot read the workspace.
    pub fn load(root: &Path) -> Result<Self> {
        let metadata = MetadataCommand::new()
            .manifest_path(root.join("Cargo.toml"))
            .no_deps()
            .exec()
            .with_context(|| format!("cargo metadata failed for {}", root.display()))?;
        Ok(Self {
            root: metadata.workspace_root.clone().into_std_path_buf(),
            metadata,
        })
    }

    /// The workspace root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory cargo builds into: `CARGO_TARGET_DIR`, `build.target-dir`, or `target/` under the root.
    pub fn target_directory(&self) -> &Path {
        self.metadata.target_directory.as_std_path()
    }

    /// The member packages, sorted by name.
    pub fn members(&self) -> Vec<&Package> {
        let mut members = self.metadata.workspace_packages();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        members
    }

    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Package> {
        self.members()
            .into_iter()
            .find(|package| *package.name == *name)
    }

    /// Names of the members that may be published, sorted.
    pub fn publishable(&self) -> Vec<String> {
        self.members()
            .into_iter()
            .filter(|package| is_publishable(package))
            .map(|package| package.name.to_string())
            .collect()
    }

    /// Each member with its dependencies on other members, for [`crate::publish_order`].
    pub fn crate_graph(&self) -> Vec<CrateNode> {
        let members = self.members();
        members
            .iter()
            .map(|package| CrateNode {
                name: package.name.to_string(),
                publishable: is_publishable(package),
                dependencies: package
                    .dependencies
                    .iter()
                    .filter_map(|dependency| {
                        let path = dependency.path.as_ref()?;
                        let target = members
                            .iter()
                            .find(|member| member.manifest_path.parent() == Some(path.as_path()))?;
                        Some((target.name.to_string(), dependency.kind))
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Whether `package` may be published: `publish = false` (reported as an empty registry list) means no.
pub fn is_publishable(package: &Package) -> bool {
    package
        .publish
        .as_ref()
        .is_none_or(|registries| !registries.is_empty())
}

/// Whether a dependency of this kind orders publishing: normal and build dependencies do, dev-dependencies do
/// not (cargo strips path-only dev-dependencies when packaging, so they cannot form a publish cycle).
pub fn orders_publishing(kind: DependencyKind) -> bool {
    kind != DependencyKind::Development
}
