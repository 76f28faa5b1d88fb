//! Running child processes: cargo and git, never through a shell.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use anyhow::{Context, Result, bail};

/// A `cargo` command run in `dir`.
///
/// It uses the cargo that runs xtask (the `CARGO` variable cargo sets for `cargo run`), so every step
/// uses one toolchain, and falls back to `cargo` on the `PATH`.
pub fn cargo(dir: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(dir);
    command
}

/// A `git` command run in `dir`.
pub fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir);
    command
}

/// The command line of `command` as one would type it, for messages.
pub fn display(command: &Command) -> String {
    let mut words = Vec::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            words.push(format!("{}={}", key.to_string_lossy(), quote(value)));
        }
    }
    let program = Path::new(command.get_program())
        .file_name()
        .unwrap_or_else(|| command.get_program());
    words.push(quote(program));
    words.extend(command.get_args().map(quote));
    words.join(" ")
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    if word.is_empty() || word.contains(char::is_whitespace) {
        format!("'{word}'")
    } else {
        word.into_owned()
    }
}

/// Runs `command` with the terminal's output and no input, and fails unless it exits with success.
///
/// # Errors
///
/// If the command cannot be started or exits unsuccessfully; the error names the command line.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(command));
    }
    Ok(())
}

/// Runs `command` with no input and returns its captured output, whatever its exit status.
///
/// # Errors
///
/// If the command cannot be started.
pub fn output(command: &mut Command) -> Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not start `{}`", display(command)))
}

/// Runs `command` with no input and returns its standard output, trimmed.
///
/// # Errors
///
/// If the command cannot be started or exits unsuccessfully; the error names the command line and
/// carries its standard error.
pub fn stdout(command: &mut Command) -> Result<String> {
    let output = output(command)?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            display(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout)
        .map(|text| text.trim().to_owned())
        .with_context(|| format!("`{}` printed something that is not UTF-8", display(command)))
}
