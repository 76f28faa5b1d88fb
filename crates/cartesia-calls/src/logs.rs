//! Get Call Runtime Logs: what the agent's own code logged during a call.

use call_core::provider_kit::Request;
use call_core::{CallId, Timestamp};
use reqwest::Method;

use crate::error_body::error_from;
use crate::json::CallLogsBody;
use crate::{CartesiaClient, path};

/// A call's runtime logs: the lines your agent code produced during the call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallLogs {
    /// The call.
    pub call_id: CallId,
    /// The log lines, in order.
    pub logs: Vec<String>,
    /// When the logs were last updated.
    pub updated_at: Timestamp,
}

/// The answer of [`CartesiaClient::get_call_logs`]: the logs, or Cartesia's "Call logs not available".
///
/// "Not available" is an answer about a call that exists, not a failure: the logs are not generated yet (the call
/// may still be running) or were removed by data-retention settings. An unknown call is an
/// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) error instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallLogsResult {
    /// The logs.
    Available(CallLogs),
    /// Cartesia answered 404 "Call logs not available".
    Unavailable,
}

impl CallLogsResult {
    /// The logs, when available.
    pub fn into_logs(self) -> Option<CallLogs> {
        match self {
            CallLogsResult::Available(logs) => Some(logs),
            CallLogsResult::Unavailable => None,
        }
    }

    /// Whether the logs are available.
    pub fn is_available(&self) -> bool {
        matches!(self, CallLogsResult::Available(_))
    }
}

impl CartesiaClient {
    /// Reads a call's runtime logs: [Get Call Runtime
    /// Logs](https://docs.cartesia.ai/api-reference/agents/calls/get-call-logs), `GET /agents/calls/{call_id}/logs`.
    ///
    /// Cartesia answers 404 in two cases told apart only by the message: "Call not found" and "Call logs not
    /// available". A 404 whose message says the logs are not available is [`CallLogsResult::Unavailable`]; any other
    /// 404 (including one with no readable message) is an [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound)
    /// error, so an unknown call is never mistaken for a call without logs.
    ///
    /// ```no_run
    /// use cartesia_calls::CallLogsResult;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// match client.get_call_logs(&"ac_abc123".parse()?).await? {
    ///     CallLogsResult::Available(logs) => logs.logs.iter().for_each(|line| println!("{line}")),
    ///     CallLogsResult::Unavailable => println!("no logs yet, or removed by retention"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown call,
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a body that is not the logs, and the usual 400, 401,
    /// 403, 429, 5xx, timeout and transport errors.
    pub async fn get_call_logs(&self, call_id: &CallId) -> call_core::Result<CallLogsResult> {
        let request =
            path::call(Request::new(Method::GET, "get call logs"), call_id)?.segment("logs");
        let response = self.http.send(request).await?;
        // The 404 body's fields are not documented ("an object"), so the whole (capped) body is searched: the
        // message may be in `message`, `title`, `detail` or plain text.
        if response.status() == 404
            && says_logs_unavailable(&String::from_utf8_lossy(response.body()))
        {
            return Ok(CallLogsResult::Unavailable);
        }
        if !response.is_success() {
            return Err(error_from(&response));
        }
        let body: CallLogsBody = response.json()?;
        Ok(CallLogsResult::Available(CallLogs {
            call_id: body.call_id,
            logs: body.logs,
            updated_at: body.updated_at,
        }))
    }
}

/// Whether a 404's body says the documented "Call logs not available" (any case, any punctuation around it).
fn says_logs_unavailable(message: &str) -> bool {
    message.to_ascii_lowercase().contains("logs not available")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_two_404s_apart() {
        assert!(says_logs_unavailable("Call logs not available"));
        assert!(says_logs_unavailable("call logs not available."));
        assert!(!says_logs_unavailable("Call not found"));
        assert!(!says_logs_unavailable(""));
    }
}
