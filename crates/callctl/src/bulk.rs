//! `cartesia cancel`, `mirai abort`, `mirai-v2 abort` and `batch stop`: every id gets exactly one answer, written
//! as soon as it is known.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use calls_facade::CallControl;
use calls_facade::bulk::{BulkOptions, BulkOutcome, BulkReport, Pauses, StopHandle, terminate_all};
use futures_util::{FutureExt, Stream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;

use crate::cli::{BulkArgs, Output};
use crate::exit::Exit;
use crate::ids::{self, Input, Rejected};
use crate::interrupt::Interrupts;
use crate::lines::{self, Lines};

/// Counts per outcome, for the summary and the exit status.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) terminated: u64,
    pub(crate) already_ended: u64,
    pub(crate) failed: u64,
    pub(crate) not_attempted: u64,
    /// Calls waited for while they rang, and the time waited in all.
    pub(crate) rang: u64,
    pub(crate) ring_wait: Duration,
}

impl Tally {
    pub(crate) fn add(&mut self, outcome: &BulkOutcome) {
        match outcome {
            BulkOutcome::Done(done) => {
                match done.outcome().as_str() {
                    "terminated" => self.terminated += 1,
                    _ => self.already_ended += 1,
                }
                if let Some(waited) = done.ring_wait() {
                    self.rang += 1;
                    self.ring_wait += waited;
                }
            }
            BulkOutcome::NotAttempted => self.not_attempted += 1,
            _ => self.failed += 1,
        }
    }

    /// Whether every call ended `terminated` or `already_ended`.
    pub(crate) fn all_ended(&self) -> bool {
        self.failed + self.not_attempted == 0
    }

    pub(crate) fn total(&self) -> u64 {
        self.terminated + self.already_ended + self.failed + self.not_attempted
    }

    /// What waiting for ringing calls cost, for the summary; `None` when no call rang.
    pub(crate) fn ring_waits(&self) -> Option<String> {
        (self.rang > 0).then(|| {
            format!(
                "{} calls were still ringing and were waited for until answered or over: {:.1}s of waiting in all",
                self.rang,
                self.ring_wait.as_secs_f64()
            )
        })
    }
}

/// How a run ended: the tally, and whether anything else makes it a failure.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) tally: Tally,
    /// Ctrl-C stopped the run.
    pub(crate) interrupted: bool,
    /// Result lines could not all be written, the input could not all be read, or a pause too long ended the run.
    pub(crate) incomplete: bool,
}

impl Summary {
    /// Whether every call is known to be over and every answer was written.
    pub(crate) fn all_ended(&self) -> bool {
        self.tally.all_ended() && !self.interrupted && !self.incomplete
    }

    pub(crate) fn exit(&self) -> Exit {
        if self.all_ended() {
            Exit::Success
        } else {
            Exit::Failures
        }
    }
}

/// Runs a bulk termination through `client` and prints one line per id.
pub(crate) async fn run(client: Arc<dyn CallControl>, args: BulkArgs, output: Output) -> Exit {
    let mut options = args
        .waits
        .apply(BulkOptions::new().with_max_concurrency(args.concurrency as usize));
    if args.distinct_ids {
        options = options.without_deduplication();
    }
    if args.ids.is_empty() && args.ids_from.is_none() {
        return Exit::usage("no call ids: give them as arguments or with --ids-from PATH|-");
    }
    let from_args = args.ids.len() as u64;
    let source = match ids::open(args.ids, args.ids_from.as_deref()) {
        Ok(source) => source,
        Err(error) => {
            let path = args
                .ids_from
                .as_deref()
                .unwrap_or(std::path::Path::new("-"));
            return Exit::usage(format!("cannot read {}: {error}", path.display()));
        }
    };
    // A total for the progress bar only where it is drawn, and only where counting takes no second read of a
    // pipe or a FIFO.
    let total = if std::io::stderr().is_terminal() {
        match &args.ids_from {
            Some(path) => ids::count_in(path).map(|n| n + from_args),
            None => Some(from_args),
        }
    } else {
        None
    };
    let provider = client.provider();
    let reports = terminate_all(client, source.ids, options);
    let controls = Controls {
        stop: Some(reports.stop_handle()),
        pauses: Some(reports.pauses()),
        input: source.input,
        rejected: Some((provider.as_str(), source.rejected)),
    };
    report_with(reports, controls, total, Some(output))
        .await
        .exit()
}

/// Terminates every id of `source` without an input to stop (the demo), printing a line per id when `lines` says
/// how, with a progress bar on a terminal and a summary on stderr.
pub(crate) async fn execute(
    client: Arc<dyn CallControl>,
    source: ids::Ids,
    total: Option<u64>,
    options: BulkOptions,
    lines: Option<Output>,
) -> Summary {
    let reports = terminate_all(client, source, options);
    let stop = reports.stop_handle();
    let pauses = reports.pauses();
    report(reports, Some(stop), Some(pauses), total, lines).await
}

