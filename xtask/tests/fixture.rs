//! xtask on a copy of `tests/fixtures/workspace`: fixture-a needs fixture-b, which needs fixture-c, and
//! fixture-tool is not published. Nothing here touches the network: the registry and `cargo package` are
//! fakes, git runs on temporary repositories.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use jiff::civil::Date;
use semver::Version;
use xtask::changelog;
use xtask::file_edit::FileEdit;
use xtask::git::Git;
use xtask::package::Packager;
use xtask::publish_metadata;
use xtask::publish_order::publish_order;
use xtask::registry::{PublishWait, Registry};
use xtask::release::{self, Action, Plan, ReleaseOptions, Tools};
use xtask::version_bump;
use xtask::version_request::VersionRequest;
use xtask::workspace::Workspace;

const A: &str = "fixture-a";
const B: &str = "fixture-b";
const C: &str = "fixture-c";

/// A private copy of the fixture, removed when dropped.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "xtask-fixture-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace"),
            &dir,
        );
        Self { dir }
    }

    /// The fixture as the first commit of a fresh repository on `main`.
    fn with_git() -> Self {
        let fixture = Self::new();
        fixture.git(&["init", "--quiet", "--initial-branch=main"]);
        fixture.git(&["config", "user.name", "Release Test"]);
        fixture.git(&["config", "user.email", "release@example.invalid"]);
        fixture.git(&["config", "commit.gpgsign", "false"]);
        fixture.git(&["config", "tag.gpgsign", "false"]);
        fixture.git(&["add", "--all"]);
        fixture.git(&["commit", "--quiet", "-m", "Start the fixture"]);
        fixture
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.path(relative), text).unwrap();
    }

    fn replace(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} has no `{from}`");
        self.write(relative, &text.replace(from, to));
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(&self.dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn workspace(&self) -> Workspace {
        Workspace::load(&self.dir).unwrap()
    }

    /// The fixture's own target directory, for every cargo command that builds it. Whatever the caller's setup
    /// (`CARGO_TARGET_DIR`, `build.target-dir` in a cargo config, a target directory shared by several
    /// workspaces), the fixture is built in its copy and nowhere else: packaging empties `<target>/package` and
    /// cleans the packaged crates, which must never touch the caller's directory, and the tests look for what cargo
    /// wrote there. `CARGO_TARGET_DIR` outranks every config file.
    fn target_dir(&self) -> PathBuf {
        self.path("target")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A registry in memory that can be told to fail one upload, or to never show what it was sent.
#[derive(Debug)]
struct FakeRegistry {
    /// The version `publish` uploads, as the manifests on disk would say.
    version: Version,
    published: RefCell<BTreeSet<(String, Version)>>,
    uploads: RefCell<Vec<String>>,
    fail_on: Option<&'static str>,
    never_shows: bool,
}

impl FakeRegistry {
    fn new(version: &str) -> Self {
        Self {
            version: Version::parse(version).unwrap(),
            published: RefCell::default(),
            uploads: RefCell::default(),
            fail_on: None,
            never_shows: false,
        }
    }

    fn with(self, name: &str, version: &str) -> Self {
        self.published
            .borrow_mut()
            .insert((name.to_owned(), Version::parse(version).unwrap()));
        self
    }

    fn uploads(&self) -> Vec<String> {
        self.uploads.borrow().clone()
    }
}

impl Registry for FakeRegistry {
    fn is_published(&self, name: &str, version: &Version) -> Result<bool> {
        Ok(self
            .published
            .borrow()
            .contains(&(name.to_owned(), version.clone())))
    }

    fn publish(&self, name: &str) -> Result<()> {
        if self.fail_on == Some(name) {
            bail!("the registry refused {name}");
        }
        self.uploads.borrow_mut().push(name.to_owned());
        if !self.never_shows {
            self.published
                .borrow_mut()
                .insert((name.to_owned(), self.version.clone()));
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct FakePackager {
    runs: RefCell<Vec<Vec<String>>>,
}

impl Packager for FakePackager {
    fn package(&self, crates: &[String]) -> Result<()> {
        self.runs.borrow_mut().push(crates.to_vec());
        Ok(())
    }
}

fn tools<'a>(git: &'a Git, registry: &'a FakeRegistry, packager: &'a FakePackager) -> Tools<'a> {
    Tools {
        git,
        registry,
        packager,
        wait: PublishWait {
            timeout: Duration::ZERO,
            interval: Duration::ZERO,
        },
    }
}

fn options(request: &str) -> ReleaseOptions {
    ReleaseOptions {
        request: request.parse::<VersionRequest>().unwrap(),
        date: Date::constant(2026, 3, 4),
    }
}

/// The plan's steps in a few words each, for comparing with what a test expects.
fn steps(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .map(|action| match action {
            Action::Edit(edit) => format!(
                "edit {}",
                edit.path().file_name().unwrap().to_string_lossy()
            ),
            Action::Relock => "relock".to_owned(),
            Action::Package(crates) => format!("package {}", crates.join(" ")),
            Action::Commit(message) => format!("commit {message}"),
            Action::Tag { name, .. } => format!("tag {name}"),
            Action::Publish(name) => format!("publish {name}"),
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[test]
fn the_bump_is_lockstep_and_keeps_comments_and_layout() {
    let fixture = Fixture::new();
    let before = fixture.read("Cargo.toml");
    let edits = version_bump::plan(
        &fixture.workspace(),
        &Version::new(0, 1, 0),
        &Version::new(0, 2, 0),
    )
    .unwrap();
    let changed: Vec<PathBuf> = edits.iter().map(|edit| edit.path().to_path_buf()).collect();
    // fixture-a and fixture-tool inherit the version and name members only through the workspace.
    assert_eq!(
        changed,
        [
            fixture.path("Cargo.toml"),
            fixture.path("crates/b/Cargo.toml"),
            fixture.path("crates/c/Cargo.toml")
        ]
    );
    edits.iter().try_for_each(FileEdit::write).unwrap();

    let root = fixture.read("Cargo.toml");
    assert_eq!(
        root,
        before
            .replace(
                "version = \"0.1.0\" # bumped",
                "version = \"0.2.0\" # bumped"
            )
            .replace("version = \"0.1.0\" }", "version = \"0.2.0\" }")
            .replace("\"=0.1.0\"", "\"=0.2.0\""),
        "only the three versions change"
    );
    assert!(root.contains("# This comment must survive a release.\n"));
    assert!(root.contains(
        "fixture-c = { path = \"crates/c\", version = \"=0.2.0\", default-features = false }"
    ));
    let b = fixture.read("crates/b/Cargo.toml");
    assert!(b.contains("# A member-level requirement on another member, bumped too.\nfixture-c = { path = \"../c\", version = \"0.2.0\" }"));
    assert!(
        b.contains("fixture-a = { path = \"../a\" }"),
        "a requirement without version stays without"
    );

    let workspace = fixture.workspace();
    for member in workspace.members() {
        assert_eq!(member.version, Version::new(0, 2, 0), "{}", member.name);
    }
    assert_eq!(
        version_bump::workspace_version(&fixture.dir).unwrap(),
        Version::new(0, 2, 0)
    );
}

#[test]
fn a_publishable_crate_off_the_workspace_version_stops_the_bump() {
    let fixture = Fixture::new();
    fixture.replace(
        "crates/c/Cargo.toml",
        "version = \"0.1.0\"",
        "version = \"0.5.0\"",
    );
    let error = version_bump::plan(
        &fixture.workspace(),
        &Version::new(0, 1, 0),
        &Version::new(0, 2, 0),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("fixture-c has version 0.5.0"),
        "{error}"
    );
}

#[test]
fn the_changelog_moves_unreleased_and_refuses_an_empty_one() {
    let fixture = Fixture::new();
    let text = fixture.read(changelog::FILE);
    assert_eq!(changelog::check(&text), []);

    let released =
        changelog::release(&text, &Version::new(0, 2, 0), Date::constant(2026, 3, 4)).unwrap();
    assert!(released.text.contains(
        "## [Unreleased]\n\n## [0.2.0] - 2026-03-04\n\n### Added\n\n- A `fixture-a` function.\n\n### Fixed\n"
    ));
    assert!(released.text.contains(
        "[Unreleased]: https://example.invalid/fixture/compare/v0.2.0...HEAD\n\
         [0.2.0]: https://example.invalid/fixture/compare/v0.1.0...v0.2.0\n\
         [0.1.0]: https://example.invalid/fixture/releases/tag/v0.1.0\n"
    ));
    assert_eq!(changelog::check(&released.text), []);

    let again = changelog::release(
        &released.text,
        &Version::new(0, 2, 1),
        Date::constant(2026, 3, 5),
    );
    assert!(again.unwrap_err().to_string().contains("no entries"));
}

#[test]
fn the_publish_order_puts_dependencies_first() {
    let fixture = Fixture::new();
    // Names alone would say a, b, c; b's dev-dependency on a is no cycle; the tool is not published.
    assert_eq!(
        publish_order(&fixture.workspace().crate_graph()).unwrap(),
        [C, B, A]
    );
}

#[test]
fn a_dependency_cycle_is_an_error_naming_its_crates() {
    let fixture = Fixture::new();
    fixture.replace(
        "crates/c/Cargo.toml",
        "[features]",
        "[dependencies]\nfixture-a = { path = \"../a\", version = \"0.1.0\" }\n\n[features]",
    );
    let error = publish_order(&fixture.workspace().crate_graph()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "dependency cycle among fixture-a, fixture-b, fixture-c"
    );
}

#[test]
fn a_publishable_crate_may_not_depend_on_an_unpublishable_one() {
    let fixture = Fixture::new();
    fixture.replace(
        "crates/tool/Cargo.toml",
        "fixture-a = { path = \"../a\" }",
        "",
    );
    fixture.replace(
        "crates/a/Cargo.toml",
        "fixture-b.workspace = true",
        "fixture-b.workspace = true\nfixture-tool = { path = \"../tool\", version = \"0.1.0\" }",
    );
    let error = publish_order(&fixture.workspace().crate_graph()).unwrap_err();
    assert!(
        error.to_string().contains("fixture-a -> fixture-tool"),
        "{error}"
    );
}

#[test]
fn the_metadata_check_reports_every_missing_field_at_once() {
    let fixture = Fixture::new();
    assert_eq!(publish_metadata::check(&fixture.workspace()), []);

    fixture.replace(
        "crates/c/Cargo.toml",
        "description = \"Bottom of the fixture chain.\"\n",
        "",
    );
    fixture.replace("crates/c/Cargo.toml", "keywords = [\"fixture\"]\n", "");
    fixture.replace("crates/c/Cargo.toml", "repository.workspace = true\n", "");
    std::fs::remove_file(fixture.path("crates/b/README.md")).unwrap();
    fixture.replace(
        "crates/a/Cargo.toml",
        "keywords = [\"fixture\"]",
        "keywords = [\"one\", \"two\", \"three\", \"four\", \"five\", \"six\"]",
    );
    // A tool that forgot `publish = false` and has no metadata either.
    fixture.replace(
        "crates/tool/Cargo.toml",
        "description = \"Workspace tooling, never published.\"\n",
        "",
    );
    fixture.replace("crates/tool/Cargo.toml", "publish = false\n", "");

    let problems = publish_metadata::check(&fixture.workspace());
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "fixture-a: 6 keywords, crates.io takes at most 5",
            "fixture-b: readme README.md does not exist",
            "fixture-c: no description; no repository; no keywords",
            "fixture-tool: neither crates.io metadata (description, readme, keywords, categories) nor `publish = false`",
        ]
    );
}

#[test]
fn a_dry_run_plans_every_step_and_changes_nothing() {
    let fixture = Fixture::with_git();
    let registry = FakeRegistry::new("0.2.0");
    let packager = FakePackager::default();
    let git = Git::new(&fixture.dir);
    let plan = release::plan(
        &fixture.dir,
        &options("minor"),
        tools(&git, &registry, &packager),
    )
    .unwrap();

    assert_eq!(plan.version, Version::new(0, 2, 0));
    assert_eq!(plan.order, [C, B, A]);
    assert_eq!(
        steps(&plan),
        strings(&[
            "edit Cargo.toml",
            "edit Cargo.toml",
            "edit Cargo.toml",
            "edit CHANGELOG.md",
            "relock",
            "package fixture-c fixture-b fixture-a",
            "commit Release 0.2.0",
            "tag v0.2.0",
            "publish fixture-c",
            "publish fixture-b",
            "publish fixture-a",
        ])
    );
    let shown = plan.to_string();
    assert!(shown.contains("release 0.1.0 -> 0.2.0\n"), "{shown}");
    assert!(shown.contains("+ ## [0.2.0] - 2026-03-04"), "{shown}");
    assert!(
        shown.contains("- version = \"0.1.0\" # bumped in lockstep"),
        "{shown}"
    );
    assert_eq!(fixture.git(&["status", "--porcelain"]), "");
    assert!(registry.uploads().is_empty());
    assert!(packager.runs.borrow().is_empty());
}

#[test]
fn a_release_needs_main_a_clean_tree_and_unreleased_entries() {
    let fixture = Fixture::with_git();
    let registry = FakeRegistry::new("0.2.0");
    let packager = FakePackager::default();
    let git = Git::new(&fixture.dir);
    let plan = |request: &str| {
        release::plan(
            &fixture.dir,
            &options(request),
            tools(&git, &registry, &packager),
        )
    };

    fixture.write("notes.txt", "work in progress");
    assert!(plan("patch").unwrap_err().to_string().contains("not clean"));
    std::fs::remove_file(fixture.path("notes.txt")).unwrap();

    fixture.git(&["checkout", "--quiet", "-b", "feature"]);
    assert!(
        plan("patch")
            .unwrap_err()
            .to_string()
            .contains("this is `feature`")
    );
    fixture.git(&["checkout", "--quiet", "main"]);

    fixture.replace(changelog::FILE, "- A `fixture-a` function.\n", "");
    fixture.replace(changelog::FILE, "- An off-by-one in `fixture-c`.\n", "");
    fixture.git(&["commit", "--quiet", "-am", "Empty the changelog"]);
    assert!(
        plan("patch")
            .unwrap_err()
            .to_string()
            .contains("no entries")
    );
}

#[test]
fn a_half_done_release_resumes_where_it_stopped() {
    let fixture = Fixture::with_git();
    let git = Git::new(&fixture.dir);
    let packager = FakePackager::default();

    // First run: bumped, committed and tagged, fixture-c published, then the registry refuses fixture-b.
    let first = FakeRegistry {
        fail_on: Some(B),
        ..FakeRegistry::new("0.2.0")
    };
    let plan = release::plan(
        &fixture.dir,
        &options("0.2.0"),
        tools(&git, &first, &packager),
    )
    .unwrap();
    let error = release::execute(&plan, tools(&git, &first, &packager)).unwrap_err();
    assert!(
        format!("{error:#}").contains("release 0.2.0 --execute"),
        "{error:#}"
    );
    assert_eq!(first.uploads(), [C]);
    assert_eq!(fixture.git(&["log", "-1", "--format=%s"]), "Release 0.2.0");
    assert_eq!(
        fixture.git(&["status", "--porcelain"]),
        "",
        "Cargo.lock and every edit are committed"
    );
    assert!(
        fixture
            .read("Cargo.lock")
            .contains("name = \"fixture-a\"\nversion = \"0.2.0\"")
    );
    assert!(
        fixture
            .read(changelog::FILE)
            .contains("## [0.2.0] - 2026-03-04")
    );
    let tagged = fixture.git(&["rev-parse", "v0.2.0^{commit}"]);
    let commits = fixture.git(&["rev-list", "--count", "HEAD"]);

    // A level would start 0.2.1 on top of an unfinished 0.2.0: refused.
    let registry = FakeRegistry::new("0.2.0").with(C, "0.2.0");
    let error = release::plan(
        &fixture.dir,
        &options("patch"),
        tools(&git, &registry, &packager),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("release 0.2.0 is not finished"),
        "{error}"
    );

    // Second run, same version: the registry has fixture-c; no bump, commit or tag again.
    let plan = release::plan(
        &fixture.dir,
        &options("0.2.0"),
        tools(&git, &registry, &packager),
    )
    .unwrap();
    assert_eq!(
        steps(&plan),
        strings(&[
            "package fixture-c fixture-b fixture-a",
            "publish fixture-b",
            "publish fixture-a"
        ])
    );
    assert_eq!(
        plan.done,
        strings(&[
            "bumped to 0.2.0 and committed `Release 0.2.0`",
            "tagged v0.2.0",
            "published fixture-c 0.2.0",
        ])
    );
    release::execute(&plan, tools(&git, &registry, &packager)).unwrap();
    assert_eq!(registry.uploads(), [B, A]);
    assert_eq!(fixture.git(&["rev-parse", "v0.2.0^{commit}"]), tagged);
    assert_eq!(fixture.git(&["rev-list", "--count", "HEAD"]), commits);
    assert_eq!(fixture.git(&["tag", "--list"]), "v0.2.0");

    // Third run: nothing left.
    let plan = release::plan(
        &fixture.dir,
        &options("0.2.0"),
        tools(&git, &registry, &packager),
    )
    .unwrap();
    assert_eq!(steps(&plan), Vec::<String>::new());
    assert!(plan.to_string().contains("nothing left to do"));
}

#[test]
fn a_commit_without_its_tag_is_tagged_on_the_rerun() {
    let fixture = Fixture::with_git();
    let git = Git::new(&fixture.dir);
    let packager = FakePackager::default();
    let registry = FakeRegistry::new("0.2.0");
    let plan = release::plan(
        &fixture.dir,
        &options("0.2.0"),
        tools(&git, &registry, &packager),
    )
    .unwrap();
    // Run up to the commit only, as if the tag step had been interrupted.
    let mut until_commit = plan.clone();
    until_commit.actions = plan
        .actions
        .iter()
        .take_while(|action| !matches!(action, Action::Tag { .. }))
        .cloned()
        .collect();
    release::execute(&until_commit, tools(&git, &registry, &packager)).unwrap();

    let plan = release::plan(
        &fixture.dir,
        &options("0.2.0"),
        tools(&git, &registry, &packager),
    )
    .unwrap();
    assert_eq!(
        steps(&plan),
        strings(&[
            "package fixture-c fixture-b fixture-a",
            "tag v0.2.0",
            "publish fixture-c",
            "publish fixture-b",
            "publish fixture-a",
        ])
    );
}

#[test]
fn a_crate_that_never_shows_in_the_registry_stops_the_release() {
    let fixture = Fixture::with_git();
    let git = Git::new(&fixture.dir);
    let packager = FakePackager::default();
    let registry = FakeRegistry {
        never_shows: true,
        ..FakeRegistry::new("0.2.0")
    };
    let plan = release::plan(
        &fixture.dir,
        &options("minor"),
        tools(&git, &registry, &packager),
    )
    .unwrap();
    let error = release::execute(&plan, tools(&git, &registry, &packager)).unwrap_err();
    assert!(
        format!("{error:#}").contains("did not show in the registry"),
        "{error:#}"
    );
    // fixture-b was not sent before fixture-c, which it needs, could be seen.
    assert_eq!(registry.uploads(), [C]);
}

#[test]
fn cargo_package_verifies_each_crate_against_the_unpublished_others() {
    let fixture = Fixture::new();
    let order = publish_order(&fixture.workspace().crate_graph()).unwrap();
    let output = xtask::package::command(&fixture.dir, &order)
        .env("CARGO_TARGET_DIR", fixture.target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let packages = fixture.target_dir().join("package");
    for name in [C, B, A] {
        assert!(
            packages.join(format!("{name}-0.1.0.crate")).is_file(),
            "{stderr}"
        );
    }
    assert!(!packages.join("fixture-tool-0.1.0.crate").exists());
}

#[test]
fn a_second_packaging_of_the_same_version_verifies_the_new_sources() {
    // Cargo keeps what it unpacked and built of a registry package by version, and packaging publishes the members
    // to a throwaway registry at the same path each time: without the packager's clean-up, the second run built
    // fixture-b against the first run's fixture-c, which lacks `added_later`.
    use xtask::package::CargoPackager;
    let fixture = Fixture::new();
    let order = publish_order(&fixture.workspace().crate_graph()).unwrap();
    let packager = CargoPackager::new(&fixture.dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", &fixture.target_dir().to_string_lossy());
    packager.package(&order).unwrap();
    fixture.write(
        "crates/c/src/lib.rs",
        "//! Fixture crate c.\n\n/// Added after the first packaging.\npub fn added_later() -> u8 {\n    7\n}\n",
    );
    fixture.write(
        "crates/b/src/lib.rs",
        "//! Fixture crate b.\n\n/// Needs what c gained.\npub fn uses_it() -> u8 {\n    fixture_c::added_later()\n}\n",
    );
    packager.package(&order).unwrap();
    let unpacked = fixture
        .target_dir()
        .join("package/fixture-b-0.1.0/src/lib.rs");
    assert!(
        std::fs::read_to_string(unpacked)
            .unwrap()
            .contains("added_later")
    );
}
