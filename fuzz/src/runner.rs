//! The stable runner: each target over its seed corpus, then seeded mutations until a time or execution budget
//! runs out, panics caught and reported with the input that caused them.
//!
//! It has no coverage feedback (that needs libFuzzer's instrumentation, on nightly); its one feedback is the
//! target's [`Outcome`]: mutants the decoder accepted join a bounded pool of bases, so mutation goes on from inputs
//! that already pass the first checks. The same seed and execution budget give the same inputs, run to run.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Outcome;
use crate::mutate::Mutator;

/// Every target, by name: the names of `fuzz_targets/*.rs`, of `corpus/*/` and of the functions.
pub const TARGETS: &[&str] = &[
    "cartesia_call",
    "cartesia_batch",
    "cartesia_page",
    "cartesia_error_body",
    "mirai_legacy_webhook",
    "mirai_legacy_signature",
    "mirai_v2_webhook",
    "mirai_v2_signature_header",
    "mirai_v2_call",
    "mirai_v2_page",
    "mirai_error_body",
    "cartesia_answers",
    "mirai_legacy_abort_answer",
    "mirai_v2_abort_answer",
    "retry_after",
];

/// A target's function.
pub type TargetFn = fn(&[u8]) -> Outcome;

/// The function of the target `name`, if there is one.
pub fn target(name: &str) -> Option<TargetFn> {
    let function: TargetFn = match name {
        "cartesia_call" => crate::cartesia_call,
        "cartesia_batch" => crate::cartesia_batch,
        "cartesia_page" => crate::cartesia_page,
        "cartesia_error_body" => crate::cartesia_error_body,
        "mirai_legacy_webhook" => crate::mirai_legacy_webhook,
        "mirai_legacy_signature" => crate::mirai_legacy_signature,
        "mirai_v2_webhook" => crate::mirai_v2_webhook,
        "mirai_v2_signature_header" => crate::mirai_v2_signature_header,
        "mirai_v2_call" => crate::mirai_v2_call,
        "mirai_v2_page" => crate::mirai_v2_page,
        "mirai_error_body" => crate::mirai_error_body,
        "cartesia_answers" => crate::cartesia_answers,
        "mirai_legacy_abort_answer" => crate::mirai_legacy_abort_answer,
        "mirai_v2_abort_answer" => crate::mirai_v2_abort_answer,
        "retry_after" => crate::retry_after,
        _ => return None,
    };
    Some(function)
}

/// How long a run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Until this much time has passed (the corpus always runs whole).
    Time(Duration),
    /// This many mutants after the corpus: deterministic for a seed.
    Executions(u64),
}

/// What a run reads, how long it goes on, and where it writes crashes.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long.
    pub budget: Budget,
    /// The mutations' seed.
    pub seed: u64,
    /// The seed inputs: every file in this directory (default `corpus/<target>/` of this crate).
    pub corpus_dir: PathBuf,
    /// Where each crashing input is written as `crash-<hash>` (and its minimized form as `crash-<hash>.min`);
    /// `None` writes nothing (default `artifacts/<target>/` of this crate).
    pub artifacts_dir: Option<PathBuf>,
    /// The longest mutant (default 64 KiB, the clients' cap on error bodies).
    pub max_len: usize,
}

impl Options {
    /// The defaults for `target`, with `budget` and `seed`.
    pub fn new(target: &str, budget: Budget, seed: u64) -> Self {
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        Options {
            budget,
            seed,
            corpus_dir: crate_dir.join("corpus").join(target),
            artifacts_dir: Some(crate_dir.join("artifacts").join(target)),
            max_len: 64 * 1024,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The target's name.
    pub target: String,
    /// Inputs run, the corpus included.
    pub executions: u64,
    /// Inputs the decoder accepted.
    pub accepted: u64,
    /// Seed inputs read from the corpus.
    pub corpus: usize,
    /// How long the run took.
    pub elapsed: Duration,
    /// The slowest single input.
    pub slowest: Duration,
    /// Executions that panicked.
    pub crashing_executions: u64,
    /// The distinct panics (by [`Panicked::identity`]), with the first input that caused each; at most
    /// [`MAX_DISTINCT_CRASHES`].
    pub crashes: Vec<Crash>,
    /// Why nothing ran, if nothing did (an unknown target, an unreadable corpus).
    pub problem: Option<String>,
}

/// How many distinct panics a report keeps.
pub const MAX_DISTINCT_CRASHES: usize = 16;

impl Report {
    fn empty(target: &str) -> Self {
        Report {
            target: target.to_owned(),
            executions: 0,
            accepted: 0,
            corpus: 0,
            elapsed: Duration::ZERO,
            slowest: Duration::ZERO,
            crashing_executions: 0,
            crashes: Vec::new(),
            problem: None,
        }
    }

    /// Executions per second over the run.
    pub fn executions_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.executions as f64 / seconds
        } else {
            0.0
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} executions in {:.1}s ({:.0}/s), {} accepted, {} crashes",
            self.target,
            self.executions,
            self.elapsed.as_secs_f64(),
            self.executions_per_second(),
            self.accepted,
            self.crashes.len()
        )?;
        if let Some(problem) = &self.problem {
            write!(f, " ({problem})")?;
        }
        Ok(())
    }
}

