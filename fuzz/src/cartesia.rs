//! Cartesia's decoders of success bodies: call records (and what `terminate` reads of them), batch records, list
//! pages, and the answers to Cancel Call, Create Outbound Call and Get Call Runtime Logs.

use call_core::{Error, ErrorKind};
use cartesia_calls::fuzzing;
use cartesia_calls::{Batch, Call};

use crate::Outcome;
use crate::check;

/// A call record (`AgentCall`), as `get_call`, `delete_call` and list items decode it (`Response::json` into the
/// public [`Call`]), and the same body as `terminate` reads it (`json::CallOutcomeBody::read`, status and end reason
/// only). An accepted record answers its accessors and re-encodes to JSON that decodes to the same record; the
/// narrow read of an accepted record that is a JSON object must succeed and agree with it; a refusal is a `Decode`
/// error that quotes nothing of the body.
pub fn cartesia_call(data: &[u8]) -> Outcome {
    let result = fuzzing::response("get call", 200, data).json::<Call>();
    let outcome = fuzzing::call_outcome(data);
    match &result {
        Ok(call) => {
            let _ = call.state();
            let _ = call.status.is_terminable();
            check::reencodes(call);
            // Only for JSON objects, which is all Cartesia sends: serde's derive also takes a struct as an array of
            // its fields in order (`["ac_1", "agent_1", "started"]`), and serde_json skips fields `Call` does not
            // know without checking their UTF-8, so a `Call` decodes from such bodies, which the narrow read
            // (`Response::json_object`) refuses.
            assert!(
                outcome.is_ok()
                    || serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(data)
                        .is_err(),
                "terminate cannot read a call that decodes: {outcome:?}"
            );
            if let Ok((status, end_reason, cancelled)) = &outcome {
                assert_eq!(&call.status, status, "terminate reads another status");
                assert_eq!(
                    &call.end_reason, end_reason,
                    "terminate reads another end reason"
                );
                assert_eq!(
                    call.was_cancelled_by_api(),
                    *cancelled,
                    "terminate reads another cancellation"
                );
            }
        }
        Err(error) => decode_error(error),
    }
    if let Err(error) = &outcome {
        decode_error(error);
    }
    Outcome::of(&result)
}

/// A batch record (`AgentCallBatch`) with its recipients, as `get_batch` and the other batch endpoints decode it.
pub fn cartesia_batch(data: &[u8]) -> Outcome {
    let result = fuzzing::response("get batch", 200, data).json::<Batch>();
    match &result {
        Ok(batch) => {
            let _ = batch.is_dispatch_complete();
            let _ = batch.all_calls_finished();
            assert!(batch.undispatched_recipients() <= batch.total_calls_scheduled);
            check::reencodes(batch);
        }
        Err(error) => decode_error(error),
    }
    Outcome::of(&result)
}

/// A list page of calls or of batches (one input is tried as both), decoded as `list_calls` and `list_batches` do
/// (`json::PageBody`).
pub fn cartesia_page(data: &[u8]) -> Outcome {
    let calls = fuzzing::call_page(data);
    match &calls {
        Ok((items, _, _)) => items.iter().for_each(check::reencodes),
        Err(error) => decode_error(error),
    }
    let batches = fuzzing::batch_page(data);
    match &batches {
        Ok((items, _, _)) => items.iter().for_each(check::reencodes),
        Err(error) => decode_error(error),
    }
    Outcome::of(&calls).or(Outcome::of(&batches))
}

/// The answers to Cancel Call (`json::CancelBody`), Create Outbound Call (`json::OutboundResponseBody`) and Get Call
/// Runtime Logs (`json::CallLogsBody`); one input is tried as each. A refusal is a `Decode` error that quotes
/// nothing of the body.
pub fn cartesia_answers(data: &[u8]) -> Outcome {
    let cancel = fuzzing::cancel_answer(data);
    let outbound = fuzzing::outbound_answer(data);
    let logs = fuzzing::call_logs(data);
    for error in [
        cancel.as_ref().err(),
        outbound.as_ref().err(),
        logs.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        decode_error(error);
    }
    if let Ok(calls) = &outbound {
        for (number, id, error) in calls {
            let _ = (number, id.as_ref().map(|id| id.as_str()), error);
        }
    }
    if let Ok((id, lines, updated)) = &logs {
        let _ = (id.as_str(), lines.len(), updated.to_string());
    }
    Outcome::of(&cancel)
        .or(Outcome::of(&outbound))
        .or(Outcome::of(&logs))
}

/// A success body that does not decode: a `Decode` error on one line that quotes nothing of the body.
fn decode_error(error: &Error) {
    check::error_is(error, ErrorKind::Decode);
    check::quotes_no_body(error);
}
