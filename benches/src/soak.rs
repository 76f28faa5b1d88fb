//! `soak`: a million cancels through the bulk engine against a simulator that misbehaves on one call in ten.
//!
//! `seed --faults-per-mille N` (see [`FaultPlan`]) scripts one fault for N calls in 1,000, picked and typed by a
//! seeded hash of the call's number: a 503, a 429 with `Retry-After`, a TCP reset before the request is handled,
//! or a lost reply (the cancel lands, then the connection is reset). `--long-pause S` adds one 429 asking for S
//! seconds, on one call 5% into the run: the whole run pauses for it (the bulk engine starts no id meanwhile).
//! `--ringing-per-mille N` seeds N in 1,000 of the calls without a fault ringing (`created`): answered right after
//! the first cancel is refused, or after one or three reads; `soak` then runs the engine with a ring wait. Each
//! fault answers the next request about its call, whatever the route. `soak` then cancels every call through
//! [`terminate_all`] and checks, as it reads the reports and from the simulator's counters at the end:
//!
//! - one report per id: every id of the run reported, none twice, none that was not asked for;
//! - every answer true: every call was `started` or is answered while we stop it, and every fault is transient, so
//!   every report must say `terminated`, and the simulator must hold every call ended by `api_cancelled`, none still
//!   `started` or `created`;
//! - no double cancel: the cancels that reached the simulator's handler (its journal's `handled` count, which leaves
//!   out requests a fault answered first) number exactly the calls plus the ringing calls. Each call needed one that
//!   ended it, and each ringing call one that Cartesia refused while it rang, so none got a second one that landed;
//! - every scripted fault fired;
//! - the long pause was a pause: the run was paused for at least its length, and no pause ended the run.
//!
//! It samples its own resident memory every `--sample-every` reports, and prints one JSON line; any failed check
//! is listed in it and makes the process exit non-zero. `cargo xtask soak` runs the whole thing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use calls_facade::bulk::{BulkOptions, BulkOutcome, BulkReport, terminate_all};
use calls_facade::cartesia::CartesiaClient;
use calls_facade::{CallControl, TerminateOutcome};
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};

use crate::Calls;
use crate::process_usage;

/// Which calls the simulator misbehaves on, and how: the same answer in every process for the same settings.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FaultPlan {
    /// Calls in 1,000 that get a scripted fault (0 for none).
    #[arg(long, default_value_t = 0)]
    pub(crate) faults_per_mille: u32,
    /// Picks which calls get a fault, and which.
    #[arg(long, default_value_t = 1)]
    pub(crate) fault_seed: u64,
    /// The `Retry-After` of the injected 429s, as sent (seconds; the SDK accepts fractions).
    #[arg(long, default_value = "0.01")]
    pub(crate) retry_after: String,
    /// Script one 429 asking for this many seconds, on one call 5% into the run (0 for none).
    #[arg(long, default_value_t = 0)]
    pub(crate) long_pause: u32,
    /// Calls in 1,000 of those without a fault seeded ringing (`created`), answered while they are being stopped;
    /// `soak` then waits for ringing calls ([`RING_WAIT`]).
    #[arg(long, default_value_t = 0)]
    pub(crate) ringing_per_mille: u32,
}

/// The soak's ring wait when it seeds ringing calls: past Cartesia's 80 s ringing bound, as callctl's default.
pub(crate) const RING_WAIT: Duration = Duration::from_secs(90);

/// The faults a soak injects, each once per call that gets one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trouble {
    /// 503 Service Unavailable, before the request is handled.
    ServerError,
    /// 429 Too Many Requests with `Retry-After`, before the request is handled.
    RateLimited,
    /// A TCP reset and no response, before the request is handled.
    Reset,
    /// The request is handled (the call is cancelled), then the connection is reset.
    LostReply,
    /// The run's one 429 with a long `Retry-After` (`--long-pause`), before the request is handled.
    LongPause,
    /// Not a fault: a call seeded ringing, answered right after its first cancel is refused (the cancel raced the
    /// pick-up); `terminate` reads it `started` and cancels again.
    RingingAnsweredAtCancel,
    /// Not a fault: a call seeded ringing, answered at the second read; `terminate` waits for it.
    RingingOneRead,
    /// Not a fault: a call seeded ringing, answered at the fourth read; `terminate` waits longer for it.
    RingingThreeReads,
}