/// One distinct panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    /// The panic.
    pub panic: Panicked,
    /// The first input that caused it.
    pub input: Vec<u8>,
    /// A smaller input that causes the same panic (the input itself when none was found).
    pub minimized: Vec<u8>,
    /// Where the input was written, if it was.
    pub artifact: Option<PathBuf>,
}

impl fmt::Display for Crash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {:?}",
            self.panic,
            String::from_utf8_lossy(&self.minimized)
        )?;
        if let Some(path) = &self.artifact {
            write!(f, " (written to {})", path.display())?;
        }
        Ok(())
    }
}

/// Runs `target` for `duration` with mutations seeded by `seed`, reading `corpus/<target>/` and writing crashes to
/// `artifacts/<target>/` of this crate. An unknown target runs nothing: see [`Report::problem`].
pub fn run(target: &str, duration: Duration, seed: u64) -> Report {
    run_with(target, &Options::new(target, Budget::Time(duration), seed))
}

/// Runs `target` as `options` say.
pub fn run_with(name: &str, options: &Options) -> Report {
    let mut report = Report::empty(name);
    let Some(function) = target(name) else {
        report.problem = Some(format!("no target `{name}`"));
        return report;
    };
    let seeds = match read_corpus(&options.corpus_dir) {
        Ok(seeds) => seeds
            .into_iter()
            .map(|(_, input)| input)
            .collect::<Vec<_>>(),
        Err(error) => {
            report.problem = Some(format!(
                "cannot read the corpus {}: {error}",
                options.corpus_dir.display()
            ));
            return report;
        }
    };
    report.corpus = seeds.len();
    let started = Instant::now();
    let mut run = Run {
        function,
        options,
        report,
    };
    for seed in &seeds {
        run.execute(seed);
    }
    let mut mutator = Mutator::new(options.seed, &seeds, options.max_len);
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let fallback = [Vec::new()];
    let bases: &[Vec<u8>] = if seeds.is_empty() { &fallback } else { &seeds };
    let mut mutants: u64 = 0;
    loop {
        let done = match options.budget {
            Budget::Time(limit) => started.elapsed() >= limit,
            Budget::Executions(limit) => mutants >= limit,
        };
        if done {
            break;
        }
        mutants += 1;
        let rng = mutator.rng();
        let from_pool = !pool.is_empty() && rng.bool();
        let base = if from_pool {
            pool[rng.usize(..pool.len())].clone()
        } else {
            bases[rng.usize(..bases.len())].clone()
        };
        let other = if !pool.is_empty() && rng.bool() {
            pool[rng.usize(..pool.len())].clone()
        } else {
            bases[rng.usize(..bases.len())].clone()
        };
        let input = mutator.mutate(&base, &other);
        if run.execute(&input) == Some(Outcome::Accepted) {
            // A bounded pool: once full, a new accepted input replaces a random one.
            if pool.len() < POOL {
                pool.push(input);
            } else {
                let at = mutator.rng().usize(..POOL);
                pool[at] = input;
            }
        }
    }
    run.report.elapsed = started.elapsed();
    run.report
}

/// How many accepted mutants are kept as bases.
const POOL: usize = 256;

/// A run in progress.
struct Run<'a> {
    function: TargetFn,
    options: &'a Options,
    report: Report,
}

impl Run<'_> {
    /// Runs one input; `None` when it panicked (and is then recorded).
    fn execute(&mut self, input: &[u8]) -> Option<Outcome> {
        self.report.executions += 1;
        let started = Instant::now();
        let result = execute(self.function, input);
        self.report.slowest = self.report.slowest.max(started.elapsed());
        match result {
            Ok(outcome) => {
                if outcome == Outcome::Accepted {
                    self.report.accepted += 1;
                }
                Some(outcome)
            }
            Err(panicked) => {
                self.record(input, panicked);
                None
            }
        }
    }

    fn record(&mut self, input: &[u8], panicked: Panicked) {
        self.report.crashing_executions += 1;
        let known = self
            .report
            .crashes
            .iter()
            .any(|c| c.panic.identity() == panicked.identity());
        if known || self.report.crashes.len() >= MAX_DISTINCT_CRASHES {
            return;
        }
        let minimized = minimize(self.function, input, panicked.identity());
        let artifact = self
            .options
            .artifacts_dir
            .as_deref()
            .and_then(|dir| write_artifact(dir, input, &minimized));
        self.report.crashes.push(Crash {
            panic: panicked,
            input: input.to_vec(),
            minimized,
            artifact,
        });
    }
}

