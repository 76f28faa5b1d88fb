//! What each line of a changelog is, as far as Keep a Changelog cares.

/// One line of a changelog, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// `# Title`.
    Title(&'a str),
    /// `## …`: a release heading, valid or not; `label` is what stands in brackets (or the whole heading when
    /// there are none), `rest` what follows the closing bracket.
    Release { label: &'a str, rest: &'a str },
    /// `### Name`.
    Section(&'a str),
    /// `#### …` and deeper.
    Subheading,
    /// A list item, `- …` or `* …`, at any indent.
    Entry,
    /// `[label]: url`, a link reference definition.
    Link { label: &'a str, url: &'a str },
    /// Anything else, including everything inside fenced code blocks.
    Text,
}

/// Every line of `text` with its 1-based line number.
pub(crate) fn classify(text: &str) -> Vec<(usize, Line<'_>)> {
    let mut in_fence = false;
    text.lines()
        .enumerate()
        .map(|(index, line)| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
                return (index + 1, Line::Text);
            }
            if in_fence {
                return (index + 1, Line::Text);
            }
            (index + 1, classify_line(line))
        })
        .collect()
}

fn classify_line(line: &str) -> Line<'_> {
    if line.starts_with("####") {
        return Line::Subheading;
    }
    if let Some(name) = line.strip_prefix("### ") {
        return Line::Section(name.trim());
    }
    if let Some(heading) = line.strip_prefix("## ") {
        let heading = heading.trim();
        if let Some(inner) = heading.strip_prefix('[')
            && let Some((label, rest)) = inner.split_once(']')
        {
            return Line::Release { label, rest };
        }
        return Line::Release {
            label: heading,
            rest: "",
        };
    }
    if let Some(title) = line.strip_prefix("# ") {
        return Line::Title(title.trim());
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with("- ") || trimmed.starts_with("* ") || trimmed == "-" || trimmed == "*" {
        return Line::Entry;
    }
    if let Some(inner) = line.strip_prefix('[')
        && let Some((label, url)) = inner.split_once("]:")
    {
        return Line::Link {
            label,
            url: url.trim(),
        };
    }
    Line::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_entries_and_links_are_told_apart() {
        let text = "# Changelog\n## [Unreleased]\n### Added\n- x\n  * y\n```\n## [not] a heading\n```\n[0.1.0]: https://e/x\n## [0.1.0] - 2026-01-02\n#### Detail\nplain";
        let kinds: Vec<Line<'_>> = classify(text).into_iter().map(|(_, line)| line).collect();
        assert_eq!(
            kinds,
            [
                Line::Title("Changelog"),
                Line::Release {
                    label: "Unreleased",
                    rest: ""
                },
                Line::Section("Added"),
                Line::Entry,
                Line::Entry,
                Line::Text,
                Line::Text,
                Line::Text,
                Line::Link {
                    label: "0.1.0",
                    url: "https://e/x"
                },
                Line::Release {
                    label: "0.1.0",
                    rest: " - 2026-01-02"
                },
                Line::Subheading,
                Line::Text,
            ]
        );
    }
}
