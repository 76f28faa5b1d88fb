//! The command line, as clap reads it. The contract is for scripts: keep it stable.

use std::path::PathBuf;
use std::time::Duration;

use calls_facade::bulk::BulkOptions;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stop, read and manage voice-agent calls at Cartesia and Mirai Minds.
///
/// Credentials come only from the environment: CARTESIA_API_KEY (CARTESIA_BASE_URL), MIRAI_PUBLIC_KEY,
/// MIRAI_PRIVATE_KEY, MIRAI_WORKSPACE (MIRAI_LEGACY_BASE_URL). Exit status: 0 when every call ended terminated or
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
    /// The provider's base URL (overrides CARTESIA_BASE_URL / MIRAI_LEGACY_BASE_URL). https, or http to a loopback host.
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
    /// Stop calling a number: add it to each configured provider's do-not-call list where there is one, find its
    /// queued and live calls where the API can, and terminate each (one JSON line per step and per call).
    StopNumber(StopNumberArgs),
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

/// `stop-number`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct StopNumberArgs {
    /// The number, E.164.
    #[arg(value_name = "+E164")]
    pub(crate) number: String,
    /// Cartesia: an agent whose calls to search (repeat for several). Required when Cartesia is configured:
    /// Cartesia lists calls per agent.
    #[arg(long = "cartesia-agent-id", value_name = "ID")]
    pub(crate) cartesia_agent_ids: Vec<String>,
    /// Mirai legacy API: a call id known to be to this number (repeat for several); the legacy API cannot search.
    #[arg(long = "mirai-call-id", value_name = "ID")]
    pub(crate) mirai_call_ids: Vec<String>,
    /// Only these providers (default: every provider whose credentials are in the environment).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) providers: Vec<ProviderName>,
    /// Most terminations in flight at once, per provider.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(crate) concurrency: u32,
    #[command(flatten)]
    pub(crate) waits: WaitArgs,
}

/// A provider API, as `stop-number --providers` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProviderName {
    /// Cartesia (CARTESIA_API_KEY).
    Cartesia,
    /// Mirai Minds, legacy API (MIRAI_PUBLIC_KEY, MIRAI_PRIVATE_KEY, MIRAI_WORKSPACE).
    Mirai,
    /// Mirai Minds, new API (MIRAI_API_KEY).
    MiraiV2,
}

/// Cartesia commands.
#[derive(Debug, Subcommand)]
pub(crate) enum CartesiaCommand {
    /// Call batches: create, read, cancel, retry, and stop a batch with its live calls.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// Cancel calls (only `started` calls can be cancelled); every id gets exactly one answer.
    Cancel(BulkArgs),
    /// Print a call record.
    Get(CallArg),
    /// Print a call's state (queued, active, ended, unknown) and Cartesia status.
    Status(CallArg),
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
    Delete(CallArg),
    /// Download a call's recording (WAV) to a file, written atomically.
    Audio(DownloadArgs),
    /// Print a call's runtime logs.
    Logs(CallArg),
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

/// Cartesia call-batch commands.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Queue calls to many recipients (never retried once sent).
    Create {
        /// A label for the batch.
        #[arg(long)]
        name: String,
        /// The agent that makes the calls.
        #[arg(long, value_name = "ID")]
        agent_id: String,
        /// The phone-number id to call from.
        #[arg(long, value_name = "ID")]
        from_number_id: String,
        /// A recipient, E.164 (repeat for several).
        #[arg(long = "to", value_name = "+E164")]
        to: Vec<String>,
        /// More recipients from a file, one E.164 number per line (`-` for standard input).
        #[arg(long, value_name = "PATH|-")]
        recipients_from: Option<PathBuf>,
    },
    /// Print a batch with its recipients.
    Get {
        /// The batch id.
        id: String,
    },
    /// List batches, newest first (one JSON object per line with --output json).
    List {
        /// Only this agent's batches.
        #[arg(long, value_name = "ID")]
        agent_id: Option<String>,
        /// Stop after this many batches.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
    },
    /// Stop dialling the batch's queued recipients (calls already placed run on).
    Cancel {
        /// The batch id.
        id: String,
    },
    /// Re-queue the batch's failed and unanswered recipients.
    Retry {
        /// The batch id.
        id: String,
    },
    /// Cancel the batch and, with --cancel-live-calls, terminate its calls already placed: one line per call.
    Stop {
        /// The batch id.
        id: String,
        /// Also terminate the calls already placed (one answer per call, as `cancel` gives).
        #[arg(long)]
        cancel_live_calls: bool,
        /// Most terminations in flight at once.
        #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
        concurrency: u32,
        #[command(flatten)]
        waits: WaitArgs,
    },
}

/// Mirai Minds (new API) commands.
#[derive(Debug, Subcommand)]
pub(crate) enum MiraiV2Command {
    /// Campaigns: create, add contacts, start, pause, resume, stop, read.
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// The do-not-call list: numbers campaigns never dial.
    #[command(subcommand)]
    Dnc(DncCommand),
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
    Get(CallArg),
    /// Print a call's state (queued, active, ended, unknown) and Mirai status.
    Status(CallArg),
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
    Transcript(CallArg),
    /// Download a call's recording (WAV) to a file, written atomically.
    Recording(DownloadArgs),
}

/// The one call a command is about.
#[derive(Debug, Args)]
pub(crate) struct CallArg {
    /// The call id.
    pub(crate) id: String,
}

