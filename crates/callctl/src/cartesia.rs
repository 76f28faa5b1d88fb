//! `callctl cartesia ...`: every operation of the Cartesia client.

use calls_facade::cartesia::{
    Call, CallLogsResult, CartesiaClient, CreateOutboundCalls, ListCalls,
};
use futures_util::StreamExt;

use crate::cli::{CartesiaCommand, Output};
use crate::exit::Exit;
use crate::single::{call_id, failure, field, print};

pub(crate) async fn run(client: CartesiaClient, command: CartesiaCommand, output: Output) -> Exit {
    match command {
        // Bulk cancel is dispatched by main.rs.
        CartesiaCommand::Cancel(_) => Exit::usage("internal: cancel is a bulk command"),
        CartesiaCommand::Batch(command) => crate::batch::run(client, command, output).await,
        CartesiaCommand::Get { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(client.get_call(&id).await, output, call_json, call_text)
        }
        CartesiaCommand::Status { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client.get_call(&id).await,
                output,
                |call| {
                    serde_json::json!({
                        "provider": "cartesia",
                        "call_id": call.id.as_str(),
                        "state": call.status.state().as_str(),
                        "status": call.status.as_str(),
                    })
                },
                |call| format!("{} ({})", call.status.state(), call.status),
            )
        }
        CartesiaCommand::List {
            agent_id,
            page_size,
            max,
            transcript,
        } => {
            let request = ListCalls::new(agent_id)
                .limit(page_size)
                .expand_transcript(transcript);
            let mut calls = client.list_calls_stream(request);
            let mut printed = 0u64;
            while max.is_none_or(|max| printed < max) {
                match calls.next().await {
                    None => break,
                    Some(Ok(call)) => {
                        match output {
                            Output::Json => println!("{}", call_json(&call)),
                            Output::Text => println!(
                                "{}",
                                crate::single::terminal_safe(&format!(
                                    "{}  {:<9}  {}",
                                    call.id,
                                    call.status.as_str(),
                                    call.start_time.map(|t| t.to_string()).unwrap_or_default()
                                ))
                            ),
                        }
                        printed += 1;
                    }
                    Some(Err(error)) => return failure(&error, output),
                }
            }
            Exit::Success
        }
        CartesiaCommand::Delete { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(client.delete_call(&id).await, output, call_json, |call| {
                format!(
                    "deleted the data of {} (redacted at {})",
                    call.id,
                    display(call.redacted_at)
                )
            })
        }
        CartesiaCommand::Audio { id, out } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client.download_audio_to_file(&id, &out).await,
                output,
                |bytes| serde_json::json!({"call_id": id.as_str(), "file": out.display().to_string(), "bytes": bytes}),
                |bytes| format!("wrote {bytes} bytes to {}", out.display()),
            )
        }
        CartesiaCommand::Logs { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
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
    }
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