/// A caught panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// Its message.
    pub message: String,
    /// Where it happened (`file:line`), when the quiet hook is installed ([`quiet_panics`]).
    pub location: Option<String>,
}

impl Panicked {
    /// What tells one bug from another: the location when known, else the message up to its first `:` (messages
    /// often quote the input after it).
    pub fn identity(&self) -> &str {
        match &self.location {
            Some(location) => location,
            None => self.message.split(':').next().unwrap_or(&self.message),
        }
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(location) = &self.location {
            write!(f, " (at {location})")?;
        }
        Ok(())
    }
}

/// Runs `function` on `input`, catching a panic.
///
/// # Errors
///
/// The panic, when `function` panicked.
pub fn execute(function: TargetFn, input: &[u8]) -> Result<Outcome, Panicked> {
    LAST_LOCATION.with(|last| last.borrow_mut().take());
    match panic::catch_unwind(AssertUnwindSafe(|| function(input))) {
        Ok(outcome) => Ok(outcome),
        Err(payload) => Err(Panicked {
            message: payload_message(payload.as_ref()),
            location: LAST_LOCATION.with(|last| last.borrow_mut().take()),
        }),
    }
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a payload that is not text".to_owned()
    }
}

thread_local! {
    /// The location of this thread's last panic, when the quiet hook is installed.
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the process's panic hook with one that prints nothing and keeps each panic's location for the runner, so a crash found many times (and while minimizing) does not flood the terminal. For binaries only:
/// tests keep the default hook.
pub fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
        LAST_LOCATION.with(|last| *last.borrow_mut() = location);
    }));
}

/// A shorter input that still panics the same way (same [`Panicked::identity`]): chunks removed greedily, halving the
/// chunk size, within a bounded number of tries.
fn minimize(function: TargetFn, input: &[u8], identity: &str) -> Vec<u8> {
    let mut best = input.to_vec();
    let mut tries = 0;
    let mut chunk = (best.len() / 2).max(1);
    while chunk >= 1 && tries < 2_000 {
        let mut at = 0;
        while at < best.len() && tries < 2_000 {
            tries += 1;
            let mut candidate = best.clone();
            candidate.drain(at..(at + chunk).min(candidate.len()));
            let same = execute(function, &candidate).is_err_and(|p| p.identity() == identity);
            if same {
                best = candidate;
            } else {
                at += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    best
}

/// Writes `input` to `dir/crash-<hash>` (and `minimized`, when shorter, beside it); the path, if it was written.
fn write_artifact(dir: &Path, input: &[u8], minimized: &[u8]) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("crash-{:016x}", fnv1a(input)));
    std::fs::write(&path, input).ok()?;
    if minimized.len() < input.len() {
        let mut min = path.clone().into_os_string();
        min.push(".min");
        // The full input is what matters; a failed write of the smaller one is only a convenience lost.
        let _ = std::fs::write(PathBuf::from(min), minimized);
    }
    Some(path)
}

/// FNV-1a, 64 bits: a stable name for an input.
fn fnv1a(input: &[u8]) -> u64 {
    input.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The files of a corpus directory, sorted by name: `(name, content)`. A missing directory is an empty corpus.
///
/// # Errors
///
/// When the directory exists but cannot be read, or one of its files cannot.
pub fn read_corpus(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((name, std::fs::read(entry.path())?));
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics_on_bang(data: &[u8]) -> Outcome {
        assert!(!data.contains(&b'!'), "found a bang");
        Outcome::Rejected
    }

    #[test]
    fn every_target_has_a_function() {
        for name in TARGETS {
            assert!(target(name).is_some(), "{name}");
        }
        assert!(target("nope").is_none());
    }

    #[test]
    fn catches_and_minimizes_a_panic() {
        let input = b"some long input ! with a bang";
        let panicked = execute(panics_on_bang, input).err();
        assert!(
            panicked
                .as_ref()
                .is_some_and(|p| p.message.contains("found a bang"))
        );
        let identity = panicked.as_ref().map_or("", Panicked::identity);
        let smaller = minimize(panics_on_bang, input, identity);
        assert_eq!(smaller, b"!");
    }

    #[test]
    fn an_unknown_target_runs_nothing() {
        let report = run("nope", Duration::from_millis(1), 1);
        assert_eq!(report.executions, 0);
        assert!(report.problem.is_some());
    }
}