impl Trouble {
    const ALL: [Trouble; 4] = [
        Trouble::ServerError,
        Trouble::RateLimited,
        Trouble::Reset,
        Trouble::LostReply,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Trouble::ServerError => "server_error_503",
            Trouble::RateLimited => "rate_limited_429",
            Trouble::Reset => "reset",
            Trouble::LostReply => "lost_reply",
            Trouble::LongPause => "long_pause_429",
            Trouble::RingingAnsweredAtCancel => "ringing_at_cancel",
            Trouble::RingingOneRead => "ringing_1_read",
            Trouble::RingingThreeReads => "ringing_3_reads",
        }
    }
}

impl FaultPlan {
    /// What is odd about call number `index` of `count`, if anything: the long pause, a seeded fault, or ringing.
    pub(crate) fn fault(&self, index: u32, count: u32) -> Option<Trouble> {
        if self.long_pause_index(count) == Some(index) {
            return Some(Trouble::LongPause);
        }
        self.trouble(index).or_else(|| self.ringing(index))
    }

    /// The call that gets the long pause: the first one from 5% into the run that the seeded pick leaves alone and
    /// that does not ring, so its one request meets only the long 429 before it is cancelled.
    fn long_pause_index(&self, count: u32) -> Option<u32> {
        if self.long_pause == 0 {
            return None;
        }
        (count / 20..count)
            .find(|&index| self.trouble(index).is_none() && self.ringing(index).is_none())
    }

    /// How call number `index` rings, if it is one of the ringing calls: a hash of its own, so the ringing calls are
    /// spread independently of the faults, and only calls without a fault ring.
    fn ringing(&self, index: u32) -> Option<Trouble> {
        if self.trouble(index).is_some() {
            return None;
        }
        let hash =
            splitmix64(splitmix64(self.fault_seed) ^ splitmix64(u64::from(index) | (1 << 40)));
        if hash % 1000 >= u64::from(self.ringing_per_mille) {
            return None;
        }
        match (hash >> 32) % 3 {
            0 => Some(Trouble::RingingAnsweredAtCancel),
            1 => Some(Trouble::RingingOneRead),
            _ => Some(Trouble::RingingThreeReads),
        }
    }

    /// How many of `count` calls ring.
    pub(crate) fn ringing_calls(&self, count: u32) -> u64 {
        if self.ringing_per_mille == 0 {
            return 0;
        }
        let ringing = (0..count).filter(|&index| self.ringing(index).is_some());
        ringing.count() as u64
    }

    /// The `/_sim/cartesia/calls` body that seeds call `call_id`: `started`, or ringing as `trouble` says.
    pub(crate) fn call(&self, call_id: &str, trouble: Option<Trouble>) -> Value {
        let mut call = json!({"id": call_id, "agent_id": "agent_bench", "status": "started"});
        match trouble {
            Some(Trouble::RingingAnsweredAtCancel) => {
                call["status"] = "created".into();
                call["answer_at_first_cancel"] = true.into();
            }
            Some(Trouble::RingingOneRead) => {
                call["status"] = "created".into();
                call["answer_after_reads"] = 1.into();
            }
            Some(Trouble::RingingThreeReads) => {
                call["status"] = "created".into();
                call["answer_after_reads"] = 3.into();
            }
            _ => {}
        }
        call
    }

    /// The fault the seeded pick gives call number `index`, if any.
    fn trouble(&self, index: u32) -> Option<Trouble> {
        let hash = splitmix64(self.fault_seed ^ splitmix64(u64::from(index)));
        if hash % 1000 >= u64::from(self.faults_per_mille) {
            return None;
        }
        Trouble::ALL
            .get(usize::try_from((hash >> 32) % 4).unwrap_or(0))
            .copied()
    }

    /// The `/_sim/faults` body that scripts `trouble` once for `call_id`; `None` for a ringing call, which is seeded
    /// so instead (see [`call`](Self::call)).
    pub(crate) fn script(&self, call_id: &str, trouble: Trouble) -> Option<Value> {
        let fault = match trouble {
            Trouble::ServerError => json!({"kind": "status", "code": 503}),
            Trouble::RateLimited => {
                json!({"kind": "status", "code": 429, "retry_after": self.retry_after})
            }
            Trouble::Reset => json!({"kind": "reset"}),
            Trouble::LostReply => json!({"kind": "lost_reply"}),
            Trouble::LongPause => {
                json!({"kind": "status", "code": 429, "retry_after": self.long_pause.to_string()})
            }
            Trouble::RingingAnsweredAtCancel
            | Trouble::RingingOneRead
            | Trouble::RingingThreeReads => return None,
        };
        Some(json!({"call_id": call_id, "times": 1, "fault": fault}))
    }
}

