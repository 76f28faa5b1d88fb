//! ARCHITECTURE.md held against the tree, in the spirit of rust-analyzer's tidy tests: a map that names a file
//! that is gone, or leaves out a crate or a module, fails here rather than in a reader's hands.
//!
//! A path is a code span that looks like one: it ends in `.rs`, `.toml`, `.md` or `/`, or starts with the first
//! component of a workspace member (`crates/`, `xtask`, ...). In the code map it is a path from the repository root,
//! exactly; elsewhere a tail of one is enough (`http/mod.rs`, `*/terminate.rs`), with `*` standing for any part of
//! one component.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

/// The heading of the section whose paths must be exact.
const CODE_MAP: &str = "## Code map";

/// Directories that are build output or version control, not source.
const NOT_SOURCE: [&str; 2] = ["target", ".git"];

/// The workspace root: the parent of xtask's own directory.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// The workspace members, as the root `Cargo.toml` lists them (`crates/call-core`, `xtask`, ...).
fn members(root: &Path) -> Vec<String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("the root Cargo.toml");
    let manifest: DocumentMut = manifest.parse().expect("the root Cargo.toml parses");
    let members = manifest["workspace"]["members"]
        .as_array()
        .expect("`workspace.members` is an array");
    members
        .iter()
        .map(|member| {
            member
                .as_str()
                .expect("each member is a string")
                .trim_end_matches('/')
                .to_owned()
        })
        .collect()
}

/// One code span of ARCHITECTURE.md.
struct Span {
    line: usize,
    in_code_map: bool,
    text: String,
}

/// The inline code spans of `markdown`, fenced blocks left out, each with its line and whether it is in the code
/// map.
fn code_spans(markdown: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut fenced = false;
    let mut in_code_map = false;
    for (index, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.starts_with("## ") {
            in_code_map = line.trim_end() == CODE_MAP;
        }
        let pieces: Vec<&str> = line.split('`').collect();
        // Odd pieces are inside backticks; an unclosed one at the end is not a span.
        let closed = pieces.len() - (pieces.len() + 1) % 2;
        for piece in pieces.iter().take(closed).skip(1).step_by(2) {
            spans.push(Span {
                line: index + 1,
                in_code_map,
                text: (*piece).to_owned(),
            });
        }
    }
    spans
}

