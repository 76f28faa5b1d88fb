//! `callctl mirai-v2 ...`: the new API's operations.

use calls_facade::mirai::MiraiV2Client;
use calls_facade::mirai::v2::{Call, CreateCall, ListCalls};

use crate::call_commands::{print_download, print_status};
use crate::cli::{CallArg, DownloadArgs, MiraiV2Command, Output};
use crate::exit::Exit;
use crate::single::{call_id, field, print, print_stream, terminal_safe};

pub(crate) async fn run(client: MiraiV2Client, command: MiraiV2Command, output: Output) -> Exit {
    command_for(client, command, output)
        .await
        .unwrap_or_else(|exit| exit)
}

/// Runs `command`; `Err` is an exit before anything was sent (an id that cannot be one).
async fn command_for(
    client: MiraiV2Client,
    command: MiraiV2Command,
    output: Output,
) -> Result<Exit, Exit> {
    Ok(match command {
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
        MiraiV2Command::Get(CallArg { id }) => print(
            client.get_call(&call_id(&id)?).await,
            output,
            call_json,
            call_text,
        ),
        MiraiV2Command::Status(CallArg { id }) => print_status(
            client.get_call(&call_id(&id)?).await,
            output,
            "mirai-v2",
            |call| (&call.id, call.status.state(), call.status.as_str()),
        ),
        MiraiV2Command::List {
            agent_id,
            page_size,
            max,
        } => {
            let mut query = ListCalls::new().limit(page_size);
            if let Some(agent_id) = agent_id {
                query = query.agent_id(agent_id);
            }
            print_stream(client.list_calls(query), max, output, call_json, |call| {
                terminal_safe(&format!(
                    "{}  {:<11}  {}",
                    call.id,
                    call.status.as_str(),
                    call.created_at.map(|t| t.to_string()).unwrap_or_default()
                ))
                .into_owned()
            })
            .await
        }
        MiraiV2Command::Transcript(CallArg { id }) => print(
            client.transcript(&call_id(&id)?).await,
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
        ),
        MiraiV2Command::Recording(DownloadArgs { id, out }) => {
            let id = call_id(&id)?;
            print_download(
                client.download_recording_to_file(&id, &out).await,
                output,
                &id,
                &out,
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
