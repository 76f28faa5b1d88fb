//! The Keep a Changelog rules, checked line by line.

use std::collections::BTreeMap;
use std::fmt;

use semver::Version;

use super::line::{Line, classify};

/// The sections Keep a Changelog allows under a release, in its order.
pub const SECTIONS: [&str; 6] = [
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// One broken rule, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line the problem is on.
    pub line: usize,
    /// What is wrong, and how it should read.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Every problem in `text`; empty when it follows Keep a Changelog:
///
/// - the title is `# Changelog`, and comes first;
/// - `## [Unreleased]` is the first release section;
/// - every other release reads `## [X.Y.Z] - YYYY-MM-DD` (optionally followed by `[YANKED]`) with a real
///   date, versions descend and none repeats;
/// - the only sections are `### Added`, `Changed`, `Deprecated`, `Removed`, `Fixed` and `Security`, each
///   at most once per release, and every entry sits in one.
pub fn check(text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |line: usize, message: String| problems.push(Problem { line, message });

    let lines = classify(text);
    match text
        .lines()
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty())
    {
        Some((_, line)) if line.trim_end() == "# Changelog" => {}
        Some((index, _)) => report(
            index + 1,
            "the changelog must start with `# Changelog`".to_owned(),
        ),
        None => report(
            1,
            "the changelog is empty: it needs `# Changelog` and `## [Unreleased]`".to_owned(),
        ),
    }

    let mut seen_unreleased = false;
    let mut in_release = false;
    // Version, and the line it first appeared on.
    let mut versions: BTreeMap<Version, usize> = BTreeMap::new();
    let mut previous: Option<(Version, usize)> = None;
    let mut sections: BTreeMap<&str, usize> = BTreeMap::new();
    let mut in_section = false;
    let mut seen_title = false;

    for (number, line) in &lines {
        let number = *number;
        match *line {
            Line::Title(title) => {
                if seen_title {
                    report(
                        number,
                        format!("a second title `# {title}`: only `# Changelog` may use `#`"),
                    );
                }
                seen_title = true;
            }
            Line::Release { label, rest } => {
                in_release = true;
                in_section = false;
                sections.clear();
                if label.eq_ignore_ascii_case("unreleased") {
                    if label != "Unreleased" || !rest.trim().is_empty() {
                        report(number, "write the heading as `## [Unreleased]`".to_owned());
                    }
                    if seen_unreleased {
                        report(number, "a second `## [Unreleased]` section".to_owned());
                    } else if previous.is_some() {
                        report(
                            number,
                            "`## [Unreleased]` must come before every release".to_owned(),
                        );
                    }
                    seen_unreleased = true;
                    continue;
                }
                if !seen_unreleased && previous.is_none() {
                    report(
                        number,
                        "the first release section must be `## [Unreleased]`".to_owned(),
                    );
                }
                let Ok(version) = Version::parse(label) else {
                    report(
                        number,
                        format!(
                            "`{label}` is not a version: release headings read `## [X.Y.Z] - YYYY-MM-DD`"
                        ),
                    );
                    continue;
                };
                if let Err(message) = check_date(rest) {
                    report(number, message);
                }
                if let Some(first) = versions.get(&version) {
                    report(
                        number,
                        format!("version {version} appears twice (first on line {first})"),
                    );
                } else if let Some((above, above_line)) = &previous
                    && version > *above
                {
                    report(
                        number,
                        format!(
                            "version {version} is above {above} (line {above_line}): newest releases come first"
                        ),
                    );
                }
                versions.entry(version.clone()).or_insert(number);
                previous = Some((version, number));
            }
            Line::Section(name) => {
                in_section = true;
                if !in_release {
                    report(
                        number,
                        format!("`### {name}` is outside any release section"),
                    );
                } else if !SECTIONS.contains(&name) {
                    report(
                        number,
                        format!(
                            "`### {name}` is not a Keep a Changelog section ({})",
                            SECTIONS.join(", ")
                        ),
                    );
                } else if let Some(first) = sections.insert(name, number) {
                    report(
                        number,
                        format!(
                            "`### {name}` appears twice in one release (first on line {first})"
                        ),
                    );
                }
            }
            Line::Entry if in_release && !in_section => {
                report(
                    number,
                    format!(
                        "an entry outside any `###` section: put it under one of {}",
                        SECTIONS.join(", ")
                    ),
                );
            }
            Line::Subheading | Line::Entry | Line::Link { .. } | Line::Text => {}
        }
    }
    if !seen_unreleased {
        report(1, "there is no `## [Unreleased]` section".to_owned());
    }
    problems.sort_by_key(|problem| problem.line);
    problems
}

