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
                Output::Text => println!("{}", text(&value)),
            }
            Exit::Success
        }
        Err(error) => failure(&error, output),
    }
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