/// A call whose recording to download, and where to.
#[derive(Debug, Args)]
pub(crate) struct DownloadArgs {
    /// The call id.
    pub(crate) id: String,
    /// Where to write the WAV.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
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
    /// The ids are known to be distinct: remember none, for constant memory however many there are (by default
    /// each distinct id costs about 17 bytes, so that a repeated one is sent and reported once). A repeat is then
    /// sent again and gets a second line, which says the call is already over.
    #[arg(long)]
    pub(crate) distinct_ids: bool,
    #[command(flatten)]
    pub(crate) waits: WaitArgs,
}

/// How long a bulk run waits for the provider: for ringing calls, and through the pauses it asks for.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct WaitArgs {
    /// Wait up to this long for each call that is still ringing, and stop it the moment it is answered (Cartesia
    /// cannot cancel a call before then; it rings for at most 80 s). 0 waits for none: a ringing Cartesia call is
    /// then reported failed, `not_terminable`.
    #[arg(long, value_name = "SECS", default_value = "90", value_parser = parse_wait)]
    pub(crate) ring_wait: Duration,
    /// End the run when the provider asks it to pause (a 429's Retry-After) longer than this: the ids not yet sent
    /// are then reported `not_attempted`. Shorter pauses are waited out, and said on stderr.
    #[arg(long, value_name = "SECS", default_value = "600", value_parser = parse_wait)]
    pub(crate) max_pause: Duration,
}

impl WaitArgs {
    /// `options` with these waits.
    pub(crate) fn apply(self, options: BulkOptions) -> BulkOptions {
        let options = options.with_max_pause(self.max_pause);
        if self.ring_wait.is_zero() {
            options
        } else {
            options.with_ring_wait(self.ring_wait)
        }
    }
}

/// Mirai campaign commands.
#[derive(Debug, Subcommand)]
pub(crate) enum CampaignCommand {
    /// Create a campaign (never retried once sent).
    Create {
        /// A label for the campaign.
        #[arg(long)]
        name: String,
        /// The agent that makes the calls.
        #[arg(long, value_name = "ID")]
        agent_id: String,
        /// First calling day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        start_date: String,
        /// Last calling day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        end_date: String,
        /// A daily calling window, HH:MM-HH:MM (repeat for several).
        #[arg(long = "slot", value_name = "HH:MM-HH:MM", required = true)]
        slots: Vec<String>,
        /// The time zone of dates and slots (IANA name, e.g. Asia/Kolkata).
        #[arg(long, value_name = "TZ")]
        timezone: Option<String>,
        /// Contacts from a file, one E.164 number per line (`-` for standard input).
        #[arg(long, value_name = "PATH|-")]
        contacts_from: Option<PathBuf>,
    },
    /// Add contacts from a file, one E.164 number per line (`-` for standard input).
    AddContacts {
        /// The campaign id.
        id: String,
        /// The file.
        #[arg(long, value_name = "PATH|-")]
        contacts_from: PathBuf,
    },
    /// Start dialling.
    Start {
        /// The campaign id.
        id: String,
    },
    /// Stop new dials; live calls finish; reversible.
    Pause {
        /// The campaign id.
        id: String,
    },
    /// Dial again after a pause.
    Resume {
        /// The campaign id.
        id: String,
    },
    /// Stop for good: live calls are hung up and pending contacts marked aborted. Irreversible.
    Stop {
        /// The campaign id.
        id: String,
    },
    /// Print a campaign.
    Get {
        /// The campaign id.
        id: String,
    },
    /// List campaigns (one JSON object per line with --output json).
    List {
        /// Stop after this many.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
    },
    /// List a campaign's contacts (one JSON object per line with --output json).
    Contacts {
        /// The campaign id.
        id: String,
        /// Stop after this many.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
    },
    /// Print a campaign's report, or write its CSV to a file.
    Report {
        /// The campaign id.
        id: String,
        /// Write the CSV report here instead.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
}

/// Mirai do-not-call commands.
#[derive(Debug, Subcommand)]
pub(crate) enum DncCommand {
    /// Add a number (already listed is success).
    Add {
        /// The number, E.164.
        number: String,
    },
    /// Remove a number (not listed is success too, and said).
    Remove {
        /// The number, E.164.
        number: String,
    },
    /// List the numbers (one JSON object per line with --output json).
    List {
        /// Stop after this many.
        #[arg(long, value_name = "N")]
        max: Option<u64>,
    },
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

/// A wait in seconds, fractions allowed: 0 to one day.
fn parse_wait(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err("a wait must be from 0 to 86400 seconds".into());
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
    fn waits_may_be_zero_and_default_to_cover_the_ringing_bound() {
        assert_eq!(parse_wait("0"), Ok(Duration::ZERO));
        assert_eq!(parse_wait("1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["-1", "NaN", "inf", "soon", "1e9"] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
        let cli = Cli::try_parse_from(["callctl", "cartesia", "cancel", "a"]).unwrap();
        let Command::Cartesia(CartesiaCommand::Cancel(args)) = cli.command else {
            panic!("cancel");
        };
        assert_eq!(args.waits.ring_wait, Duration::from_secs(90));
        assert_eq!(args.waits.max_pause, Duration::from_secs(600));
        let options = args.waits.apply(BulkOptions::new());
        assert_eq!(options.ring_wait(), Some(Duration::from_secs(90)));
        let none = WaitArgs {
            ring_wait: Duration::ZERO,
            max_pause: Duration::ZERO,
        };
        assert_eq!(none.apply(BulkOptions::new()).ring_wait(), None);
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