/// SplitMix64's output function: a well-mixed 64-bit hash of `x`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Settings of the soak besides the calls.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SoakOptions {
    #[command(flatten)]
    pub(crate) plan: FaultPlan,
    /// Sample this process's memory every this many reports.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) sample_every: u32,
    /// Run the engine with `BulkOptions::without_deduplication` (the soak's ids are distinct).
    #[arg(long)]
    pub(crate) without_deduplication: bool,
}

/// This process's memory after so many reports.
#[derive(Debug, Clone, Copy)]
struct Sample {
    reports: u64,
    seconds: f64,
    rss_kib: u64,
    peak_rss_kib: u64,
}

/// What became of the calls that got one kind of fault (or none).
#[derive(Debug, Default, Clone, Copy)]
struct ByTrouble {
    calls: u64,
    terminated: u64,
    attempts: u64,
    most_attempts: u32,
}

/// Everything read off the report stream.
#[derive(Debug)]
struct Tally {
    prefix: String,
    count: u32,
    seen: Vec<u64>,
    reports: u64,
    distinct: u64,
    repeated: u64,
    strangers: u64,
    outcomes: BTreeMap<String, u64>,
    by_trouble: BTreeMap<&'static str, ByTrouble>,
    ring_waits: RingWaits,
    problems: Vec<String>,
    samples: Vec<Sample>,
}

/// What waiting for ringing calls cost (`Termination::ring_wait`).
#[derive(Debug, Default, Clone, Copy)]
struct RingWaits {
    calls: u64,
    total: Duration,
    longest: Duration,
}

/// How many failed checks are quoted in full; the rest are counted.
const QUOTED_PROBLEMS: usize = 10;

impl Tally {
    fn new(calls: &Calls) -> Tally {
        Tally {
            prefix: calls.prefix.clone(),
            count: calls.count,
            seen: vec![0; (calls.count as usize).div_ceil(64)],
            reports: 0,
            distinct: 0,
            repeated: 0,
            strangers: 0,
            outcomes: BTreeMap::new(),
            by_trouble: BTreeMap::new(),
            ring_waits: RingWaits::default(),
            problems: Vec::new(),
            samples: Vec::new(),
        }
    }

    fn problem(&mut self, problem: String) {
        if self.problems.len() < QUOTED_PROBLEMS {
            self.problems.push(problem);
        }
    }

    fn read(&mut self, report: &BulkReport, plan: &FaultPlan) {
        self.read_one(&report.call_id, &report.outcome, plan);
    }

    fn read_one(&mut self, call_id: &str, outcome: &BulkOutcome, plan: &FaultPlan) {
        let report = (call_id, outcome);
        self.reports += 1;
        let outcome = match report.1 {
            BulkOutcome::Done(done) => done.outcome().as_str().to_owned(),
            BulkOutcome::Failed(error) => format!("failed:{}", error.kind().as_str()),
            other => other.as_str().to_owned(),
        };
        *self.outcomes.entry(outcome.clone()).or_default() += 1;

        let (call_id, reported) = report;
        let index = call_id
            .strip_prefix(self.prefix.as_str())
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&n| n < self.count && call_id == format!("{}{n}", self.prefix));
        let Some(index) = index else {
            self.strangers += 1;
            self.problem(format!("a report for {call_id}, an id not asked for"));
            return;
        };
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        if self.seen[word] & bit != 0 {
            self.repeated += 1;
            self.problem(format!("a second report for {call_id}"));
            return;
        }
        self.seen[word] |= bit;
        self.distinct += 1;

