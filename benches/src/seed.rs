//! `seed`: `started` calls (and, for a soak, some ringing ones) through the simulator's `/_sim` control API.
//!
//! The control API seeds one call per request (its batch route, `/_sim/cartesia/agents/{id}/calls`, makes finished
//! calls, which cannot be cancelled), so seeding sends one small request per call, `concurrency` at a time, over
//! kept-alive connections: about as fast as the cancels themselves. With a [`FaultPlan`], the calls it picks also get
//! their fault scripted through `/_sim/faults`, right after the call is seeded.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use futures_util::stream::{self, StreamExt};

use crate::Calls;
use crate::soak::FaultPlan;

/// Seeds the calls and the faults `plan` picks, then writes their ids to `ids_file` when given.
///
/// # Errors
///
/// When the simulator refuses a seed or cannot be reached, or the file cannot be written.
pub(crate) async fn run(calls: &Calls, ids_file: Option<&Path>, plan: &FaultPlan) -> Result<()> {
    let (base_url, _) = crate::simulator_env()?;
    let seed_url = format!("{base_url}/_sim/cartesia/calls");
    let fault_url = format!("{base_url}/_sim/faults");
    let http = reqwest::Client::new();
    let post = |url: &str, body: serde_json::Value| {
        let request = http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send();
        async move {
            let response = request.await.context("cannot reach the simulator")?;
            let status = response.status();
            // Read the answer whole so the connection goes back to the pool.
            let _ = response.bytes().await;
            if status != reqwest::StatusCode::CREATED {
                bail!("the simulator answered {status} to {body}");
            }
            Ok(())
        }
    };
    let mut answers = stream::iter((0..calls.count).zip(calls.ids()))
        .map(|(index, id)| {
            let trouble = plan.fault(index, calls.count);
            let seeded = post(&seed_url, plan.call(&id, trouble));
            let fault = trouble
                .and_then(|trouble| plan.script(&id, trouble))
                .map(|script| post(&fault_url, script));
            async move {
                seeded.await?;
                if let Some(fault) = fault {
                    fault.await?;
                }
                Ok::<(), anyhow::Error>(())
            }
        })
        .buffer_unordered(calls.concurrency.max(1));
    while let Some(answer) = answers.next().await {
        answer?;
    }
    if let Some(path) = ids_file {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = BufWriter::new(file);
        for id in calls.ids() {
            writeln!(out, "{id}")?;
        }
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