/// Prints one line per report as it comes (when `lines` says how), with a progress bar on a terminal and a summary
/// on stderr; Ctrl-C asks `stop` to stop the run.
pub(crate) async fn report<S>(
    reports: S,
    stop: Option<StopHandle>,
    pauses: Option<Pauses>,
    total: Option<u64>,
    lines: Option<Output>,
) -> Summary
where
    S: Stream<Item = BulkReport> + Unpin,
{
    let controls = Controls {
        stop,
        pauses,
        input: None,
        rejected: None,
    };
    report_with(reports, controls, total, lines).await
}

/// What a run can stop, and the input lines it must report beside the engine's reports.
struct Controls {
    stop: Option<StopHandle>,
    pauses: Option<Pauses>,
    input: Option<Input>,
    rejected: Option<(&'static str, mpsc::UnboundedReceiver<Rejected>)>,
}

/// The report loop: one line per report and per rejected input line, written as soon as known; Ctrl-C once stops
/// reading input and starting requests, twice writes what is known and quits.
async fn report_with<S>(
    mut reports: S,
    mut controls: Controls,
    total: Option<u64>,
    output: Option<Output>,
) -> Summary
where
    S: Stream<Item = BulkReport> + Unpin,
{
    let started = Instant::now();
    let mut interrupts = Interrupts::listen();
    let progress = progress_bar(total);
    let mut run = Run {
        summary: Summary::default(),
        lines: Lines::default(),
        output,
        progress: &progress,
        drawn: !progress.is_hidden(),
    };
    let (provider, mut rejected) = match controls.rejected.take() {
        Some((provider, rejected)) => (provider, Some(rejected)),
        None => ("", None),
    };
    let mut reports_done = false;
    let mut pause_watch = PauseWatch::new(controls.pauses.clone());
    loop {
        if reports_done && rejected.is_none() {
            break;
        }
        tokio::select! {
            biased;
            () = pause_watch.tick() => pause_watch.show(run.progress),
            count = interrupts.next() => {
                if count == 1 {
                    run.summary.interrupted = true;
                    if let Some(input) = &controls.input {
                        input.stop();
                    }
                    if let Some(stop) = &controls.stop {
                        stop.stop();
                    }
                    run.progress.suspend(|| eprintln!(
                        "callctl: interrupted: no more input is read and no new request starts; waiting for those in \
                         flight (Ctrl-C again to quit now)"
                    ));
                } else {
                    run.lines.flush();
                    progress.finish_and_clear();
                    eprintln!(
                        "callctl: quit on a second interrupt: the requests still in flight were not waited for, and \
                         their calls got no line (they may or may not have been stopped)"
                    );
                    finish(&mut run, controls.input.as_ref(), started);
                    std::process::exit(1);
                }
            }
            report = reports.next(), if !reports_done => match report {
                Some(report) => {
                    run.record(&report);
                    // Take every report that is ready now, then write them all at once.
                    while let Some(ready) = reports.next().now_or_never() {
                        match ready {
                            Some(report) => run.record(&report),
                            None => {
                                reports_done = true;
                                break;
                            }
                        }
                    }
                }
                None => reports_done = true,
            },
            line = recv(&mut rejected) => match line {
                Some(line) => run.reject(provider, &line),
                None => rejected = None,
            },
        }
        run.lines.flush();
    }
    progress.finish_and_clear();
    finish(&mut run, controls.input.as_ref(), started);
    pause_watch.finish(&mut run.summary);
    run.summary
}

/// The provider's pauses, as the run shows them: said on stderr when one starts, on the progress bar while it
/// lasts, and at the end, with whether one was too long.
pub(crate) struct PauseWatch {
    /// How much longer the run is paused, when there is a run to watch.
    current: Option<Box<dyn Fn() -> Option<Duration> + Send>>,
    /// The run's record, for the end.
    pauses: Option<Pauses>,
    ticks: tokio::time::Interval,
    /// Whether the current pause has been said.
    said: bool,
}

impl PauseWatch {
    /// How often a pause is looked for: a pause is seconds long, so this is soon enough and costs nothing.
    const EVERY: Duration = Duration::from_millis(200);

    fn new(pauses: Option<Pauses>) -> Self {
        let current = pauses.clone().map(|pauses| {
            Box::new(move || pauses.current()) as Box<dyn Fn() -> Option<Duration> + Send>
        });
        PauseWatch::with(current, pauses)
    }

    /// Watches `current`, how much longer a run is paused (`stop-number`'s several engines).
    pub(crate) fn of(current: impl Fn() -> Option<Duration> + Send + 'static) -> Self {
        PauseWatch::with(Some(Box::new(current)), None)
    }

