//! Paths under `/agents/calls`: a call's, and the call batches'.
//!
//! Cartesia serves both from one prefix: `/agents/calls/{call_id}` and `/agents/calls/batches[/{batch_id}]`. Ids are
//! percent-encoded as one segment, but `batches` needs no encoding, so a call id `batches` would address the batches
//! instead: `GET /agents/calls/batches` lists batches, `GET /agents/calls/batches/logs` reads a batch named `logs`.
//! Cartesia's router matches the literal `batches` first, so no call can have that id; it is refused here, before
//! anything is sent.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::Request;
use call_core::{CallId, Error, ErrorKind, Provider};

use crate::BatchId;

/// The segment that makes a path a batch path.
const BATCHES: &str = "batches";

/// `request` at `/agents/calls/{call_id}`.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] for the call id `batches`, which would address the call batches.
pub(crate) fn call(request: Request, call_id: &CallId) -> call_core::Result<Request> {
    if call_id.as_str() == BATCHES {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "a cartesia call id cannot be `batches`: /agents/calls/batches is the call batches' path",
        )
        .with_provider(Provider::Cartesia)
        .with_operation(request.operation().to_owned())
        .with_call_id(call_id.clone()));
    }
    Ok(request
        .segment("agents")
        .segment("calls")
        .call_id_segment(call_id))
}

/// `request` at `/agents/calls/batches`.
pub(crate) fn batches(request: Request) -> Request {
    request.segment("agents").segment("calls").segment(BATCHES)
}

/// `request` at `/agents/calls/batches/{batch_id}`.
pub(crate) fn batch(request: Request, batch_id: &BatchId) -> Request {
    batches(request).segment(batch_id.as_str())
}
