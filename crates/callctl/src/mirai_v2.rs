//! `callctl mirai-v2 ...`: the new API's operations.

use calls_facade::mirai::MiraiV2Client;
use calls_facade::mirai::v2::{Call, CreateCall, ListCalls};
use futures_util::StreamExt;

use crate::cli::{MiraiV2Command, Output};
use crate::exit::Exit;
use crate::single::{call_id, failure, field, print};

pub(crate) async fn run(client: MiraiV2Client, command: MiraiV2Command, output: Output) -> Exit {
    match command {
        // Bulk abort is dispatched by main.rs.
        MiraiV2Command::Abort(_) => Exit::usage("internal: abort is a bulk command"),
        MiraiV2Command::Campaign(command) => {
            crate::campaign::campaign(client, command, output).await
        }
        MiraiV2Command::Dnc(command) => crate::campaign::dnc(client, command, output).await,
        MiraiV2Command::Create {
            agent_id,
            to,
            idempotency_key,
        } => {
            let mut call = CreateCall::phone(agent_id, to);
            if let Some(key) = idempotency_key {
                call = call.idempotency_key(key);
            }
            print(
                client.create_call(&call).await,
                output,
                |created| {
                    serde_json::json!({
                        "call_id": created.id.as_str(),
                        "status": created.status.as_str(),
                        "idempotency_key": created.idempotency_key,
                    })
                },
                |created| {
                    format!(
                        "queued {} (idempotency key {})",
                        created.id, created.idempotency_key
                    )
                },
            )
        }
        MiraiV2Command::Get { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(client.get_call(&id).await, output, call_json, call_text)
        }
        MiraiV2Command::Status { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client.get_call(&id).await,
                output,
                |call| {
                    serde_json::json!({
                        "provider": "mirai-v2",
                        "call_id": call.id.as_str(),
                        "state": call.status.state().as_str(),
                        "status": call.status.as_str(),
                    })
                },
                |call| format!("{} ({})", call.status.state(), call.status),
            )
        }
        MiraiV2Command::List {
            agent_id,
            page_size,
            max,
        } => {
            let mut query = ListCalls::new().limit(page_size);
            if let Some(agent_id) = agent_id {
                query = query.agent_id(agent_id);
            }
            let calls = client.list_calls(query);
            let mut calls = std::pin::pin!(calls);
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
                                    "{}  {:<11}  {}",
                                    call.id,
                                    call.status.as_str(),
                                    call.created_at.map(|t| t.to_string()).unwrap_or_default()
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
        MiraiV2Command::Transcript { id } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client.transcript(&id).await,
                output,
                |transcript| serde_json::to_value(transcript).unwrap_or_default(),
                |transcript| {
                    transcript
                        .turns
                        .iter()
                        .map(|turn| format!("{}: {}", turn.role, turn.text))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            )
        }
        MiraiV2Command::Recording { id, out } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client.download_recording_to_file(&id, &out).await,
                output,
                |bytes| serde_json::json!({"call_id": id.as_str(), "file": out.display().to_string(), "bytes": bytes}),
                |bytes| format!("wrote {bytes} bytes to {}", out.display()),
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
        field("agent", call.agent_id.as_ref()),
        field("created", call.created_at),
        field("started", call.started_at),
        field("ended", call.ended_at),
        field("ended reason", call.ended_reason.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}
