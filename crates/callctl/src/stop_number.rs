//! `callctl stop-number +E164`: suppress a number and end its calls at every configured provider.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use calls_facade::bulk::BulkOptions;
use calls_facade::stop_number::{
    NumberControl, NumberTarget, StopNumberEvent, Suppression, stop_number,
};
use calls_facade::{CallId, PhoneNumber};
use futures_util::{FutureExt, StreamExt};
use indicatif::ProgressBar;

use crate::bulk::{PauseWatch, Tally};
use crate::cli::{Common, Output, ProviderName, StopNumberArgs};
use crate::config;
use crate::exit::Exit;
use crate::interrupt::Interrupts;
use crate::lines::Lines;

/// Whether a provider's credentials are in the environment.
fn configured(name: ProviderName) -> bool {
    let var = match name {
        ProviderName::Cartesia => "CARTESIA_API_KEY",
        ProviderName::Mirai => "MIRAI_PUBLIC_KEY",
        ProviderName::MiraiV2 => "MIRAI_API_KEY",
    };
    std::env::var(var).is_ok_and(|v| !v.trim().is_empty())
}

fn targets(common: &Common, args: &StopNumberArgs) -> Result<Vec<NumberTarget>, Exit> {
    let wanted = |name| {
        if args.providers.is_empty() {
            configured(name)
        } else {
            args.providers.contains(&name)
        }
    };
    let usage = |error: calls_facade::Error| Exit::usage(error.to_string());
    let mut targets = Vec::new();
    if wanted(ProviderName::Cartesia) {
        if args.cartesia_agent_ids.is_empty() {
            return Err(Exit::usage(
                "Cartesia is configured: give --cartesia-agent-id for each agent whose calls to search \
                 (Cartesia lists calls per agent), or leave Cartesia out with --providers",
            ));
        }
        let client = config::cartesia(common).map_err(usage)?;
        targets.push(NumberTarget::new(Arc::new(
            client.number_search(args.cartesia_agent_ids.clone()),
        )));
    }
    if wanted(ProviderName::Mirai) {
        let client: Arc<dyn NumberControl> = Arc::new(config::mirai(common).map_err(usage)?);
        let known: Result<Vec<CallId>, _> = args.mirai_call_ids.iter().map(CallId::new).collect();
        targets.push(NumberTarget::new(client).with_known_call_ids(known.map_err(usage)?));
    } else if !args.mirai_call_ids.is_empty() {
        return Err(Exit::usage(
            "--mirai-call-id needs Mirai's legacy API configured (MIRAI_PUBLIC_KEY, ...)",
        ));
    }
    if wanted(ProviderName::MiraiV2) {
        targets.push(NumberTarget::new(Arc::new(
            config::mirai_v2(common).map_err(usage)?,
        )));
    }
    if targets.is_empty() {
        return Err(Exit::usage(
            "no provider is configured: set the credentials of at least one in the environment",
        ));
    }
    Ok(targets)
}

pub(crate) async fn run(common: &Common, args: StopNumberArgs) -> Exit {
    let number = match PhoneNumber::new(&args.number) {
        Ok(number) => number,
        Err(error) => return Exit::usage(error.to_string()),
    };
    let targets = match targets(common, &args) {
        Ok(targets) => targets,
        Err(exit) => return exit,
    };
    let options = args
        .waits
        .apply(BulkOptions::new().with_max_concurrency(args.concurrency as usize));
    let mut events = stop_number(targets, number.clone(), options);
    let stop = events.stop_handle();
    let mut interrupts = Interrupts::listen();
    let mut printer = Printer {
        output: common.output,
        tally: Tally::default(),
        steps_failed: 0,
        lines: Lines::default(),
    };
    let mut interrupted = false;
    let started = Instant::now();
    // A provider's pause is looked for as the bulk commands look for it, and said once when it starts.
    let mut pause_watch = PauseWatch::of({
        let stop = stop.clone();
        move || stop.paused()
    });
    let no_bar = ProgressBar::hidden();
    loop {
        let event = tokio::select! {
            biased;
            () = pause_watch.tick() => {
                pause_watch.show(&no_bar);
                continue;
            }
            count = interrupts.next() => {
                if count == 1 {
                    interrupted = true;
                    stop.stop();
                    eprintln!(
                        "callctl: interrupted: the searches end and no new request starts; waiting for those in \
                         flight (Ctrl-C again to quit now)"
                    );
                    continue;
                }
                printer.lines.flush();
                eprintln!(
                    "callctl: quit on a second interrupt: the requests still in flight were not waited for, and \
                     their calls got no line (they may or may not have been stopped)"
                );
                printer.summarize(&number, interrupted, started);
                std::process::exit(1);
            }
            event = events.next() => event,
        };
        let Some(event) = event else { break };
        printer.event(&event);
        // Take every event that is ready now, then write them all at once.
        let mut done = false;
        while let Some(ready) = events.next().now_or_never() {
            match ready {
                Some(event) => printer.event(&event),
                None => {
                    done = true;
                    break;
                }
            }
        }
        printer.lines.flush();
        if done {
            break;
        }
    }
    printer.lines.flush();
    printer.summarize(&number, interrupted, started)
}

