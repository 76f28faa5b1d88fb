//! `cargo xtask release`: one version for every crate, bumped, recorded, tagged and published in order.
//!
//! Like cargo-release it is a dry run unless given `--execute`, and prints the exact steps either way. Like
//! release-plz it asks the registry what is already there, so it can be run again after a failure: the plan is
//! made from what git and the registry say now, not from a record of an earlier run.
//!
//! A release of `X` goes through these states, and a rerun of `cargo xtask release X` picks up from any:
//!
//! 1. fresh: no `vX` tag and `HEAD` is not `Release X`. The tree must be clean. Plan: bump, move the
//!    changelog, refresh `Cargo.lock`, package, commit, tag, publish.
//! 2. committed: `HEAD` is `Release X`, no tag yet. Plan: package, tag, publish.
//! 3. tagged: the tag `vX` is `HEAD`. Plan: package, publish what the registry does not show yet.
//!
//! Publishing goes crate by crate in dependency order, waiting after each until the registry shows it, so
//! the next one resolves against it.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use jiff::civil::Date;
use semver::Version;

use crate::changelog;
use crate::command;
use crate::file_edit::FileEdit;
use crate::git::Git;
use crate::package::Packager;
use crate::publish_metadata;
use crate::publish_order::publish_order;
use crate::registry::{PublishWait, Registry};
use crate::version_bump;
use crate::version_request::VersionRequest;
use crate::workspace::Workspace;

/// The only branch releases are made from.
pub const BRANCH: &str = "main";

/// What to release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOptions {
    /// `patch`, `minor`, `major` or an exact version; an exact version equal to the workspace's resumes.
    pub request: VersionRequest,
    /// The date for the changelog heading.
    pub date: Date,
}

/// The outside world a release acts on.
#[derive(Debug, Clone, Copy)]
pub struct Tools<'a> {
    /// The repository.
    pub git: &'a Git,
    /// Where crates are published.
    pub registry: &'a dyn Registry,
    /// `cargo package`.
    pub packager: &'a dyn Packager,
    /// How long to wait for each crate to show in the registry.
    pub wait: PublishWait,
}

/// One step of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write a manifest or the changelog.
    Edit(FileEdit),
    /// `cargo update --workspace`, so `Cargo.lock` carries the new versions; then check every member has it.
    Relock,
    /// `cargo package` for these crates, in publish order.
    Package(Vec<String>),
    /// `git commit -am` with this message.
    Commit(String),
    /// `git tag -a` with this name and message.
    Tag {
        /// The tag, `vX.Y.Z`.
        name: String,
        /// Its message.
        message: String,
    },
    /// `cargo publish` for this crate, then wait until the registry shows it.
    Publish(String),
}

/// What a release will do, and what it found done already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    root: PathBuf,
    /// The workspace version before the release.
    pub current: Version,
    /// The version being released.
    pub version: Version,
    /// Every publishable crate, dependencies first.
    pub order: Vec<String>,
    /// Steps an earlier run already did, in words.
    pub done: Vec<String>,
    /// The steps left, in order.
    pub actions: Vec<Action>,
    /// Things to finish by hand.
    pub notes: Vec<String>,
}

/// Works out what releasing `options.request` takes from the state of the workspace, git and the registry.
/// It changes nothing.
///
/// # Errors
///
/// If the changelog or the publish metadata fail their checks, the branch is not [`BRANCH`], the tree is
/// not clean, the publish order cannot be made, the changelog has nothing unreleased, an earlier release is
/// half done, or git, cargo or the registry fail.
pub fn plan(root: &Path, options: &ReleaseOptions, tools: Tools<'_>) -> Result<Plan> {
    let workspace = Workspace::load(root)?;
    let root = workspace.root().to_path_buf();
    let changelog_path = root.join(changelog::FILE);
    let changelog_text = std::fs::read_to_string(&changelog_path)
        .with_context(|| format!("cannot read {}", changelog_path.display()))?;
    let problems = changelog::check(&changelog_text);
    if !problems.is_empty() {
        bail!(
            "{} breaks Keep a Changelog:\n{}",
            changelog::FILE,
            lines(&problems)
        );
    }
    let problems = publish_metadata::check(&workspace);
    if !problems.is_empty() {
        bail!("crates are not ready to publish:\n{}", lines(&problems));
    }
    let order = publish_order(&workspace.crate_graph())?;

    let git = tools.git;
    match git.current_branch()? {
        Some(branch) if branch == BRANCH => {}
        Some(branch) => bail!("releases are made from `{BRANCH}`, this is `{branch}`"),
        None => bail!("releases are made from `{BRANCH}`, HEAD is detached"),
    }
    let status = git.status()?;
    if !status.is_empty() {
        bail!(
            "the work tree is not clean; commit or stash first (a failed release's edits: `git checkout -- .`):\n{status}"
        );
    }

    let current = version_bump::workspace_version(&root)?;
    let version = options.request.next(&current)?;
    let tag = format!("v{version}");
    let message = format!("Release {version}");
    let head = git
        .commit_of("HEAD")?
        .ok_or_else(|| anyhow!("the repository has no commit"))?;
    let tagged = git.commit_of(&tag)?;
    let committed = git.head_subject()? == message;

    let mut plan = Plan {
        root: root.clone(),
        current: current.clone(),
        version: version.clone(),
        order: order.clone(),
        done: Vec::new(),
        actions: Vec::new(),
        notes: Vec::new(),
    };
    let fresh = match tagged {
        Some(commit) if commit != head => {
            bail!(
                "the tag {tag} exists on {commit}, but HEAD is {head}: a release publishes what its tag names"
            )
        }
        Some(_) => {
            plan.done
                .push(format!("bumped to {version} and committed `{message}`"));
            plan.done.push(format!("tagged {tag}"));
            false
        }
        None if committed => {
            plan.done
                .push(format!("bumped to {version} and committed `{message}`"));
            false
        }
        None => true,
    };
    if !fresh && version != current {
        bail!("HEAD releases {version} but the workspace is at {current}");
    }
    if fresh && version != current {
        refuse_half_done(git, tools.registry, &current, &order)?;
    }

    let mut unpublished = Vec::new();
    for name in &order {
        if tools.registry.is_published(name, &version)? {
            if fresh {
                bail!(
                    "{name} {version} is already in the registry, yet {version} was never released here"
                );
            }
            plan.done.push(format!("published {name} {version}"));
        } else {
            unpublished.push(name.clone());
        }
    }

    if fresh {
        plan.actions.extend(
            version_bump::plan(&workspace, &current, &version)?
                .into_iter()
                .map(Action::Edit),
        );
        let released = changelog::release(&changelog_text, &version, options.date)?;
        plan.notes.extend(released.notes);
        plan.actions.push(Action::Edit(FileEdit::new(
            changelog_path,
            changelog_text,
            released.text,
        )));
        if root.join("Cargo.lock").is_file() {
            plan.actions.push(Action::Relock);
        }
    }
    if !unpublished.is_empty() {
        plan.actions.push(Action::Package(order.clone()));
    }
    if fresh {
        plan.actions.push(Action::Commit(message.clone()));
    }
    if tagged.is_none() {
        plan.actions.push(Action::Tag { name: tag, message });
    }
    plan.actions
        .extend(unpublished.into_iter().map(Action::Publish));
    Ok(plan)
}