        let trouble = plan.fault(index, self.count);
        let tally = self
            .by_trouble
            .entry(trouble.map_or("none", Trouble::as_str))
            .or_default();
        tally.calls += 1;
        let attempts = reported.attempts();
        tally.attempts += u64::from(attempts);
        tally.most_attempts = tally.most_attempts.max(attempts);
        let fault = trouble.map_or("no fault", Trouble::as_str);
        match reported {
            BulkOutcome::Done(done) if done.outcome() == TerminateOutcome::Terminated => {
                tally.terminated += 1;
                if let Some(waited) = done.ring_wait() {
                    self.ring_waits.calls += 1;
                    self.ring_waits.total += waited;
                    self.ring_waits.longest = self.ring_waits.longest.max(waited);
                }
            }
            BulkOutcome::Failed(error) => {
                self.problem(format!("{call_id} ({fault}): failed: {error}"));
            }
            _ => {
                let problem = format!("{call_id} ({fault}): {outcome}, but the call was started");
                self.problem(problem);
            }
        }
    }

    fn sample(&mut self, started: Instant) {
        if let Ok(memory) = process_usage::memory() {
            self.samples.push(Sample {
                reports: self.reports,
                seconds: started.elapsed().as_secs_f64(),
                rss_kib: memory.rss_kib,
                peak_rss_kib: memory.peak_rss_kib,
            });
        }
    }
}

/// Cancels every call, checks every answer and the simulator's counters, and prints the JSON line.
///
/// # Errors
///
/// When the client cannot be built, the simulator cannot be read, or a check failed (after printing the line).
pub(crate) async fn run(calls: &Calls, options: &SoakOptions) -> Result<()> {
    let (base_url, _) = crate::simulator_env()?;
    let client = CartesiaClient::from_env().context("cannot build the Cartesia client")?;
    let engine: Arc<dyn CallControl> = Arc::new(client);
    let mut bulk = BulkOptions::new().with_max_concurrency(calls.concurrency);
    if options.without_deduplication {
        bulk = bulk.without_deduplication();
    }
    let ringing = options.plan.ringing_calls(calls.count);
    if options.plan.ringing_per_mille > 0 {
        bulk = bulk.with_ring_wait(RING_WAIT);
    }
    let deduplicates = bulk.deduplicates();
    let bulk_ring_wait = bulk.ring_wait();
    let sample_every = u64::from(options.sample_every.max(1));
    let plan = options.plan.clone();

    let mut tally = Tally::new(calls);
    let started = Instant::now();
    tally.sample(started);
    let mut reports = terminate_all(engine, stream::iter(calls.ids()), bulk);
    let pauses = reports.pauses();
    // Read on a worker, as callctl does.
    let mut tally = tokio::spawn(async move {
        while let Some(report) = reports.next().await {
            tally.read(&report, &plan);
            if tally.reports.is_multiple_of(sample_every) {
                tally.sample(started);
            }
        }
        if !tally.reports.is_multiple_of(sample_every) {
            tally.sample(started);
        }
        tally
    })
    .await
    .context("the task reading the reports failed")?;
    let elapsed = started.elapsed();

    let simulator = Simulator::read(&base_url).await?;
    let paused = Paused {
        long_pause: Duration::from_secs(u64::from(options.plan.long_pause)),
        total: pauses.total(),
        exceeded: pauses.exceeded(),
    };
    let mut failed = checks(&tally, &simulator, ringing);
    failed.append(&mut paused.checks());
    if tally.problems.len() == QUOTED_PROBLEMS {
        failed.push(format!(
            "(only the first {QUOTED_PROBLEMS} problems are quoted)"
        ));
    }
    failed.append(&mut tally.problems);
    let mut line = to_json(&tally, &simulator, elapsed, &failed);
    line["deduplication"] = deduplicates.into();
    line["pauses"] = paused.to_json();
    line["ringing"] = json!({
        "calls": ringing,
        "ring_wait_s": bulk_ring_wait.map(|wait| wait.as_secs()),
        "waited_for": tally.ring_waits.calls,
        "waited_s": tally.ring_waits.total.as_secs_f64(),
        "longest_wait_s": tally.ring_waits.longest.as_secs_f64(),
    });
    println!("{line}");
    if failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} soak check(s) failed", failed.len())
    }
}

/// How the provider's pauses held up the run.
#[derive(Debug)]
struct Paused {
    /// The long pause scripted (zero for none).
    long_pause: Duration,
    /// The run's paused time in all (`Pauses::total`).
    total: Duration,
    /// The pause that ended the run, if one did (`Pauses::exceeded`).
    exceeded: Option<Duration>,
}