/// Lines for the events of one run, and its counts.
struct Printer {
    output: Output,
    tally: Tally,
    steps_failed: u64,
    lines: Lines,
}

impl Printer {
    fn event(&mut self, event: &StopNumberEvent) {
        let output = self.output;
        if let StopNumberEvent::Call(report) = event {
            self.tally.add(&report.outcome);
            match output {
                Output::Json => self.lines.push(|out| crate::lines::json_line(out, report)),
                Output::Text => self.lines.push(|out| {
                    let _infallible = write!(out, "{}: ", report.provider);
                    crate::lines::text_line(out, report);
                }),
            }
            return;
        }
        let (provider, name, result, error) = describe(event);
        if error.is_some() {
            self.steps_failed += 1;
        }
        let line = match output {
            Output::Json => serde_json::json!({
                "provider": provider.as_str(),
                "step": name,
                "result": result,
                "error": error.map(|e| serde_json::json!({
                    "kind": e.kind().as_str(), "status": e.status(), "message": e.to_string(),
                })),
            })
            .to_string(),
            Output::Text => match error {
                Some(error) => format!("{provider}: {name} failed: {error}"),
                None => format!("{provider}: {name}: {}", result.replace('_', " ")),
            },
        };
        self.lines
            .push(|out| out.extend_from_slice(line.as_bytes()));
    }

    /// The summary on stderr, and the exit status: 1 for a failed call or step, an interrupt, or a line not
    /// written.
    fn summarize(&self, number: &PhoneNumber, interrupted: bool, started: Instant) -> Exit {
        let tally = &self.tally;
        eprintln!(
            "callctl: {number}: {} calls: {} terminated, {} already ended, {} failed, {} not attempted; {} steps \
             failed in {:.2}s{}",
            tally.total(),
            tally.terminated,
            tally.already_ended,
            tally.failed,
            tally.not_attempted,
            self.steps_failed,
            started.elapsed().as_secs_f64(),
            if interrupted { " (interrupted)" } else { "" },
        );
        if let Some((lost, error)) = self.lines.lost() {
            eprintln!("callctl: {lost} result lines could not be written to stdout: {error}");
        }
        let clean = tally.all_ended() && self.steps_failed == 0 && self.lines.lost().is_none();
        if clean && !interrupted {
            Exit::Success
        } else {
            Exit::Failures
        }
    }
}

/// A step's provider, name, result and error.
fn describe(
    event: &StopNumberEvent,
) -> (
    calls_facade::Provider,
    &'static str,
    &'static str,
    Option<&calls_facade::Error>,
) {
    match event {
        StopNumberEvent::Suppressed {
            provider,
            suppression,
        } => (
            *provider,
            "suppress",
            if *suppression == Suppression::Added {
                "added"
            } else {
                "already_listed"
            },
            None,
        ),
        StopNumberEvent::SuppressionUnsupported { provider } => {
            (*provider, "suppress", "unsupported", None)
        }
        StopNumberEvent::SuppressionFailed { provider, error } => {
            (*provider, "suppress", "failed", Some(error))
        }
        StopNumberEvent::SearchUnsupported { provider } => {
            (*provider, "search", "unsupported", None)
        }
        StopNumberEvent::SearchFailed { provider, error } => {
            (*provider, "search", "failed", Some(error))
        }
        // Calls are printed by the caller; this arm is never reached for them.
        StopNumberEvent::Call(report) => (report.provider, "call", report.outcome.as_str(), None),
        _ => (calls_facade::Provider::Cartesia, "unknown", "unknown", None),
    }
}