/// `rest` of a release heading: ` - YYYY-MM-DD`, maybe followed by ` [YANKED]`.
fn check_date(rest: &str) -> Result<(), String> {
    let shape = "release headings read `## [X.Y.Z] - YYYY-MM-DD`";
    let Some(rest) = rest.strip_prefix(" - ") else {
        return Err(format!("no date: {shape}"));
    };
    let date = rest.strip_suffix(" [YANKED]").unwrap_or(rest).trim_end();
    let well_formed = date.len() == 10
        && date.char_indices().all(|(index, c)| {
            if index == 4 || index == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(format!("`{date}` is not a YYYY-MM-DD date: {shape}"));
    }
    date.parse::<jiff::civil::Date>()
        .map(|_| ())
        .map_err(|_| format!("{date} is not a real date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# Changelog\n\nIntro text.\n\n## [Unreleased]\n\n### Added\n\n- Something.\n\n## [0.2.0] - 2026-02-28\n\n### Fixed\n\n- A bug.\n\n### Security\n\n- A hole.\n\n## [0.1.0] - 2024-02-29 [YANKED]\n\n### Added\n\n- The start.\n\n[Unreleased]: https://e/compare/v0.2.0...HEAD\n";

    fn problems(text: &str) -> Vec<(usize, String)> {
        check(text)
            .into_iter()
            .map(|problem| (problem.line, problem.message))
            .collect()
    }

    #[test]
    fn a_good_changelog_passes() {
        assert_eq!(problems(GOOD), []);
    }

    #[test]
    fn the_title_must_come_first() {
        let found = problems(&GOOD.replace("# Changelog", "# Change log"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 1);
        assert!(problems("").iter().any(|(line, _)| *line == 1));
    }

    #[test]
    fn unreleased_must_be_first_and_present() {
        let moved = "# Changelog\n## [0.1.0] - 2026-01-01\n### Added\n- x\n## [Unreleased]\n";
        let found = problems(moved);
        assert_eq!(
            found.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [2, 5],
            "{found:?}"
        );
        let missing = "# Changelog\n## [0.1.0] - 2026-01-01\n### Added\n- x\n";
        assert!(
            problems(missing)
                .iter()
                .any(|(_, message)| message.contains("[Unreleased]"))
        );
    }

    #[test]
    fn headings_need_a_version_and_a_real_date() {
        let text = "# Changelog\n## [Unreleased]\n## [v1.0] - 2026-01-01\n## [0.3.0]\n## [0.2.0] - 2026-13-01\n## [0.1.0] - 2025-02-29\n## [0.0.1] - 26-1-1\n";
        let lines: Vec<usize> = problems(text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
    }

    #[test]
    fn versions_descend_without_duplicates() {
        let text = "# Changelog\n## [Unreleased]\n## [0.2.0] - 2026-01-03\n## [0.3.0] - 2026-01-02\n## [0.2.0] - 2026-01-01\n";
        let found = problems(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 4);
        assert!(found[0].1.contains("above 0.2.0 (line 3)"));
        assert_eq!(found[1].0, 5);
        assert!(found[1].1.contains("twice (first on line 3)"));
    }

    #[test]
    fn only_standard_sections_once_each_with_entries_inside() {
        let text = "# Changelog\n### Added\n## [Unreleased]\n- loose\n### Added\n- x\n### Improved\n### Added\n```\n### Inside a fence\n```\n";
        let lines: Vec<usize> = problems(text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(lines, [2, 4, 7, 8]);
    }
}