impl Paused {
    /// A line for each failed check: the run paused for the whole long pause, and no pause ended it.
    fn checks(&self) -> Vec<String> {
        let mut failed = Vec::new();
        if self.total < self.long_pause {
            failed.push(format!(
                "the run was paused for {:.1} s, less than the {} s the provider asked for",
                self.total.as_secs_f64(),
                self.long_pause.as_secs()
            ));
        }
        if let Some(asked) = self.exceeded {
            failed.push(format!(
                "a {:.1} s pause ended the run",
                asked.as_secs_f64()
            ));
        }
        failed
    }

    fn to_json(&self) -> Value {
        json!({
            "long_pause_s": self.long_pause.as_secs(),
            "paused_s": self.total.as_secs_f64(),
            "ended_by_pause_s": self.exceeded.map(|asked| asked.as_secs_f64()),
        })
    }
}

/// The simulator's counters at the end of the run.
#[derive(Debug)]
struct Simulator {
    cancels: u64,
    cancels_handled: u64,
    reads: u64,
    calls: u64,
    started: u64,
    created: u64,
    api_cancelled: u64,
    faults_pending: u64,
}

impl Simulator {
    async fn read(base_url: &str) -> Result<Simulator> {
        let http = reqwest::Client::new();
        let get = |path: &'static str| {
            let request = http.get(format!("{base_url}/_sim/{path}")).send();
            async move {
                let response = request
                    .await
                    .with_context(|| format!("cannot read /_sim/{path}"))?;
                let body = response
                    .bytes()
                    .await
                    .with_context(|| format!("cannot read /_sim/{path}"))?;
                serde_json::from_slice::<Value>(&body)
                    .with_context(|| format!("cannot decode /_sim/{path}"))
            }
        };
        let journal = get("journal").await?;
        let summary = get("cartesia/summary").await?;
        let faults = get("faults").await?;
        let number = |value: &Value, pointer: &str| value.pointer(pointer).and_then(Value::as_u64);
        let required = |value: &Value, pointer: &str| {
            number(value, pointer).with_context(|| format!("the simulator did not say {pointer}"))
        };
        Ok(Simulator {
            cancels: required(&journal, "/routes/cartesia.cancel")?,
            cancels_handled: required(&journal, "/handled/cartesia.cancel")?,
            reads: required(&journal, "/routes/cartesia.get")?,
            calls: required(&summary, "/calls")?,
            started: number(&summary, "/by_status/started").unwrap_or(0),
            created: number(&summary, "/by_status/created").unwrap_or(0),
            api_cancelled: number(&summary, "/by_end_reason/api_cancelled").unwrap_or(0),
            faults_pending: required(&faults, "/pending")?,
        })
    }
}

/// The run-wide checks, for a run with `ringing` ringing calls; a line for each that failed.
fn checks(tally: &Tally, simulator: &Simulator, ringing: u64) -> Vec<String> {
    let count = u64::from(tally.count);
    // Counted once per id of the run: repeats and strangers are failures of their own.
    let terminated: u64 = tally.by_trouble.values().map(|t| t.terminated).sum();
    let mut failed = Vec::new();
    let mut check = |ok: bool, problem: String| {
        if !ok {
            failed.push(problem);
        }
    };
    check(
        tally.reports == count,
        format!("{} reports for {count} ids", tally.reports),
    );
    check(
        tally.distinct == count,
        format!("{} of {count} ids reported", tally.distinct),
    );
    check(
        tally.repeated == 0,
        format!("{} ids reported twice", tally.repeated),
    );
    check(
        tally.strangers == 0,
        format!("{} reports for ids not asked for", tally.strangers),
    );
    check(
        terminated == count,
        format!("{terminated} of {count} calls reported terminated"),
    );
    check(
        simulator.api_cancelled == count && simulator.started == 0 && simulator.created == 0,
        format!(
            "the simulator holds {} calls ended by api_cancelled, {} still started and {} still ringing, of {count}",
            simulator.api_cancelled, simulator.started, simulator.created
        ),
    );
    // One cancel ends each call; each ringing call also had one refused while it rang. One more is a double cancel.
    check(
        simulator.cancels_handled == count + ringing,
        format!(
            "{} cancels reached the simulator's handler for {count} calls, {ringing} of them ringing",
            simulator.cancels_handled
        ),
    );
    check(
        simulator.faults_pending == 0,
        format!("{} scripted faults never fired", simulator.faults_pending),
    );
    failed
}