/// A new version must not be started while the current version's release commit or tag exists but some crate
/// of it is missing from the registry: that release should be finished first.
fn refuse_half_done(
    git: &Git,
    registry: &dyn Registry,
    current: &Version,
    order: &[String],
) -> Result<()> {
    let started = git.commit_of(&format!("v{current}"))?.is_some()
        || git.head_subject()? == format!("Release {current}");
    if !started {
        return Ok(());
    }
    for name in order {
        if !registry.is_published(name, current)? {
            bail!(
                "release {current} is not finished ({name} {current} is not in the registry): \
                 run `cargo xtask release {current} --execute` to finish it first"
            );
        }
    }
    Ok(())
}

/// Carries out `plan`, step by step.
///
/// # Errors
///
/// At the first step that fails; what was done stays done, and the error says how to go on.
pub fn execute(plan: &Plan, tools: Tools<'_>) -> Result<()> {
    for action in &plan.actions {
        if let Err(error) = run_action(plan, action, tools) {
            let how_on = match action {
                Action::Edit(_) | Action::Relock | Action::Package(_) => {
                    "nothing is committed: undo the edits with `git checkout -- .`, fix the cause, and release again"
                        .to_owned()
                }
                Action::Commit(_) | Action::Tag { .. } | Action::Publish(_) => format!(
                    "fix the cause, then `cargo xtask release {} --execute` goes on from here",
                    plan.version
                ),
            };
            return Err(error.context(format!("{} failed; {how_on}", action.describe(&plan.root))));
        }
    }
    Ok(())
}

fn run_action(plan: &Plan, action: &Action, tools: Tools<'_>) -> Result<()> {
    match action {
        Action::Edit(edit) => edit.write(),
        Action::Relock => {
            command::run(command::cargo(&plan.root).args(["update", "--workspace"]))?;
            let workspace = Workspace::load(&plan.root)?;
            for name in &plan.order {
                let member = workspace
                    .member(name)
                    .ok_or_else(|| anyhow!("{name} is no longer a workspace member"))?;
                if member.version != plan.version {
                    bail!(
                        "{name} is at {} after the bump, not {}",
                        member.version,
                        plan.version
                    );
                }
            }
            Ok(())
        }
        Action::Package(crates) => tools.packager.package(crates),
        Action::Commit(message) => tools.git.commit_all(message),
        Action::Tag { name, message } => tools.git.tag(name, message),
        Action::Publish(name) => {
            tools.registry.publish(name)?;
            tools
                .wait
                .until_published(tools.registry, name, &plan.version)
        }
    }
}

impl Action {
    /// The step in words, paths shown relative to `root`.
    pub fn describe(&self, root: &Path) -> String {
        match self {
            Self::Edit(edit) => format!("edit {}", relative(root, edit.path())),
            Self::Relock => {
                "cargo update --workspace (Cargo.lock), then check every crate has the new version"
                    .to_owned()
            }
            Self::Package(crates) => format!(
                "cargo package --allow-dirty {}",
                crates
                    .iter()
                    .map(|name| format!("--package {name}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Self::Commit(message) => format!("git commit -am \"{message}\""),
            Self::Tag { name, message } => format!("git tag -a {name} -m \"{message}\""),
            Self::Publish(name) => format!(
                "cargo publish --no-verify --package {name}, then wait until the registry shows it"
            ),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.current == self.version {
            writeln!(f, "release {}", self.version)?;
        } else {
            writeln!(f, "release {} -> {}", self.current, self.version)?;
        }
        writeln!(f, "publish order: {}", self.order.join(", "))?;
        for done in &self.done {
            writeln!(f, "done already: {done}")?;
        }
        if self.actions.is_empty() {
            writeln!(f, "nothing left to do: {} is released", self.version)?;
        }
        for (index, action) in self.actions.iter().enumerate() {
            writeln!(f, "{:>3}. {}", index + 1, action.describe(&self.root))?;
            if let Action::Edit(edit) = action {
                for line in edit.diff() {
                    writeln!(f, "       {line}")?;
                }
            }
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn lines<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| format!("  {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}
