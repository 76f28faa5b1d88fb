//! What the call commands of both Cartesia and Mirai's new API print, the same for either: `status`, and the report
//! of a recording written to a file. The providers' modules read the call; this one words the answer.

use std::path::Path;

use calls_facade::{CallId, CallState};

use crate::cli::Output;
use crate::exit::Exit;
use crate::single::print;

/// Prints a call's state for `status`: a JSON object naming `provider`, with the provider-neutral state and the
/// provider's own status, or `state (status)` as text. `read` picks the call's id, state and status out of `call`.
pub(crate) fn print_status<T>(
    call: calls_facade::Result<T>,
    output: Output,
    provider: &str,
    read: impl Fn(&T) -> (&CallId, CallState, &str),
) -> Exit {
    print(
        call,
        output,
        |call| {
            let (id, state, status) = read(call);
            serde_json::json!({
                "provider": provider,
                "call_id": id.as_str(),
                "state": state.as_str(),
                "status": status,
            })
        },
        |call| {
            let (_, state, status) = read(call);
            format!("{state} ({status})")
        },
    )
}

/// Reports a call's recording written to `out`: how many bytes, or why not.
pub(crate) fn print_download(
    written: calls_facade::Result<u64>,
    output: Output,
    id: &CallId,
    out: &Path,
) -> Exit {
    print(
        written,
        output,
        |bytes| serde_json::json!({"call_id": id.as_str(), "file": out.display().to_string(), "bytes": bytes}),
        |bytes| format!("wrote {bytes} bytes to {}", out.display()),
    )
}
