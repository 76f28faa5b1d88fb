//! Result lines on stdout: formatted once, written as soon as they are known, and never lost in silence.
//!
//! Lines are gathered in a buffer while more reports are ready at once, and written with one `write` when none is:
//! a burst costs one system call, and a report that comes alone is on stdout the moment it is known. A failed write
//! (a closed pipe, a full disk) is remembered: the lines that could not be written are counted, and the run says so
//! on stderr and in its exit status.

use std::io::Write;

use calls_facade::bulk::{BulkOutcome, BulkReport};
use serde::Serialize;

use crate::ids::Rejected;

/// Buffered result lines for stdout, and what could not be written.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    buffer: Vec<u8>,
    /// Lines in `buffer`.
    buffered: u64,
    /// Lines that could not be written, and the first error.
    lost: u64,
    error: Option<std::io::Error>,
}

impl Lines {
    /// Past this many buffered bytes, lines are written even while more reports are ready.
    const FLUSH_AT: usize = 64 * 1024;

    /// Adds one line (without its newline); once writing has failed, the line is counted as lost.
    pub(crate) fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        if self.error.is_some() {
            self.lost += 1;
            return;
        }
        write(&mut self.buffer);
        self.buffer.push(b'\n');
        self.buffered += 1;
        if self.buffer.len() >= Self::FLUSH_AT {
            self.flush();
        }
    }

    /// Writes the buffered lines to stdout. On failure every buffered line counts as lost (a write that failed part
    /// way may have put some of them out; none is claimed), the error is said once on stderr, and later lines are
    /// counted as lost without a write.
    pub(crate) fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let written = {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&self.buffer).and_then(|()| stdout.flush())
        };
        if let Err(error) = written {
            eprintln!(
                "callctl: writing results to stdout failed: {error}; the calls are still being stopped, and the \
                 summary on stderr counts every outcome"
            );
            self.lost += self.buffered;
            self.error = Some(error);
        }
        self.buffer.clear();
        self.buffered = 0;
    }

    /// How many lines could not be written, and why; `None` when every line was written.
    pub(crate) fn lost(&self) -> Option<(u64, &std::io::Error)> {
        self.error.as_ref().map(|error| (self.lost, error))
    }
}

/// A bulk report's JSON line: the contract documented in the README. Fields in alphabetical order, as they have
/// always been printed.
#[derive(Serialize)]
struct JsonLine<'a> {
    attempts: u32,
    call_id: &'a str,
    error: Option<JsonError<'a>>,
    /// Only on input lines that are not ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    outcome: &'a str,
    provider: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    kind: &'a str,
    message: String,
    status: Option<u16>,
}

/// Writes the JSON line of one report.
pub(crate) fn json_line(out: &mut Vec<u8>, report: &BulkReport) {
    let error = match &report.outcome {
        BulkOutcome::Failed(error) => Some(JsonError {
            kind: error.kind().as_str(),
            message: error.to_string(),
            status: error.status(),
        }),
        _ => None,
    };
    let line = JsonLine {
        attempts: report.outcome.attempts(),
        call_id: &report.call_id,
        error,
        line: None,
        outcome: report.outcome.as_str(),
        provider: report.provider.as_str(),
    };
    if !write_plain(out, &line) {
        serialize(out, &line);
    }
}

