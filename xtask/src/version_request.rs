//! What `cargo xtask release` is asked for: a semver level or an exact version.

use std::fmt;
use std::str::FromStr;

use anyhow::{Error, Result, anyhow, bail};
use semver::{BuildMetadata, Prerelease, Version};

/// `patch`, `minor`, `major` or an exact `X.Y.Z`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRequest {
    /// The next patch version; a pre-release `X.Y.Z-pre` becomes `X.Y.Z`.
    Patch,
    /// The next minor version; a pre-release `X.Y.0-pre` becomes `X.Y.0`.
    Minor,
    /// The next major version; a pre-release `X.0.0-pre` becomes `X.0.0`.
    Major,
    /// This exact version, which must be above the current one (or equal to it, to resume a release).
    Exact(Version),
}

impl VersionRequest {
    /// The version to release when the workspace is at `current`.
    ///
    /// An exact request equal to `current` is returned as is: that is how a half-done release is resumed.
    ///
    /// # Errors
    ///
    /// If an exact request is below `current`.
    pub fn next(&self, current: &Version) -> Result<Version> {
        let released = current.pre.is_empty();
        let base = |major, minor, patch| Version {
            major,
            minor,
            patch,
            pre: Prerelease::EMPTY,
            build: BuildMetadata::EMPTY,
        };
        let (major, minor, patch) = (current.major, current.minor, current.patch);
        Ok(match self {
            Self::Patch if !released => base(major, minor, patch),
            Self::Patch => base(major, minor, patch + 1),
            Self::Minor if !released && patch == 0 => base(major, minor, 0),
            Self::Minor => base(major, minor + 1, 0),
            Self::Major if !released && minor == 0 && patch == 0 => base(major, 0, 0),
            Self::Major => base(major + 1, 0, 0),
            Self::Exact(version) if version < current => {
                bail!("{version} is below the current version {current}")
            }
            Self::Exact(version) => version.clone(),
        })
    }
}

impl FromStr for VersionRequest {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "patch" => Ok(Self::Patch),
            "minor" => Ok(Self::Minor),
            "major" => Ok(Self::Major),
            _ => Version::parse(text.strip_prefix('v').unwrap_or(text))
                .map(Self::Exact)
                .map_err(|error| {
                    anyhow!("`{text}` is neither patch, minor, major nor a version: {error}")
                }),
        }
    }
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Patch => f.write_str("patch"),
            Self::Minor => f.write_str("minor"),
            Self::Major => f.write_str("major"),
            Self::Exact(version) => version.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(request: &str, current: &str) -> String {
        let request: VersionRequest = request.parse().unwrap();
        request
            .next(&Version::parse(current).unwrap())
            .unwrap()
            .to_string()
    }

    #[test]
    fn levels_bump_and_reset_the_lower_parts() {
        assert_eq!(next("patch", "0.1.0"), "0.1.1");
        assert_eq!(next("minor", "0.1.7"), "0.2.0");
        assert_eq!(next("major", "0.9.3"), "1.0.0");
    }

    #[test]
    fn levels_release_a_pre_release_first() {
        assert_eq!(next("patch", "1.2.3-rc.1"), "1.2.3");
        assert_eq!(next("minor", "1.2.0-rc.1"), "1.2.0");
        assert_eq!(next("minor", "1.2.3-rc.1"), "1.3.0");
        assert_eq!(next("major", "2.0.0-alpha"), "2.0.0");
    }

    #[test]
    fn exact_versions_may_equal_but_not_go_below() {
        assert_eq!(next("v0.3.0", "0.1.0"), "0.3.0");
        assert_eq!(next("0.1.0", "0.1.0"), "0.1.0");
        let request: VersionRequest = "0.0.9".parse().unwrap();
        assert!(request.next(&Version::new(0, 1, 0)).is_err());
        assert!("0.1".parse::<VersionRequest>().is_err());
        assert!("huge".parse::<VersionRequest>().is_err());
    }
}
