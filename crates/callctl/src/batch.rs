//! `callctl cartesia batch ...`: call batches, and stopping one with its live calls.

use calls_facade::cartesia::{Batch, BatchId, CartesiaClient, CreateBatch, ListBatches, StopBatch};

use crate::bulk;
use crate::cli::{BatchCommand, Output};
use crate::exit::Exit;
use crate::single::{print, print_stream, read_lines, to_json};

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
            print_stream(
                client.list_batches_stream(request),
                max,
                output,
                to_json,
                text,
            )
            .await
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
        } => {
            let id = match batch_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            let options = StopBatch::new()
                .cancel_live_calls(cancel_live_calls)
                .max_concurrency(concurrency as usize);
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
            let handle = stop.stop_handle();
            let total = stop.calls() as u64;
            let tally = bulk::report(stop, handle, Some(total), Some(output)).await;
            if tally.all_ended() {
                Exit::Success
            } else {
                Exit::Failures
            }
        }
    }
}
