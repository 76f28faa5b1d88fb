//! The command line, as clap reads it. The contract is for scripts: keep it stable.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stop, read and manage voice-agent calls at Cartesia and Mirai Minds.
///
/// Credentials come only from the environment: CARTESIA_API_KEY (CARTESIA_BASE_URL), MIRAI_PUBLIC_KEY,
/// MIRAI_PRIVATE_KEY, MIRAI_WORKSPACE (MIRAI_BASE_URL). Exit status: 0 when every call ended terminated or
/// already_ended, 1 when any failed or was not attempted, 2 for usage or configuration errors (nothing sent).
#[derive(Debug, Parser)]
#[command(name = "callctl", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Common {
    /// The provider's base URL (overrides CARTESIA_BASE_URL / MIRAI_BASE_URL). https, or http to a loopback host.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Timeout of one attempt, in seconds (fractions allowed).
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) timeout: Option<Duration>,
    /// Attempts per request in all (1 = no retries).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: Option<u32>,
    /// `text` for people, `json` for scripts (one JSON object per line).
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub(crate) output: Output,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// One line per call and a summary, for people.
    Text,
    /// One JSON object per line, for scripts.
    Json,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Cartesia agent calls.
    #[command(subcommand)]
    Cartesia(CartesiaCommand),
    /// Mirai Minds calls, legacy API (x-public-key, x-private-key, workspace).
    #[command(subcommand)]
    Mirai(MiraiCommand),
    /// Mirai Minds calls, new API (Authorization: Bearer sk_live_...; MIRAI_API_KEY, MIRAI_V2_BASE_URL).
    #[command(subcommand, name = "mirai-v2")]
    MiraiV2(MiraiV2Command),
    /// Run the local sandbox (calls-sim) in the foreground and print the environment that points callctl at it.
    Sim {
        /// Address to listen on (loopback only).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
    },
    /// Walk through the main job against an in-process sandbox: no credentials, no network.
    Demo {
        /// How many calls the bulk stop at the end terminates.
        #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        bulk: u32,
    },
}

/// Cartesia commands.
#[derive(Debug, Subcommand)]
pub(crate) enum CartesiaCommand {
    /// Cancel calls (only `started` calls can be cancelled); every id gets exactly one answer.
    Cancel(BulkArgs),
    /// Print a call record.
    Get {
        /// The call id.
        id: String,
    },
    /// Print a call's state (queued, active, ended, unknown) and Cartesia status.
    Status {
        /// The call id.
        id: String,
    },
    /// List an agent's calls, newest first, page by page (one JSON object per line with --output json).
    List {
        /// The agent whose calls to list.
        #[arg(long, value_name = "ID")]
        agent_id: String,
        /// Calls per page (1-100).
        #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
        page_size: u32,
        /// Stop after this many calls.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
        /// Include each call's transcript.
        #[arg(long)]
        transcript: bool,
    },
    /// Delete a finished call's sensitive data (transcript, audio, logs); the record stays, redacted.
    Delete {
        /// The call id.
        id: String,
    },
    /// Download a call's recording (WAV) to a file, written atomically.
    Audio {
        /// The call id.
        id: String,
        /// Where to write the WAV.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print a call's runtime logs.
    Logs {
        /// The call id.
        id: String,
    },
    /// Place outbound calls (never retried once sent: a failure after sending means calls may have been placed).
    Create {
        /// The agent that makes the calls.
        #[arg(long, value_name = "ID")]
        agent_id: String,
        /// The phone-number id to call from.
        #[arg(long, value_name = "ID")]
        from_number_id: String,
        /// A number to call, E.164 (repeat for several).
        #[arg(long = "to", value_name = "+E164", required = true)]
        to: Vec<String>,
    },
}

/// Mirai Minds (legacy API) commands.
#[derive(Debug, Subcommand)]
pub(crate) enum MiraiCommand {
    /// Abort queued calls; every id gets exactly one answer.
    Abort(BulkArgs),
    /// Queue an outbound call (never retried once sent: a failure after sending means a call may be queued).
    Initiate {
        /// The number to call, E.164.
        #[arg(long, value_name = "+E164")]
        phone_number: String,
        /// The assistant that makes the call.
        #[arg(long, value_name = "ID")]
        assistant: String,
        /// Where Mirai posts the call's events (https).
        #[arg(long, value_name = "URL")]
        callback_url: Option<String>,
        /// Jump the queue.
        #[arg(long)]
        priority: bool,
        /// The call's payload, a JSON object (sent as given).
        #[arg(long, value_name = "JSON", value_parser = parse_object)]
        payload: Option<serde_json::Map<String, serde_json::Value>>,
        /// Metadata echoed on every webhook event, a JSON object.
        #[arg(long, value_name = "JSON", value_parser = parse_object)]
        metadata: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// Replace the payload of a queued call that has not been attempted yet.
    Update {
        /// The call id.
        id: String,
        /// The new payload, a JSON object.
        #[arg(long, value_name = "JSON", value_parser = parse_object)]
        payload: serde_json::Map<String, serde_json::Value>,
    },
}

/// Mirai Minds (new API) commands.
#[derive(Debug, Subcommand)]
pub(crate) enum MiraiV2Command {
    /// Abort calls at any stage (queued, ringing or live); every id gets exactly one answer.
    Abort(BulkArgs),
    /// Place a phone call (retried safely: it carries an Idempotency-Key).
    Create {
        /// The agent that makes the call.
        #[arg(long, value_name = "ID")]
        agent_id: String,
        /// The number to call, E.164.
        #[arg(long, value_name = "+E164")]
        to: String,
        /// Your own idempotency key (derive it from your data, e.g. `order-8842-confirm-1`); generated otherwise.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Print a call record.
    Get {
        /// The call id.
        id: String,
    },
    /// Print a call's state (queued, active, ended, unknown) and Mirai status.
    Status {
        /// The call id.
        id: String,
    },
    /// List calls, newest first, page by page (one JSON object per line with --output json).
    List {
        /// Only this agent's calls.
        #[arg(long, value_name = "ID")]
        agent_id: Option<String>,
        /// Calls per page (1-100).
        #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
        page_size: u32,
        /// Stop after this many calls.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
    },
    /// Print a finished call's transcript.
    Transcript {
        /// The call id.
        id: String,
    },
    /// Download a call's recording (WAV) to a file, written atomically.
    Recording {
        /// The call id.
        id: String,
        /// Where to write the WAV.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// The ids of a bulk command and how hard to push.
#[derive(Debug, Args)]
pub(crate) struct BulkArgs {
    /// Call ids.
    #[arg(value_name = "ID")]
    pub(crate) ids: Vec<String>,
    /// Read more ids from a file, one per line (`-` for standard input); blank lines are ignored and each line is
    /// trimmed.
    #[arg(long, value_name = "PATH|-")]
    pub(crate) ids_from: Option<PathBuf>,
    /// Most requests in flight at once (lowered automatically when the provider rate-limits).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(crate) concurrency: u32,
}

fn parse_object(s: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(s) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("expected a JSON object".into()),
        Err(error) => Err(format!("not JSON: {error}")),
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > 3600.0 {
        return Err("the timeout must be above 0 and at most 3600 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_take_fractions_and_refuse_nonsense() {
        assert_eq!(parse_seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_seconds("2"), Ok(Duration::from_secs(2)));
        for bad in ["0", "-1", "NaN", "inf", "soon", "1e9"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
