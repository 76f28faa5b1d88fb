//! A planned change to one file: shown as a diff in a dry run, written with `--execute`.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The old and new text of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    path: PathBuf,
    before: String,
    after: String,
}

impl FileEdit {
    /// A change of `path` from `before` to `after`.
    pub fn new(path: impl Into<PathBuf>, before: String, after: String) -> Self {
        Self {
            path: path.into(),
            before,
            after,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text after the change.
    pub fn after(&self) -> &str {
        &self.after
    }

    /// Whether the change changes anything.
    pub fn changes(&self) -> bool {
        self.before != self.after
    }

    /// Writes the new text.
    ///
    /// # Errors
    ///
    /// If the file cannot be written.
    pub fn write(&self) -> Result<()> {
        std::fs::write(&self.path, &self.after)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// The changed lines, each `-` (old) or `+` (new) with its line number, as a short line diff.
    pub fn diff(&self) -> Vec<String> {
        let old: Vec<&str> = self.before.lines().collect();
        let new: Vec<&str> = self.after.lines().collect();
        let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let suffix = old[prefix..]
            .iter()
            .rev()
            .zip(new[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let old_middle = &old[prefix..old.len() - suffix];
        let new_middle = &new[prefix..new.len() - suffix];

        // A longest common subsequence over the changed middle, which is small for the edits we make.
        let mut common = vec![vec![0usize; new_middle.len() + 1]; old_middle.len() + 1];
        for i in (0..old_middle.len()).rev() {
            for j in (0..new_middle.len()).rev() {
                common[i][j] = if old_middle[i] == new_middle[j] {
                    common[i + 1][j + 1] + 1
                } else {
                    common[i + 1][j].max(common[i][j + 1])
                };
            }
        }
        let mut lines = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < old_middle.len() || j < new_middle.len() {
            if i < old_middle.len() && j < new_middle.len() && old_middle[i] == new_middle[j] {
                i += 1;
                j += 1;
            } else if i < old_middle.len()
                && (j == new_middle.len() || common[i + 1][j] >= common[i][j + 1])
            {
                lines.push(format!("{:>5} - {}", prefix + i + 1, old_middle[i]));
                i += 1;
            } else {
                lines.push(format!("{:>5} + {}", prefix + j + 1, new_middle[j]));
                j += 1;
            }
        }
        lines
    }
}

impl fmt::Display for FileEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", self.path.display())?;
        for line in self.diff() {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_shows_only_changed_lines_with_their_numbers() {
        let edit = FileEdit::new(
            "Cargo.toml",
            "a\nversion = \"0.1.0\"\nb\nc = \"0.1.0\"\nd\n".to_owned(),
            "a\nversion = \"0.2.0\"\nb\nc = \"0.2.0\"\nd\n".to_owned(),
        );
        assert_eq!(
            edit.diff(),
            [
                "    2 - version = \"0.1.0\"",
                "    2 + version = \"0.2.0\"",
                "    4 - c = \"0.1.0\"",
                "    4 + c = \"0.2.0\"",
            ]
        );
    }

    #[test]
    fn inserted_lines_are_shown_alone() {
        let edit = FileEdit::new("x", "a\nb\n".to_owned(), "a\nnew\n\nb\n".to_owned());
        assert_eq!(edit.diff(), ["    2 + new", "    3 + "]);
        assert!(edit.changes());
    }
}
