//! `cartesia cancel` and `mirai abort`: every id gets exactly one answer, printed as soon as it is known.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use calls_facade::CallControl;
use calls_facade::core::bulk::{BulkOptions, BulkOutcome, BulkReport, StopHandle, terminate_all};
use futures_util::{Stream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{BulkArgs, Output};
use crate::exit::Exit;
use crate::ids;

/// Counts per outcome, for the summary and the exit status.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) terminated: u64,
    pub(crate) already_ended: u64,
    pub(crate) failed: u64,
    pub(crate) not_attempted: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, outcome: &BulkOutcome) {
        match outcome.as_str() {
            "terminated" => self.terminated += 1,
            "already_ended" => self.already_ended += 1,
            "not_attempted" => self.not_attempted += 1,
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
}

/// Runs a bulk termination through `client` and prints one line per id.
pub(crate) async fn run(client: Arc<dyn CallControl>, args: BulkArgs, output: Output) -> Exit {
    let mut options = BulkOptions::new().with_max_concurrency(args.concurrency as usize);
    if args.distinct_ids {
        options = options.without_deduplication();
    }
    if args.ids.is_empty() && args.ids_from.is_none() {
        return Exit::usage("no call ids: give them as arguments or with --ids-from PATH|-");
    }
    let total = match &args.ids_from {
        Some(path) => match ids::count_in(path).await {
            Ok(count) => count.map(|n| n + args.ids.len() as u64),
            Err(error) => return Exit::usage(format!("cannot read {}: {error}", path.display())),
        },
        None => Some(args.ids.len() as u64),
    };
    let read_failed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&read_failed);
    let source = ids::source(args.ids, args.ids_from.as_deref(), move |error| {
        eprintln!("callctl: reading ids failed, no more ids are read: {error}");
        flag.store(true, Ordering::SeqCst);
    })
    .await;
    let source = match source {
        Ok(source) => source,
        Err(error) => return Exit::usage(format!("cannot read ids: {error}")),
    };
    let tally = execute(client, source, total, options, Some(output)).await;
    if !tally.all_ended() || read_failed.load(Ordering::SeqCst) {
        Exit::Failures
    } else {
        Exit::Success
    }
}

/// Terminates every id of `source`, printing a line per id when `lines` says how, with a progress bar on a terminal
/// and a summary on stderr; Ctrl-C stops the batch (the rest are reported `not_attempted`).
pub(crate) async fn execute(
    client: Arc<dyn CallControl>,
    source: ids::Ids,
    total: Option<u64>,
    options: BulkOptions,
    lines: Option<Output>,
) -> Tally {
    let reports = terminate_all(client, source, options);
    let stop = reports.stop_handle();
    report(reports, Some(stop), total, lines).await
}

/// Prints one line per report as it comes (when `lines` says how), with a progress bar on a terminal and a summary
/// on stderr; Ctrl-C asks `stop` to stop the batch.
pub(crate) async fn report<S>(
    mut reports: S,
    stop: Option<StopHandle>,
    total: Option<u64>,
    lines: Option<Output>,
) -> Tally
where
    S: Stream<Item = BulkReport> + Unpin,
{
    let started = Instant::now();
    let interrupted = Arc::new(AtomicBool::new(false));
    let on_signal = Arc::clone(&interrupted);
    let mut interrupts = Interrupts::listen();
    let signals = tokio::spawn(async move {
        if interrupts.next().await {
            on_signal.store(true, Ordering::SeqCst);
            eprintln!(
                "callctl: interrupted: no new requests; waiting for those in flight (Ctrl-C again to quit now)"
            );
            match &stop {
                Some(stop) => stop.stop(),
                None => std::process::exit(130),
            }
            if interrupts.next().await {
                std::process::exit(130);
            }
        }
    });

    let progress = progress_bar(total);
    let stdout = std::io::stdout();
    let mut tally = Tally::default();
    while let Some(report) = reports.next().await {
        tally.add(&report.outcome);
        let line = match lines {
            Some(Output::Json) => Some(json_line(&report)),
            Some(Output::Text) => Some(text_line(&report)),
            None => None,
        };
        if let Some(line) = line {
            let mut out = stdout.lock();
            // A closed stdout (a pipe to `head`) must not stop the batch: the remaining ids still get their
            // requests and the summary still counts them.
            let _ = writeln!(out, "{line}").and_then(|()| out.flush());
        }
        progress.inc(1);
        if !report.outcome.is_success() {
            progress.set_message(format!("{} failed", tally.failed + tally.not_attempted));
        }
    }
    progress.finish_and_clear();
    signals.abort();

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
        if interrupted.load(Ordering::SeqCst) {
            " (interrupted)"
        } else {
            ""
        },
    );
    tally
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
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

/// The JSON line of one report (the contract documented in the README).
pub(crate) fn json_line(report: &BulkReport) -> String {
    let error = match &report.outcome {
        BulkOutcome::Failed(error) => serde_json::json!({
            "kind": error.kind().as_str(),
            "status": error.status(),
            "message": error.to_string(),
        }),
        _ => serde_json::Value::Null,
    };
    serde_json::json!({
        "provider": report.provider.as_str(),
        "call_id": report.call_id,
        "outcome": report.outcome.as_str(),
        "error": error,
        "attempts": report.outcome.attempts(),
    })
    .to_string()
}

pub(crate) fn text_line(report: &BulkReport) -> String {
    let id = report.call_id.escape_debug();
    match &report.outcome {
        BulkOutcome::Failed(error) => format!("failed          {id}: {error}"),
        outcome => format!(
            "{:<15} {id} ({} requests)",
            outcome.as_str(),
            outcome.attempts()
        ),
    }
}

/// Ctrl-C, listened for from the moment the batch starts: on Unix the handler is installed at once, so an
/// interrupt that comes early still stops the batch cleanly instead of killing the process.
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            let kind = tokio::signal::unix::SignalKind::interrupt();
            Interrupts {
                signal: tokio::signal::unix::signal(kind).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Interrupts {}
        }
    }

    /// Waits for the next interrupt; `false` when none can be received.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            match &mut self.signal {
                Some(signal) => signal.recv().await.is_some(),
                None => false,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
