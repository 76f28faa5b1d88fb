//! `callctl cartesia ...`: every operation of the Cartesia client.

use calls_facade::cartesia::{
    Call, CallLogsResult, CartesiaClient, CreateOutboundCalls, ListCalls,
};

use crate::call_commands::{print_download, print_status};
use crate::cli::{CallArg, CartesiaCommand, DownloadArgs, Output};
use crate::exit::Exit;
use crate::single::{call_id, field, print, print_stream, terminal_safe};

pub(crate) async fn run(client: CartesiaClient, command: CartesiaCommand, output: Output) -> Exit {
    command_for(client, command, output)
        .await
        .unwrap_or_else(|exit| exit)
}

/// Runs `command`; `Err` is an exit before anything was sent (an id that cannot be one).
async fn command_for(
    client: CartesiaClient,
    command: CartesiaCommand,
    output: Output,
) -> Result<Exit, Exit> {
    Ok(match command {
        // Bulk cancel is dispatched by main.rs.
        CartesiaCommand::Cancel(_) => Exit::usage("internal: cancel is a bulk command"),
        CartesiaCommand::Batch(command) => crate::batch::run(client, command, output).await,
        CartesiaCommand::Get(CallArg { id }) => print(
            client.get_call(&call_id(&id)?).await,
            output,
            call_json,
            call_text,
        ),
        CartesiaCommand::Status(CallArg { id }) => print_status(
            client.get_call(&call_id(&id)?).await,
            output,
            "cartesia",
            |call| (&call.id, call.status.state(), call.status.as_str()),
        ),
        CartesiaCommand::List {
            agent_id,
            page_size,
            max,
            transcript,
        } => {
            let request = ListCalls::new(agent_id)
                .limit(page_size)
                .expand_transcript(transcript);
            print_stream(client.list_calls(request), max, output, call_json, |call| {
                terminal_safe(&format!(
                    "{}  {:<9}  {}",
                    call.id,
                    call.status.as_str(),
                    call.start_time.map(|t| t.to_string()).unwrap_or_default()
                ))
                .into_owned()
            })
            .await
        }
        CartesiaCommand::Delete(CallArg { id }) => print(
            client.delete_call(&call_id(&id)?).await,
            output,
            call_json,
            |call| {
                format!(
                    "deleted the data of {} (redacted at {})",
                    call.id,
                    display(call.redacted_at)
                )
            },
        ),
        CartesiaCommand::Audio(DownloadArgs { id, out }) => {
            let id = call_id(&id)?;
            print_download(
                client.download_audio_to_file(&id, &out).await,
                output,
                &id,
                &out,
            )
        }
        CartesiaCommand::Logs(CallArg { id }) => {
            let id = call_id(&id)?;
            print(
                client.get_call_logs(&id).await,
                output,
                |logs| match logs {
                    CallLogsResult::Available(logs) => serde_json::json!({
                        "call_id": logs.call_id.as_str(),
                        "available": true,
                        "logs": logs.logs,
                        "updated_at": logs.updated_at.to_string(),
                    }),
                    _ => {
                        serde_json::json!({"call_id": id.as_str(), "available": false, "logs": []})
                    }
                },
                |logs| match logs {
                    CallLogsResult::Available(logs) => logs.logs.join("\n"),
                    _ => String::from(
                        "no logs available (not generated yet, or removed by data retention)",
                    ),
                },
            )
        }
        CartesiaCommand::Create {
            agent_id,
            from_number_id,
            to,
        } => {
            let request = to.into_iter().fold(
                CreateOutboundCalls::new(agent_id, from_number_id),
                CreateOutboundCalls::to,
            );
            print(
                client.create_outbound_calls(&request).await,
                output,
                |placed| {
                    let calls: Vec<_> = placed
                        .calls
                        .iter()
                        .map(|c| {
                            serde_json::json!({
                                "number": c.number,
                                "call_id": c.call_id.as_ref().map(|id| id.as_str()),
                                "error": c.error.as_ref().map(|e| e.message.clone()),
                            })
                        })
                        .collect();
                    serde_json::json!({ "calls": calls })
                },
                |placed| {
                    placed
                        .calls
                        .iter()
                        .map(|c| match (&c.call_id, &c.error) {
                            (Some(id), _) => format!("{}: placed {id}", c.number),
                            (None, Some(error)) => format!(
                                "{}: failed: {}",
                                c.number,
                                error.message.as_deref().unwrap_or("no message")
                            ),
                            (None, None) => format!("{}: no call id in the answer", c.number),
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            )
        }
    })
}

fn call_json(call: &Call) -> serde_json::Value {
    serde_json::to_value(call).unwrap_or_else(|_| serde_json::json!({"id": call.id.as_str()}))
}

fn call_text(call: &Call) -> String {
    [
        Some(format!(
            "call {} ({}, {})",
            call.id,
            call.status,
            call.status.state()
        )),
        field("agent", Some(&call.agent_id)),
        field("started", call.start_time),
        field("ended", call.end_time),
        field("end reason", call.end_reason.as_ref()),
        field("redacted", call.redacted_at),
        field("summary", call.summary.as_ref()),
        field("error", call.error_message.as_ref()),
        call.transcript
            .as_ref()
            .map(|t| format!("transcript: {} turns", t.len())),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}

fn display(value: Option<impl std::fmt::Display>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| String::from("-"))
}