    fn with(
        current: Option<Box<dyn Fn() -> Option<Duration> + Send>>,
        pauses: Option<Pauses>,
    ) -> Self {
        let mut ticks = tokio::time::interval(Self::EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        PauseWatch {
            current,
            pauses,
            ticks,
            said: false,
        }
    }

    /// The next look; pending for ever when there is nothing to watch.
    pub(crate) async fn tick(&mut self) {
        if self.current.is_none() {
            return std::future::pending().await;
        }
        self.ticks.tick().await;
    }

    pub(crate) fn show(&mut self, progress: &ProgressBar) {
        let Some(current) = &self.current else { return };
        match current() {
            Some(left) => {
                let message = format!("paused by the provider for {} s", left.as_secs().max(1));
                if !self.said {
                    progress.suspend(|| {
                        eprintln!("callctl: {message} (a 429 asked to wait); the run goes on after")
                    });
                    self.said = true;
                }
                progress.set_message(message);
            }
            None if self.said => {
                self.said = false;
                progress.set_message("");
            }
            None => {}
        }
    }

    /// Says how long the run was paused, and whether a pause too long ended it (which makes the run a failure).
    fn finish(&self, summary: &mut Summary) {
        let Some(pauses) = &self.pauses else { return };
        let total = pauses.total();
        if let Some(asked) = pauses.exceeded() {
            summary.incomplete = true;
            eprintln!(
                "callctl: the provider asked to pause for {} s, longer than --max-pause allows: the run ended, and \
                 the ids not yet sent are reported not_attempted",
                asked.as_secs()
            );
        } else if !total.is_zero() {
            eprintln!(
                "callctl: paused by the provider for {:.1}s in all",
                total.as_secs_f64()
            );
        }
    }
}

/// The next rejected input line; pending for ever when there is no such channel.
async fn recv(rejected: &mut Option<mpsc::UnboundedReceiver<Rejected>>) -> Option<Rejected> {
    match rejected {
        Some(rejected) => rejected.recv().await,
        None => std::future::pending().await,
    }
}

/// One run's state as the report loop keeps it.
struct Run<'a> {
    summary: Summary,
    lines: Lines,
    output: Option<Output>,
    progress: &'a ProgressBar,
    /// Whether the bar is drawn: a hidden bar still takes a lock and reads the clock on every `inc`.
    drawn: bool,
}

impl Run<'_> {
    fn record(&mut self, report: &BulkReport) {
        self.summary.tally.add(&report.outcome);
        match self.output {
            Some(Output::Json) => self.lines.push(|out| lines::json_line(out, report)),
            Some(Output::Text) => self.lines.push(|out| lines::text_line(out, report)),
            None => {}
        }
        if self.drawn {
            self.progress.inc(1);
            if !report.outcome.is_success() {
                self.show_failures();
            }
        }
    }

    fn reject(&mut self, provider: &str, rejected: &Rejected) {
        self.summary.tally.failed += 1;
        match self.output {
            Some(Output::Json) => self
                .lines
                .push(|out| lines::json_rejected(out, provider, rejected)),
            Some(Output::Text) => self.lines.push(|out| lines::text_rejected(out, rejected)),
            None => {}
        }
        if self.drawn {
            self.progress.inc(1);
            self.show_failures();
        }
    }

    fn show_failures(&self) {
        let tally = &self.summary.tally;
        self.progress
            .set_message(format!("{} failed", tally.failed + tally.not_attempted));
    }
}

/// The summary on stderr, and what else the run must own up to: input not read to its end, a read error, lines
/// that could not be written.
fn finish(run: &mut Run<'_>, input: Option<&Input>, started: Instant) {
    let tally = &run.summary.tally;
    let elapsed = started.elapsed().as_secs_f64();
    let rate = if elapsed > 0.0 {
        tally.total() as f64 / elapsed
    } else {
        0.0
    };
    eprintln!(
        "callctl: {} calls: {} terminated, {} already ended, {} failed, {} not attempted in {:.2}s ({:.0} calls/s){}",
        tally.total(),
        tally.terminated,
        tally.already_ended,
        tally.failed,
        tally.not_attempted,
        elapsed,
        rate,
        if run.summary.interrupted {
            " (interrupted)"
        } else {
            ""
        },
    );
    if let Some(input) = input {
        if let Some(error) = input.read_error() {
            run.summary.incomplete = true;
            eprintln!(
                "callctl: reading ids failed after line {}: {error}; no id after it was read",
                input.lines()
            );
        } else if !input.ended() {
            eprintln!(
                "callctl: the input was not read to its end: {} lines read",
                input.lines()
            );
        }
    }
    if let Some(waits) = tally.ring_waits() {
        eprintln!("callctl: {waits}");
    }
    if let Some((lost, error)) = run.lines.lost() {
        run.summary.incomplete = true;
        eprintln!("callctl: {lost} result lines could not be written to stdout: {error}");
    }
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    let template = if total.is_some() {
        "{bar:30} {pos}/{len} calls, {per_sec}, {elapsed_precise} {msg}"
    } else {
        "{spinner} {pos} calls, {per_sec}, {elapsed_precise} {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