/// Whether a code span names a path in the repository, rather than a type, a route or a command.
fn is_path(text: &str, tops: &BTreeSet<String>) -> bool {
    let charset = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./*".contains(c));
    if text.is_empty() || !charset || text.starts_with('/') || text.starts_with('.') {
        return false;
    }
    let first = text.split('/').next().unwrap_or_default();
    [".rs", ".toml", ".md", "/"]
        .iter()
        .any(|end| text.ends_with(end))
        || (text.contains('/') && tops.contains(first))
}

/// Every file and directory under `dir`, as paths from `root` joined by `/`, directories with a trailing `/`.
fn tree(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("a readable directory")
        .map(|entry| entry.expect("a readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if NOT_SOURCE.contains(&name) {
            continue;
        }
        let relative = relative(root, &path);
        if path.is_dir() {
            out.push(format!("{relative}/"));
            tree(root, &path, out);
        } else {
            out.push(relative);
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).expect("a path under the root");
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&at| tail.is_char_boundary(at))
                .any(|at| glob(rest, &tail[at..]))
        }
    }
}

/// Whether `span` names the tail of `entry` (both `/`-joined, a directory with a trailing `/`).
fn names_tail_of(span: &str, entry: &str) -> bool {
    if span.ends_with('/') != entry.ends_with('/') {
        return false;
    }
    let wanted: Vec<&str> = span.trim_end_matches('/').split('/').collect();
    let parts: Vec<&str> = entry.trim_end_matches('/').split('/').collect();
    parts.len() >= wanted.len()
        && parts[parts.len() - wanted.len()..]
            .iter()
            .zip(&wanted)
            .all(|(part, pattern)| glob(pattern, part))
}

/// Where ARCHITECTURE.md's code spans name a path that the tree does not have: `line: span (why)`.
fn stale_paths(markdown: &str, root: &Path, members: &[String]) -> Vec<String> {
    let tops: BTreeSet<String> = members
        .iter()
        .filter_map(|member| member.split('/').next())
        .map(str::to_owned)
        .collect();
    let mut entries = Vec::new();
    tree(root, root, &mut entries);
    let mut stale = Vec::new();
    for span in code_spans(markdown) {
        let text = span.text.as_str();
        if !is_path(text, &tops) {
            continue;
        }
        let exact = !text.contains('*') && {
            let path = root.join(text.trim_end_matches('/'));
            if text.ends_with('/') {
                path.is_dir()
            } else {
                path.exists()
            }
        };
        if exact {
            continue;
        }
        let tail = entries.iter().any(|entry| names_tail_of(text, entry));
        let why = match (span.in_code_map, tail) {
            (false, true) => continue,
            (true, true) => "the code map names paths in full, from the repository root",
            (_, false) => "no path in the tree ends with it",
        };
        stale.push(format!("line {}: `{text}` ({why})", span.line));
    }
    stale
}

/// The paths ARCHITECTURE.md must name: each member's directory, and each `.rs` file and directory right under its
/// `src/` (for a member without `src/`, such as `tests`, right under the member, directories holding Rust only).
fn required_paths(root: &Path, members: &[String]) -> Vec<String> {
    let mut required = Vec::new();
    for member in members {
        required.push(member.clone());
        let src = root.join(member).join("src");
        let (dir, any_dir) = if src.is_dir() {
            (src, true)
        } else {
            (root.join(member), false)
        };
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .expect("a readable member directory")
            .map(|entry| entry.expect("a readable entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            if NOT_SOURCE.contains(&name) {
                continue;
            }
            let holds_rust = || {
                fs::read_dir(&path).is_ok_and(|mut inner| {
                    inner.any(|entry| {
                        entry.is_ok_and(|entry| {
                            entry.path().extension().is_some_and(|ext| ext == "rs")
                        })
                    })
                })
            };
            if path.is_dir() && (any_dir || holds_rust()) {
                required.push(format!("{}/", relative(root, &path)));
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                required.push(relative(root, &path));
            }
        }
    }
    required
}

/// The required paths no code span of ARCHITECTURE.md names (a directory may be named with or without its `/`).
fn missing_paths(markdown: &str, root: &Path, members: &[String]) -> Vec<String> {
    let named: BTreeSet<String> = code_spans(markdown)
        .into_iter()
        .map(|span| span.text.trim_end_matches('/').to_owned())
        .collect();
    required_paths(root, members)
        .into_iter()
        .filter(|path| !named.contains(path.trim_end_matches('/')))
        .collect()
}

fn architecture(root: &Path) -> String {
    fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md at the workspace root")
}

#[test]
fn every_path_architecture_names_exists() {
    let root = root();
    let stale = stale_paths(&architecture(&root), &root, &members(&root));
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md names {} path(s) the tree does not have; fix or drop them:\n  {}",
        stale.len(),
        stale.join("\n  ")
    );
}

#[test]
fn the_code_map_names_every_crate_and_module() {
    let root = root();
    let missing = missing_paths(&architecture(&root), &root, &members(&root));
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name {} crate(s) or module(s); add each, by its path from the repository root, \
         to the code map:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn spans_are_told_from_paths_and_tails_resolve() {
    let tops: BTreeSet<String> = ["crates", "xtask"].map(str::to_owned).into();
    for path in [
        "crates/call-core",
        "xtask/src/soak.rs",
        "http/",
        "Cargo.toml",
        "campaign*.rs",
    ] {
        assert!(is_path(path, &tops), "{path} is a path");
    }
    for other in [
        "a/b",
        "../agents",
        "/_sim/cartesia/summary",
        "x?y=1",
        "CallId",
        "t=...,v1=...",
    ] {
        assert!(!is_path(other, &tops), "{other} is not a path");
    }
    assert!(names_tail_of(
        "*/terminate.rs",
        "crates/mirai-calls/src/v2/terminate.rs"
    ));
    assert!(names_tail_of(
        "campaign*.rs",
        "crates/mirai-calls/src/v2/campaign_id.rs"
    ));
    assert!(names_tail_of("v2/", "crates/mirai-calls/src/v2/"));
    assert!(!names_tail_of("v2/", "crates/mirai-calls/src/v2.rs"));
    assert!(!names_tail_of(
        "lenient_enum.rs",
        "crates/mirai-calls/src/lenient.rs"
    ));
    let spans = code_spans(
        "## Code map\n`a.rs` and `b/`\n```text\n`c.rs`\n```\n## Other\n`d.md`, `unclosed\n",
    );
    let seen: Vec<(usize, bool, &str)> = spans
        .iter()
        .map(|span| (span.line, span.in_code_map, span.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        [(2, true, "a.rs"), (2, true, "b/"), (7, false, "d.md")]
    );
}
