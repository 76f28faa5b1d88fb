//! Exit statuses: the part of the contract scripts branch on.

use std::process::ExitCode;

/// How `callctl` ends.
#[derive(Debug)]
pub(crate) enum Exit {
    /// Every call ended `terminated` or `already_ended` (or the command succeeded).
    Success,
    /// Some call failed or was not attempted (or the command failed at the provider).
    Failures,
    /// A usage or configuration error: nothing was sent.
    Usage(String),
}

impl Exit {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Exit::Usage(message.into())
    }

    /// The exit code, after printing `message` on stderr.
    pub(crate) fn code_after(self, message: &str) -> ExitCode {
        eprintln!("{message}");
        self.code()
    }

    pub(crate) fn code(self) -> ExitCode {
        match self {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Failures => ExitCode::from(1),
            Exit::Usage(message) => {
                eprintln!("callctl: {message}");
                ExitCode::from(2)
            }
        }
    }
}
