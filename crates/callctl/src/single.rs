//! Commands about one call: print the answer, or the error on stderr with exit status 1.

use std::fmt::Display;

use calls_facade::CallId;

use crate::cli::Output;
use crate::exit::Exit;

/// A validated id, or a usage error (nothing sent).
pub(crate) fn call_id(raw: &str) -> Result<CallId, Exit> {
    CallId::new(raw).map_err(|error| Exit::usage(error.to_string()))
}

/// Prints `value` as one JSON line or as text, and maps errors to exit status 1.
pub(crate) fn print<T, F>(
    result: calls_facade::Result<T>,
    output: Output,
    json: impl FnOnce(&T) -> serde_json::Value,
    text: F,
) -> Exit
where
    F: FnOnce(&T) -> String,
{
    match result {
        Ok(value) => {
            match output {
                Output::Json => println!("{}", json(&value)),
                Output::Text => println!("{}", terminal_safe(&text(&value))),
            }
            Exit::Success
        }
        Err(error) => failure(&error, output),
    }
}

/// `text` with every character that could drive a terminal written as an escape instead: control characters but
/// line feeds and tabs (ESC starts colour and cursor sequences, CR overwrites a line), and the bidirectional
/// overrides and isolates (they reorder what follows). Text output quotes provider data (statuses, transcripts, ids
/// from list pages), which a hostile or broken provider controls.
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Reports a provider-side failure: a JSON error line on stdout for scripts, and a sentence on stderr.
pub(crate) fn failure(error: &calls_facade::Error, output: Output) -> Exit {
    if output == Output::Json {
        println!("{}", error_json(error));
    }
    eprintln!("callctl: {error}");
    if error.kind() == calls_facade::ErrorKind::InvalidInput && !error.request_may_have_been_sent()
    {
        Exit::Usage(String::from(
            "the input was refused before anything was sent",
        ))
    } else {
        Exit::Failures
    }
}

/// The `error` object of the JSON contract.
pub(crate) fn error_json(error: &calls_facade::Error) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "kind": error.kind().as_str(),
            "status": error.status(),
            "message": error.to_string(),
        }
    })
}

/// `a: b` for text output, skipping absent values.
pub(crate) fn field(name: &str, value: Option<impl Display>) -> Option<String> {
    value.map(|v| format!("{name}: {v}"))
}

/// Prints each item of a lazy listing as it arrives (one JSON object per line with `--output json`), up to `max`.
pub(crate) async fn print_stream<T, S>(
    items: S,
    max: Option<u64>,
    output: Output,
    json: impl Fn(&T) -> serde_json::Value,
    text: impl Fn(&T) -> String,
) -> Exit
where
    S: futures_util::Stream<Item = calls_facade::Result<T>>,
{
    use futures_util::StreamExt;
    let mut items = std::pin::pin!(items);
    let mut printed = 0u64;
    while max.is_none_or(|max| printed < max) {
        match items.next().await {
            None => break,
            Some(Ok(item)) => {
                match output {
                    Output::Json => println!("{}", json(&item)),
                    Output::Text => println!("{}", text(&item)),
                }
                printed += 1;
            }
            Some(Err(error)) => return failure(&error, output),
        }
    }
    Exit::Success
}

/// The lines of a file (`-` for standard input), trimmed, blank ones skipped: phone numbers for batches and
/// campaigns (bounded by the provider's per-request limits, so read whole).
pub(crate) async fn read_lines(path: &std::path::Path) -> Result<Vec<String>, Exit> {
    use tokio::io::AsyncReadExt;
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        tokio::io::stdin()
            .read_to_string(&mut text)
            .await
            .map(|_| text)
    } else {
        tokio::fs::read_to_string(path).await
    };
    let text =
        text.map_err(|error| Exit::usage(format!("cannot read {}: {error}", path.display())))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Serializes a record for `--output json`.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn terminal_sequences_and_bidi_overrides_are_escaped_and_the_rest_kept() {
        assert_eq!(
            terminal_safe("started (ended)\nturn\ttwo"),
            "started (ended)\nturn\ttwo"
        );
        assert_eq!(
            terminal_safe("\u{1b}[31mred\rX\u{202E}cba"),
            "\\u{1b}[31mred\\u{d}X\\u{202e}cba"
        );
        assert_eq!(terminal_safe("\u{7}\u{9b}"), "\\u{7}\\u{9b}");
    }
}
