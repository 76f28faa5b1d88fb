//! `cargo xtask ci`: every check CI runs, in one command that works the same on a laptop.
//!
//! Steps run in order and stop at the first failure. All of them share the caller's target directory
//! (`CARGO_TARGET_DIR` or `target/`), so nothing is built twice for the same flags, and nothing is cleaned.

use std::path::Path;

use anyhow::{Result, bail};

use crate::changelog;
use crate::command;
use crate::package::{self, Packager};
use crate::publish_metadata;
use crate::publish_order::publish_order;
use crate::step::Steps;
use crate::workspace::Workspace;

/// The facade crate, whose provider features are checked one at a time.
pub const FACADE: &str = "calls-facade";

/// Each facade feature with the provider crate it enables.
pub const PROVIDER_FEATURES: [(&str, &str); 2] =
    [("cartesia", "cartesia-calls"), ("mirai", "mirai-calls")];

/// What `cargo xtask ci` may leave out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CiOptions {
    /// Skip the final `cargo package`, the slowest step after the tests.
    pub skip_package: bool,
}

/// One step of CI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiStep {
    /// A short name for the summary.
    pub name: String,
    check: Check,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Check {
    /// `cargo` with these arguments; `rustdoc_deny` adds `-D warnings` to `RUSTDOCFLAGS`.
    Cargo {
        args: Vec<String>,
        rustdoc_deny: bool,
    },
    /// The facade with only `feature` must not pull `excluded` into its normal dependency tree.
    FeatureAlone {
        feature: String,
        included: String,
        excluded: String,
    },
    PublishMetadata,
    Changelog,
    Package,
}

/// The steps of `cargo xtask ci`, in order.
pub fn steps(options: CiOptions) -> Vec<CiStep> {
    let cargo = |name: &str, args: &str, rustdoc_deny: bool| CiStep {
        name: name.to_owned(),
        check: Check::Cargo {
            args: args.split_whitespace().map(str::to_owned).collect(),
            rustdoc_deny,
        },
    };
    let mut steps = vec![
        cargo("fmt", "fmt --all --check", false),
        cargo(
            "clippy",
            "clippy --workspace --all-targets -- -D warnings",
            false,
        ),
        cargo("test", "test --workspace", false),
        cargo("doc", "doc --workspace --no-deps", true),
    ];
    for (feature, _) in PROVIDER_FEATURES {
        let only = format!("--package {FACADE} --no-default-features --features {feature}");
        steps.push(cargo(
            &format!("clippy {feature}"),
            &format!("clippy {only} --all-targets -- -D warnings"),
            false,
        ));
        steps.push(cargo(
            &format!("test {feature}"),
            &format!("test {only}"),
            false,
        ));
        steps.push(cargo(
            &format!("doc {feature}"),
            &format!("doc {only} --no-deps"),
            true,
        ));
    }
    for (feature, included) in PROVIDER_FEATURES {
        for (_, excluded) in PROVIDER_FEATURES
            .iter()
            .filter(|(_, other)| *other != included)
        {
            steps.push(CiStep {
                name: format!("tree {feature}"),
                check: Check::FeatureAlone {
                    feature: feature.to_owned(),
                    included: included.to_owned(),
                    excluded: (*excluded).to_owned(),
                },
            });
        }
    }
    steps.push(CiStep {
        name: "publish metadata".to_owned(),
        check: Check::PublishMetadata,
    });
    steps.push(CiStep {
        name: "changelog".to_owned(),
        check: Check::Changelog,
    });
    if !options.skip_package {
        steps.push(CiStep {
            name: "package".to_owned(),
            check: Check::Package,
        });
    }
    steps
}

/// Runs every step against the workspace at `root`, then prints the summary.
///
/// # Errors
///
/// At the first failing step, naming it.
pub fn run(root: &Path, options: CiOptions) -> Result<()> {
    let list = steps(options);
    let mut steps = Steps::new(list.len());
    let result = list
        .iter()
        .try_for_each(|step| steps.run(&step.name, &step.describe(), || step.run(root)));
    println!("\nci summary:\n{steps}");
    result
}

