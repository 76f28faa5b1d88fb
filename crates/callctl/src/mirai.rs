//! `callctl mirai ...`: the legacy API's operations.

use calls_facade::mirai::MiraiLegacyClient;
use calls_facade::mirai::legacy::{CallPayload, InitiateCall};

use crate::cli::{MiraiCommand, Output};
use crate::exit::Exit;
use crate::single::{call_id, print};

pub(crate) async fn run(client: MiraiLegacyClient, command: MiraiCommand, output: Output) -> Exit {
    match command {
        // Bulk abort is dispatched by main.rs.
        MiraiCommand::Abort(_) => Exit::usage("internal: abort is a bulk command"),
        MiraiCommand::Initiate {
            phone_number,
            assistant,
            callback_url,
            priority,
            payload,
            metadata,
        } => {
            let mut call = InitiateCall::new(phone_number, assistant).priority(priority);
            if let Some(url) = callback_url {
                call = call.callback_url(url);
            }
            if let Some(payload) = payload {
                call = call.payload(CallPayload::Custom(payload));
            }
            if let Some(metadata) = metadata {
                call = call.metadata(metadata);
            }
            print(
                client.initiate_call(&call).await,
                output,
                |queued| serde_json::json!({"call_id": queued.call_id.as_str(), "status": queued.status.as_str()}),
                |queued| format!("queued {} ({})", queued.call_id, queued.status),
            )
        }
        MiraiCommand::Update { id, payload } => {
            let id = match call_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            print(
                client
                    .update_call_payload(&id, CallPayload::Custom(payload))
                    .await,
                output,
                |()| serde_json::json!({"call_id": id.as_str(), "updated": true}),
                |()| format!("updated the payload of {id}"),
            )
        }
    }
}
