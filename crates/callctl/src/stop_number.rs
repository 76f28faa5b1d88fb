//! `callctl stop-number +E164`: suppress a number and end its calls at every configured provider.

use std::io::Write;
use std::sync::Arc;

use calls_facade::bulk::BulkOptions;
use calls_facade::core::stop_number::{
    NumberControl, NumberTarget, StopNumberEvent, Suppression, stop_number,
};
use calls_facade::{CallId, PhoneNumber};
use futures_util::StreamExt;

use crate::bulk::{self, Tally};
use crate::cli::{Common, Output, ProviderName, StopNumberArgs};
use crate::config;
use crate::exit::Exit;

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
    let options = BulkOptions::new().with_max_concurrency(args.concurrency as usize);
    let mut events = stop_number(targets, number.clone(), options);
    let mut tally = Tally::default();
    let mut step_failed = false;
    let stdout = std::io::stdout();
    while let Some(event) = events.next().await {
        let line = match (&event, common.output) {
            (StopNumberEvent::Call(report), Output::Json) => {
                tally.add(&report.outcome);
                bulk::json_line(report)
            }
            (StopNumberEvent::Call(report), Output::Text) => {
                tally.add(&report.outcome);
                format!("{}: {}", report.provider, bulk::text_line(report))
            }
            (step, output) => {
                let (provider, name, result, error) = describe(step);
                step_failed |= error.is_some();
                match output {
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
                }
            }
        };
        let mut out = stdout.lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }
    eprintln!(
        "callctl: {number}: {} calls: {} terminated, {} already ended, {} failed",
        tally.total(),
        tally.terminated,
        tally.already_ended,
        tally.failed
    );
    if tally.all_ended() && !step_failed {
        Exit::Success
    } else {
        Exit::Failures
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