/// Writes `line` straight when it has no error and its strings need no escaping, the same bytes serde would
/// write: most lines are such a success, and serde's string escaping was 1.5% of a bulk run's instructions
/// (callgrind at 20,000 ids). `false` when it wrote nothing.
fn write_plain(out: &mut Vec<u8>, line: &JsonLine<'_>) -> bool {
    let plain = [line.call_id, line.outcome, line.provider];
    if line.error.is_some() || line.line.is_some() || !plain.iter().all(|s| needs_no_escape(s)) {
        return false;
    }
    // Byte slices, not `write!`: the formatting machinery cost more than the line (callgrind).
    out.extend_from_slice(br#"{"attempts":"#);
    push_decimal(out, line.attempts);
    for (key, value) in [
        (&br#","call_id":""#[..], line.call_id),
        (br#"","error":null,"outcome":""#, line.outcome),
        (br#"","provider":""#, line.provider),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(br#""}"#);
    true
}

/// `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(digit) = digits.get_mut(start) {
            *digit = b'0' + u8::try_from(n % 10).unwrap_or(0);
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(start..).unwrap_or_default());
}

/// Whether `text` is a JSON string as it is: printable ASCII but `"` and `\`.
fn needs_no_escape(text: &str) -> bool {
    text.bytes()
        .all(|byte| (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\')
}

/// Writes the JSON line of an input line that is not an id: `failed`, `invalid_input`, never sent.
pub(crate) fn json_rejected(out: &mut Vec<u8>, provider: &str, rejected: &Rejected) {
    let line = JsonLine {
        attempts: 0,
        call_id: &rejected.text,
        error: Some(JsonError {
            kind: "invalid_input",
            message: format!("line {}: {}", rejected.line, rejected.why),
            status: None,
        }),
        line: Some(rejected.line),
        outcome: "failed",
        provider,
    };
    serialize(out, &line);
}

fn serialize(out: &mut Vec<u8>, line: &JsonLine<'_>) {
    // Serializing plain strings and numbers into a Vec cannot fail; should it ever, the line says so.
    if serde_json::to_writer(&mut *out, line).is_err() {
        out.extend_from_slice(
            br#"{"outcome":"failed","error":{"kind":"internal","message":"unserializable"}}"#,
        );
    }
}

/// Writes the text line of one report.
pub(crate) fn text_line(out: &mut Vec<u8>, report: &BulkReport) {
    let id = report.call_id.escape_debug();
    // Writing into a Vec cannot fail.
    let _infallible = match &report.outcome {
        BulkOutcome::Failed(error) => write!(out, "failed          {id}: {error}"),
        outcome => write!(
            out,
            "{:<15} {id} ({} requests)",
            outcome.as_str(),
            outcome.attempts()
        ),
    };
}

/// Writes the text line of an input line that is not an id.
pub(crate) fn text_rejected(out: &mut Vec<u8>, rejected: &Rejected) {
    // A line that is not UTF-8 comes escaped already, in printable ASCII; one that is gets escaped here, so neither
    // can drive the terminal.
    let _infallible = if rejected.utf8 {
        write!(out, "failed          {}", rejected.text.escape_debug())
    } else {
        write!(out, "failed          {}", rejected.text)
    }
    .and_then(|()| write!(out, ": line {}: {}", rejected.line, rejected.why));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(text: &str, utf8: bool) -> Rejected {
        Rejected {
            line: 7,
            text: text.to_owned(),
            utf8,
            why: "not valid UTF-8".to_owned(),
        }
    }

    #[test]
    fn a_plain_line_is_what_serde_writes_and_anything_else_is_left_to_serde() {
        for (id, outcome) in [
            ("ac_01JZQ9B4M8N3P6R2S5T7V9W1YA", "terminated"),
            ("q9 x~!#", "already_ended"),
            ("", "not_attempted"),
        ] {
            let line = JsonLine {
                attempts: 4_000_000_000,
                call_id: id,
                error: None,
                line: None,
                outcome,
                provider: "mirai-v2",
            };
            let (mut plain, mut serde) = (Vec::new(), Vec::new());
            assert!(write_plain(&mut plain, &line));
            serialize(&mut serde, &line);
            assert_eq!(String::from_utf8(plain), String::from_utf8(serde));
        }
        for id in ["a\"b", "a\\b", "caf\u{e9}", "a\u{7f}", "a\tb"] {
            let line = JsonLine {
                attempts: 1,
                call_id: id,
                error: None,
                line: None,
                outcome: "terminated",
                provider: "cartesia",
            };
            assert!(!write_plain(&mut Vec::new(), &line), "{id:?} needs serde");
        }
    }

    #[test]
    fn a_rejected_line_is_the_contracts_json_with_its_number() {
        let mut out = Vec::new();
        json_rejected(&mut out, "cartesia", &rejected("call_\\xff", false));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"attempts":0,"call_id":"call_\\xff","error":{"kind":"invalid_input","message":"line 7: not valid UTF-8","status":null},"line":7,"outcome":"failed","provider":"cartesia"}"#
        );
    }

    #[test]
    fn a_rejected_line_is_escaped_once_in_text() {
        let mut out = Vec::new();
        text_rejected(&mut out, &rejected("call_\\xff", false));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "failed          call_\\xff: line 7: not valid UTF-8"
        );
        let mut out = Vec::new();
        text_rejected(&mut out, &rejected("a\u{1b}[31mb", true));
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            text.starts_with("failed          a\\u{1b}[31mb: line 7"),
            "{text}"
        );
    }
}
