//! Reading settings from the environment.

use call_core::{Error, ErrorKind};

/// The value of `name`, or an [`ErrorKind::InvalidInput`] naming it when it is missing, blank or not Unicode.
pub(crate) fn required_env(name: &str) -> call_core::Result<String> {
    optional_env(name).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("environment variable {name} is not set"),
        )
    })
}

/// The value of `name` when it is set and not blank.
pub(crate) fn optional_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
