//! Finding a number's calls, for "stop calling this number".

use call_core::provider_kit::ErrorExt;
use std::fmt;

use call_core::stop_number::NumberControl;
use call_core::{
    CallControl, CallId, CallState, PhoneNumber, Provider, TerminateOptions, Termination,
    async_trait,
};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::{CartesiaClient, ListCalls};

/// A [`NumberControl`] for Cartesia: finds the queued and live calls to a number among the calls of the agents
/// given, for [`stop_number`](call_core::stop_number::stop_number).
///
/// Cartesia lists calls per agent and has no do-not-call list, so:
/// - only the agents given are searched (every page of each, newest first, one agent after another; a failure
///   while listing one agent's calls is reported, naming the agent, and the next agent is still searched), and a
///   call is a match when its
///   `telephony_params.to` is the number and its status is not over (`created`, `started`, or a status this library
///   does not know);
/// - [`suppress_number`](NumberControl::suppress_number) answers `Unsupported`: Cartesia can still be asked to call
///   the number again, so stop placing calls to it in your own system;
/// - a call `created` (ringing, not answered) is found but Cartesia cannot cancel it: it is reported as failed, with
///   why.
///
/// ```no_run
/// use std::sync::Arc;
/// use call_core::stop_number::NumberTarget;
/// use cartesia_calls::CartesiaClient;
///
/// # fn run(client: CartesiaClient) {
/// let target = NumberTarget::new(Arc::new(client.number_search(["agent_sales", "agent_support"])));
/// # let _ = target;
/// # }
/// ```
#[derive(Clone)]
pub struct CartesiaNumberSearch {
    client: CartesiaClient,
    agent_ids: Vec<String>,
}

impl CartesiaClient {
    /// A [`NumberControl`] that searches the calls of `agent_ids` (see [`CartesiaNumberSearch`]).
    pub fn number_search<I, S>(&self, agent_ids: I) -> CartesiaNumberSearch
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CartesiaNumberSearch {
            client: self.clone(),
            agent_ids: agent_ids.into_iter().map(Into::into).collect(),
        }
    }
}

impl fmt::Debug for CartesiaNumberSearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CartesiaNumberSearch")
            .field("agent_ids", &self.agent_ids)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl CallControl for CartesiaNumberSearch {
    fn provider(&self) -> Provider {
        Provider::Cartesia
    }

    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        self.client.terminate(call_id).await
    }

    async fn terminate_with(
        &self,
        call_id: &CallId,
        options: &TerminateOptions,
    ) -> call_core::Result<Termination> {
        self.client.terminate_with(call_id, options).await
    }

    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        self.client.state(call_id).await
    }

    fn rate_limit(&self) -> Option<&call_core::RateLimit> {
        self.client.rate_limit()
    }
}

#[async_trait]
impl NumberControl for CartesiaNumberSearch {
    fn find_calls_to(&self, number: &PhoneNumber) -> BoxStream<'static, call_core::Result<CallId>> {
        let client = self.client.clone();
        let number = number.as_str().to_owned();
        // Each agent's calls are listed in turn; a failure (a mistyped agent id, a page that cannot be read) ends
        // that agent's listing only, names the agent, and the next agent is still searched.
        stream::iter(self.agent_ids.clone())
            .flat_map(move |agent| {
                let operation = format!("list the calls of agent {agent}");
                client
                    .list_calls(ListCalls::new(agent))
                    .map(move |call| call.map_err(|error| error.with_operation(operation.clone())))
            })
            .filter_map(move |call| {
                let found = match call {
                    Ok(call) => {
                        let to_number =
                            call.telephony_params.as_ref().and_then(|t| t.to.as_deref())
                                == Some(&number);
                        (to_number && !call.status.state().is_ended()).then_some(Ok(call.id))
                    }
                    Err(error) => Some(Err(error)),
                };
                std::future::ready(found)
            })
            .boxed()
    }
}
