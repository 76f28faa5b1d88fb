//! `callctl cartesia batch ...`: call batches, and stopping one with its live calls.

use std::io::Write;

use calls_facade::cartesia::{
    Batch, BatchId, CartesiaClient, CreateBatch, ListBatches, Recipient, StopBatch,
};

use crate::bulk;
use crate::cli::{BatchCommand, Output};
use crate::exit::Exit;
use crate::lines::Lines;
use crate::single::{print, print_stream, read_lines, terminal_safe, to_json};

fn batch_id(raw: &str) -> Result<BatchId, Exit> {
    BatchId::new(raw).map_err(|error| Exit::usage(error.to_string()))
}

fn text(batch: &Batch) -> String {
    format!(
        "batch {} ({}): {} scheduled, {} dispatched, {} finished",
        batch.id,
        batch.status,
        batch.total_calls_scheduled,
        batch.total_calls_dispatched,
        batch.total_calls_finished
    )
}

pub(crate) async fn run(client: CartesiaClient, command: BatchCommand, output: Output) -> Exit {
    match command {
        BatchCommand::Create {
            name,
            agent_id,
            from_number_id,
            to,
            recipients_from,
        } => {
            let mut numbers = to;
            if let Some(path) = recipients_from {
                match read_lines(&path).await {
                    Ok(lines) => numbers.extend(lines),
                    Err(exit) => return exit,
                }
            }
            let request = numbers.into_iter().fold(
                CreateBatch::new(name, agent_id, from_number_id),
                CreateBatch::to,
            );
            print(client.create_batch(&request).await, output, to_json, text)
        }
        BatchCommand::Get { id } => match batch_id(&id) {
            Ok(id) => print(client.get_batch(&id).await, output, to_json, text),
            Err(exit) => exit,
        },
        BatchCommand::List { agent_id, max } => {
            let mut request = ListBatches::new();
            if let Some(agent_id) = agent_id {
                request = request.agent_id(agent_id);
            }
            print_stream(client.list_batches(request), max, output, to_json, text).await
        }
        BatchCommand::Cancel { id } => match batch_id(&id) {
            Ok(id) => print(client.cancel_batch(&id).await, output, to_json, text),
            Err(exit) => exit,
        },
        BatchCommand::Retry { id } => match batch_id(&id) {
            Ok(id) => print(client.retry_batch(&id).await, output, to_json, text),
            Err(exit) => exit,
        },
        BatchCommand::Stop {
            id,
            cancel_live_calls,
            concurrency,
            waits,
        } => {
            let id = match batch_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            let mut options = StopBatch::new()
                .cancel_live_calls(cancel_live_calls)
                .max_concurrency(concurrency as usize)
                .max_pause(waits.max_pause);
            if !waits.ring_wait.is_zero() {
                options = options.ring_wait(waits.ring_wait);
            }
            let stop = match client.stop_batch(&id, options).await {
                Ok(stop) => stop,
                Err(error) => return crate::single::failure(&error, output),
            };
            eprintln!(
                "callctl: batch {} cancelled: {} recipients withdrawn before dialling; {} calls already placed{}",
                stop.batch().id,
                stop.withdrawn_recipients(),
                stop.calls(),
                if cancel_live_calls {
                    ", terminating them:"
                } else {
                    " run on (--cancel-live-calls ends them)"
                },
            );
            // Taken before the stream is read (it consumes the answer): printed after the calls' lines, next to the
            // summary, where whoever reads the output at the end sees them.
            let batch = stop.batch().id.to_string();
            let unaccounted: Vec<Recipient> = stop.unaccounted().cloned().collect();
            let handle = stop.stop_handle();
            let pauses = stop.pauses();
            let total = stop.calls() as u64;
            let calls = bulk::report(stop, handle, pauses, Some(total), Some(output)).await;
            let unaccounted_written = print_unaccounted(&batch, &unaccounted, output);
            if calls.all_ended() && unaccounted.is_empty() && unaccounted_written {
                Exit::Success
            } else {
                Exit::Failures
            }
        }
    }
}

/// Prints one line per recipient nobody can account for (the dialer had it, no call id when the batch was read), on
/// stdout in the output's form through the same writer as the calls' lines, and one sentence on stderr saying what
/// they mean and what to do. `false` when the lines could not all be written, which the exit status must say too.
fn print_unaccounted(batch: &str, recipients: &[Recipient], output: Output) -> bool {
    if recipients.is_empty() {
        return true;
    }
    let mut lines = Lines::default();
    for recipient in recipients {
        lines.push(|out| match output {
            Output::Json => {
                // Serializing a `Value` into a Vec cannot fail; should it ever, the line says so.
                if serde_json::to_writer(&mut *out, &unaccounted_json(batch, recipient)).is_err() {
                    out.extend_from_slice(br#"{"outcome":"unaccounted","error":{"kind":"internal"}}"#);
                }
            }
            Output::Text => {
                // Writing into a Vec cannot fail.
                let _infallible = write!(
                    out,
                    "unaccounted     recipient {} {} ({}): no call when the batch was read, one may still be \
                     placed",
                    terminal_safe(&recipient.id),
                    terminal_safe(&recipient.to_number),
                    terminal_safe(recipient.status.as_str()),
                );
            }
        });
    }
    lines.flush();
    eprintln!(
        "callctl: {} recipients of batch {batch} are unaccounted for (a line each on stdout, outcome \
         \"unaccounted\"): the dialer had them but no call when the batch was read, so each may still get a call; \
         run this command again in a minute to stop the calls placed since (the cancel is idempotent)",
        recipients.len(),
    );
    match lines.lost() {
        None => true,
        Some((lost, error)) => {
            eprintln!(
                "callctl: {lost} unaccounted recipients' lines could not be written: {error}"
            );
            false
        }
    }
}

/// An unaccounted recipient's JSON line: the cancel contract's keys (no call, so `call_id` is null and `attempts` 0)
/// plus the batch and the recipient, so a script can tell who may still be called.
fn unaccounted_json(batch: &str, recipient: &Recipient) -> serde_json::Value {
    serde_json::json!({
        "attempts": 0,
        "batch_id": batch,
        "call_id": null,
        "error": null,
        "outcome": "unaccounted",
        "provider": "cartesia",
        "recipient_id": recipient.id,
        "recipient_status": recipient.status.as_str(),
        "to_number": recipient.to_number,
    })
}
