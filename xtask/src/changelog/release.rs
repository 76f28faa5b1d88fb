//! Turning `## [Unreleased]` into a release section.

use anyhow::{Result, bail};
use jiff::civil::Date;
use semver::Version;

use super::line::{Line, classify};

/// A changelog after a release, and anything the maintainer should finish by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The new text.
    pub text: String,
    /// Things left undone, such as link references in a shape this tool does not know.
    pub notes: Vec<String>,
}

/// Moves the entries of `## [Unreleased]` under `## [version] - date`, leaving an empty `## [Unreleased]`
/// above it.
///
/// A link reference `[Unreleased]: <base>compare/<from>...HEAD` becomes `<base>compare/<tag>...HEAD`, and
/// `[version]: <base>compare/<from>...<tag>` is added below it; the tag is `v` and the version when `<from>`
/// starts with `v`.
///
/// # Errors
///
/// If there is no `## [Unreleased]` section, it has no entries (there is nothing to release), or the
/// changelog already has a section for `version`.
pub fn release(text: &str, version: &Version, date: Date) -> Result<Released> {
    let classified = classify(text);
    let mut unreleased = None;
    let mut end = None;
    for (index, (_, line)) in classified.iter().enumerate() {
        match (line, unreleased) {
            (Line::Release { label, .. }, _) if *label == version.to_string() => {
                bail!(
                    "CHANGELOG.md already has a section for {version} (line {})",
                    index + 1
                );
            }
            (Line::Release { label, .. }, None) if label.eq_ignore_ascii_case("unreleased") => {
                unreleased = Some(index);
            }
            (Line::Release { .. } | Line::Link { .. }, Some(_)) if end.is_none() => {
                end = Some(index)
            }
            _ => {}
        }
    }
    let Some(unreleased) = unreleased else {
        bail!("CHANGELOG.md has no `## [Unreleased]` section");
    };
    let end = end.unwrap_or(classified.len());
    let entries = classified[unreleased + 1..end]
        .iter()
        .filter(|(_, line)| *line == Line::Entry)
        .count();
    if entries == 0 {
        bail!("`## [Unreleased]` in CHANGELOG.md has no entries: there is nothing to release");
    }

    let mut notes = Vec::new();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Links come last in the file, so editing them first leaves the heading's index valid.
    let unreleased_link = classified
        .iter()
        .enumerate()
        .find_map(|(index, (_, line))| match line {
            Line::Link { label, url } if label.eq_ignore_ascii_case("unreleased") => {
                Some((index, *url))
            }
            _ => None,
        });
    if let Some((index, url)) = unreleased_link {
        match url.strip_suffix("...HEAD").and_then(|url| url.rsplit_once("compare/")) {
            Some((base, from)) => {
                let tag = if from.starts_with('v') {
                    format!("v{version}")
                } else {
                    version.to_string()
                };
                lines[index] = format!("[Unreleased]: {base}compare/{tag}...HEAD");
                lines.insert(index + 1, format!("[{version}]: {base}compare/{from}...{tag}"));
            }
            None => notes.push(format!(
                "CHANGELOG.md line {}: the [Unreleased] link does not end in `compare/<tag>...HEAD`; update the link references by hand",
                index + 1
            )),
        }
    }
    lines.splice(
        unreleased + 1..unreleased + 1,
        [String::new(), format!("## [{version}] - {date}")],
    );

    let mut text_out = lines.join("\n");
    if text.ends_with('\n') {
        text_out.push('\n');
    }
    Ok(Released {
        text: text_out,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changelog::check;

    const BEFORE: &str = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- New thing.\n\n## [0.1.0] - 2026-01-15\n\n### Added\n\n- Start.\n\n[Unreleased]: https://e/r/compare/v0.1.0...HEAD\n[0.1.0]: https://e/r/releases/tag/v0.1.0\n";

    fn date() -> Date {
        Date::constant(2026, 3, 4)
    }

    #[test]
    fn entries_move_under_the_new_version_and_links_follow() {
        let released = release(BEFORE, &Version::new(0, 2, 0), date()).unwrap();
        let expected = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-03-04\n\n### Added\n\n- New thing.\n\n## [0.1.0] - 2026-01-15\n\n### Added\n\n- Start.\n\n[Unreleased]: https://e/r/compare/v0.2.0...HEAD\n[0.2.0]: https://e/r/compare/v0.1.0...v0.2.0\n[0.1.0]: https://e/r/releases/tag/v0.1.0\n";
        assert_eq!(released.text, expected);
        assert_eq!(released.notes, Vec::<String>::new());
        assert_eq!(check(&released.text), []);
    }

    #[test]
    fn an_empty_unreleased_section_is_refused() {
        let empty = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n## [0.1.0] - 2026-01-15\n\n### Added\n\n- Start.\n";
        let message = release(empty, &Version::new(0, 2, 0), date())
            .unwrap_err()
            .to_string();
        assert!(message.contains("no entries"), "{message}");
    }

    #[test]
    fn a_version_is_released_once() {
        let message = release(BEFORE, &Version::new(0, 1, 0), date())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("already has a section for 0.1.0"),
            "{message}"
        );
    }

    #[test]
    fn the_first_release_works_without_links_and_odd_links_are_reported() {
        let first = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Everything.\n";
        let released = release(first, &Version::new(0, 1, 0), date()).unwrap();
        assert!(released.text.contains(
            "## [Unreleased]\n\n## [0.1.0] - 2026-03-04\n\n### Added\n\n- Everything.\n"
        ));

        let odd = format!("{first}\n[Unreleased]: https://e/r/commits/main\n");
        let released = release(&odd, &Version::new(0, 1, 0), date()).unwrap();
        assert!(
            released
                .text
                .ends_with("[Unreleased]: https://e/r/commits/main\n")
        );
        assert_eq!(released.notes.len(), 1);
    }
}