impl CiStep {
    /// What the step runs, as a command line or in words.
    pub fn describe(&self) -> String {
        match &self.check {
            Check::Cargo { args, rustdoc_deny } => {
                let env = if *rustdoc_deny {
                    "RUSTDOCFLAGS=-D warnings "
                } else {
                    ""
                };
                format!("{env}cargo {}", args.join(" "))
            }
            Check::FeatureAlone {
                feature,
                included,
                excluded,
            } => format!(
                "cargo tree -e normal --package {FACADE} --no-default-features --features {feature} has {included}, not {excluded}"
            ),
            Check::PublishMetadata => "every publishable crate has crates.io metadata".to_owned(),
            Check::Changelog => format!("{} follows Keep a Changelog", changelog::FILE),
            Check::Package => "cargo package --allow-dirty for every publishable crate".to_owned(),
        }
    }

    fn run(&self, root: &Path) -> Result<()> {
        match &self.check {
            Check::Cargo { args, rustdoc_deny } => {
                let mut cargo = command::cargo(root);
                cargo.args(args);
                if *rustdoc_deny {
                    let flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
                    cargo.env("RUSTDOCFLAGS", format!("{flags} -D warnings").trim_start());
                }
                command::run(&mut cargo)
            }
            Check::FeatureAlone {
                feature,
                included,
                excluded,
            } => {
                let tree = command::stdout(command::cargo(root).args([
                    "tree",
                    "--edges",
                    "normal",
                    "--package",
                    FACADE,
                    "--no-default-features",
                    "--features",
                    feature,
                    "--prefix",
                    "none",
                    "--format",
                    "{p}",
                ]))?;
                check_tree(&tree, feature, included, excluded)
            }
            Check::PublishMetadata => {
                let problems = publish_metadata::check(&Workspace::load(root)?);
                if problems.is_empty() {
                    return Ok(());
                }
                for problem in &problems {
                    println!("  {problem}");
                }
                bail!("{} crates are not ready to publish", problems.len())
            }
            Check::Changelog => changelog::check_file(root),
            Check::Package => {
                let workspace = Workspace::load(root)?;
                let order = publish_order(&workspace.crate_graph())?;
                package::CargoPackager::new(root).package(&order)
            }
        }
    }
}

/// `tree` is `cargo tree --prefix none --format {p}` output: one `name version (source)` per line.
fn check_tree(tree: &str, feature: &str, included: &str, excluded: &str) -> Result<()> {
    let has = |name: &str| {
        tree.lines()
            .any(|line| line.split_whitespace().next() == Some(name))
    };
    if has(excluded) {
        bail!("{FACADE} with only `{feature}` depends on {excluded}");
    }
    if !has(included) {
        bail!("{FACADE} with `{feature}` does not depend on {included}");
    }
    println!("{FACADE} with only `{feature}`: {included}, no {excluded}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_cover_each_feature_alone_and_end_with_packaging() {
        let names: Vec<String> = steps(CiOptions::default())
            .into_iter()
            .map(|step| step.name)
            .collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy",
                "test",
                "doc",
                "clippy cartesia",
                "test cartesia",
                "doc cartesia",
                "clippy mirai",
                "test mirai",
                "doc mirai",
                "tree cartesia",
                "tree mirai",
                "publish metadata",
                "changelog",
                "package",
            ]
        );
        let skipped = steps(CiOptions { skip_package: true });
        assert!(skipped.iter().all(|step| step.name != "package"));
        let doc = &steps(CiOptions::default())[6];
        assert_eq!(
            doc.describe(),
            "RUSTDOCFLAGS=-D warnings cargo doc --package calls-facade --no-default-features --features cartesia --no-deps"
        );
    }

    #[test]
    fn the_tree_check_looks_at_crate_names_only() {
        let tree = "calls-facade v0.1.0 (/w/crates/calls-facade)\ncall-core v0.1.0 (/w/crates/call-core)\ncartesia-calls v0.1.0 (/w/crates/cartesia-calls)\nmirai-calls-extra v1.0.0\n";
        check_tree(tree, "cartesia", "cartesia-calls", "mirai-calls").unwrap();
        let both = format!("{tree}mirai-calls v0.1.0 (/w/crates/mirai-calls)\n");
        assert!(check_tree(&both, "cartesia", "cartesia-calls", "mirai-calls").is_err());
        assert!(check_tree(tree, "mirai", "mirai-calls", "cartesia-calls").is_err());
    }
}