fn to_json(tally: &Tally, simulator: &Simulator, elapsed: Duration, failed: &[String]) -> Value {
    let seconds = elapsed.as_secs_f64();
    let by_trouble: serde_json::Map<String, Value> = tally
        .by_trouble
        .iter()
        .map(|(name, t)| {
            let mean = if t.calls > 0 {
                t.attempts as f64 / t.calls as f64
            } else {
                0.0
            };
            (
                (*name).to_owned(),
                json!({
                    "calls": t.calls,
                    "terminated": t.terminated,
                    "mean_attempts": mean,
                    "most_attempts": t.most_attempts,
                }),
            )
        })
        .collect();
    let samples: Vec<Value> = tally
        .samples
        .iter()
        .map(|s| {
            json!({
                "reports": s.reports,
                "seconds": s.seconds,
                "rss_kib": s.rss_kib,
                "peak_rss_kib": s.peak_rss_kib,
            })
        })
        .collect();
    json!({
        "mode": "soak",
        "calls": tally.count,
        "reports": tally.reports,
        "distinct": tally.distinct,
        "seconds": seconds,
        "calls_per_s": if seconds > 0.0 { f64::from(tally.count) / seconds } else { 0.0 },
        "outcomes": tally.outcomes,
        "by_fault": by_trouble,
        "memory": samples,
        "simulator": {
            "cancel_requests": simulator.cancels,
            "cancels_handled": simulator.cancels_handled,
            "get_requests": simulator.reads,
            "calls": simulator.calls,
            "api_cancelled": simulator.api_cancelled,
            "still_started": simulator.started,
            "still_ringing": simulator.created,
            "faults_pending": simulator.faults_pending,
        },
        "failed": failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(per_mille: u32) -> FaultPlan {
        FaultPlan {
            faults_per_mille: per_mille,
            fault_seed: 1,
            retry_after: "0.01".to_owned(),
            long_pause: 0,
            ringing_per_mille: 0,
        }
    }

    #[test]
    fn the_plan_faults_the_share_asked_for_in_every_kind() {
        let plan = plan_of(100);
        let mut kinds = BTreeMap::new();
        for index in 0..100_000 {
            if let Some(trouble) = plan.trouble(index) {
                *kinds.entry(trouble.as_str()).or_insert(0u32) += 1;
            }
        }
        let total: u32 = kinds.values().sum();
        assert!((9_500..=10_500).contains(&total), "{total}");
        assert_eq!(kinds.len(), 4);
        for (kind, n) in kinds {
            assert!((2_200..=2_800).contains(&n), "{kind}: {n}");
        }
        assert!((0..10_000).all(|i| plan_of(0).trouble(i).is_none()));
        assert_eq!(plan.trouble(77), plan.trouble(77));
    }

    #[test]
    fn the_long_pause_goes_to_one_call_with_no_other_fault() {
        let plan = FaultPlan {
            long_pause: 5,
            ..plan_of(100)
        };
        let long: Vec<u32> = (0..20_000)
            .filter(|&i| plan.fault(i, 20_000) == Some(Trouble::LongPause))
            .collect();
        assert_eq!(long.len(), 1);
        assert!(long[0] >= 1_000 && plan.trouble(long[0]).is_none());
        assert_eq!(
            plan.script("ac_3", Trouble::LongPause)
                .map(|s| s["fault"].clone()),
            Some(json!({"kind": "status", "code": 429, "retry_after": "5"}))
        );
        assert!((0..20_000).all(|i| plan_of(100).fault(i, 20_000) != Some(Trouble::LongPause)));
    }

    #[test]
    fn ringing_calls_are_the_share_asked_for_of_the_calls_without_a_fault() {
        let plan = FaultPlan {
            ringing_per_mille: 30,
            long_pause: 5,
            ..plan_of(100)
        };
        let mut kinds = BTreeMap::new();
        for index in 0..100_000 {
            if let Some(ringing) = plan.ringing(index) {
                assert!(plan.trouble(index).is_none() && plan.script("ac_r", ringing).is_none());
                assert_eq!(plan.fault(index, 100_000), Some(ringing));
                *kinds.entry(ringing.as_str()).or_insert(0u32) += 1;
            }
        }
        let total: u32 = kinds.values().sum();
        // 3% of the 90% without a fault.
        assert!((2_400..=3_000).contains(&total), "{total}");
        assert_eq!(kinds.len(), 3);
        assert_eq!(plan.ringing_calls(100_000), u64::from(total));
        assert_eq!(plan_of(100).ringing_calls(100_000), 0);
        let long = plan.long_pause_index(100_000).map(|i| plan.ringing(i));
        assert_eq!(long, Some(None), "the long pause's call does not ring");
    }

    #[test]
    fn a_short_or_run_ending_pause_fails_the_soak() {
        let paused = |total: u64, exceeded: Option<u64>| Paused {
            long_pause: Duration::from_secs(5),
            total: Duration::from_millis(total),
            exceeded: exceeded.map(Duration::from_secs),
        };
        assert!(paused(5_020, None).checks().is_empty());
        assert_eq!(paused(4_000, None).checks().len(), 1);
        assert_eq!(paused(5_000, Some(700)).checks().len(), 1);
    }

    #[test]
    fn scripts_are_what_the_simulator_reads() {
        let plan = plan_of(100);
        assert_eq!(
            plan.script("ac_1", Trouble::RateLimited),
            Some(json!({"call_id": "ac_1", "times": 1,
                   "fault": {"kind": "status", "code": 429, "retry_after": "0.01"}}))
        );
        assert_eq!(
            plan.script("ac_2", Trouble::LostReply)
                .map(|s| s["fault"]["kind"].clone()),
            Some(json!("lost_reply"))
        );
        assert_eq!(plan.script("ac_3", Trouble::RingingOneRead), None);
        assert_eq!(
            plan.call("ac_3", Some(Trouble::RingingOneRead)),
            json!({"id": "ac_3", "agent_id": "agent_bench", "status": "created", "answer_after_reads": 1})
        );
        assert_eq!(
            plan.call("ac_4", Some(Trouble::RingingAnsweredAtCancel)),
            json!({"id": "ac_4", "agent_id": "agent_bench", "status": "created", "answer_at_first_cancel": true})
        );
        assert_eq!(plan.call("ac_5", None)["status"], "started");
    }

    #[test]
    fn the_tally_catches_repeats_strangers_and_untrue_answers() {
        use calls_facade::{CallId, Provider, Termination};
        let calls = Calls {
            prefix: "ac_s_".to_owned(),
            count: 3,
            concurrency: 1,
        };
        let plan = plan_of(0);
        let mut tally = Tally::new(&calls);
        let done = |id: &str, outcome| {
            BulkOutcome::Done(Termination::new(
                Provider::Cartesia,
                CallId::new(id).expect("a valid id"),
                outcome,
                1,
            ))
        };
        for id in ["ac_s_0", "ac_s_1", "ac_s_1", "ac_s_3", "ac_s_01"] {
            tally.read_one(id, &done(id, TerminateOutcome::Terminated), &plan);
        }
        let ended = done("ac_s_2", TerminateOutcome::AlreadyEnded);
        tally.read_one("ac_s_2", &ended, &plan);
        assert_eq!(
            (
                tally.reports,
                tally.distinct,
                tally.repeated,
                tally.strangers
            ),
            (6, 3, 1, 2)
        );
        assert_eq!(tally.problems.len(), 4, "{:?}", tally.problems);
        let simulator = Simulator {
            cancels: 4,
            cancels_handled: 4,
            reads: 0,
            calls: 3,
            started: 0,
            created: 0,
            api_cancelled: 3,
            faults_pending: 0,
        };
        let failed = checks(&tally, &simulator, 0);
        assert!(
            failed.iter().any(|f| f.contains("4 cancels reached")),
            "{failed:?}"
        );
        assert!(
            failed
                .iter()
                .any(|f| f.contains("2 of 3 calls reported terminated")),
            "{failed:?}"
        );
        assert!(
            failed.iter().any(|f| f.contains("ids reported twice")),
            "{failed:?}"
        );
        // Four cancels handled for three calls is right when one of them rang: its first cancel was refused.
        let failed = checks(&tally, &simulator, 1);
        assert!(
            !failed.iter().any(|f| f.contains("cancels reached")),
            "{failed:?}"
        );
    }
}
