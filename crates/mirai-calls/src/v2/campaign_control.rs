//! Start, pause, resume and stop a campaign, each answered with the state reached; and the calls a campaign still
//! has ringing or live.

use std::collections::HashSet;
use std::fmt;

use call_core::Error;
use call_core::provider_kit::{Attempt, Decision, Happened, Idempotency};
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;

use super::call::Call;
use super::campaign::CampaignStatus;
use super::campaign_contact::ContactStatus;
use super::campaign_id::CampaignId;
use super::campaigns::{ListContacts, campaign_request};
use super::error_body::error_from;
use super::page::until_error;
use crate::MiraiV2Client;

/// How a start, pause, resume or stop ended: every variant is a success, the campaign is where you asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeOutcome {
    /// Mirai accepted the change (202).
    Applied,
    /// The campaign was already in the state asked for: Mirai answered 409 `conflict` (or no clear answer came),
    /// and reading the campaign showed the state reached, perhaps by an earlier attempt of ours whose answer was
    /// lost, perhaps by someone else.
    AlreadyInState,
    /// Stop only: the campaign had already `completed` (finished by Mirai). It will never dial again, but its
    /// pending contacts stay `pending` rather than `aborted`.
    AlreadyFinished,
}

impl ChangeOutcome {
    /// The outcome's stable name: `applied`, `already_in_state` or `already_finished`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOutcome::Applied => "applied",
            ChangeOutcome::AlreadyInState => "already_in_state",
            ChangeOutcome::AlreadyFinished => "already_finished",
        }
    }
}

impl fmt::Display for ChangeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer to [`start_campaign`](MiraiV2Client::start_campaign), [`pause_campaign`](MiraiV2Client::pause_campaign),
/// [`resume_campaign`](MiraiV2Client::resume_campaign) and [`stop_campaign`](MiraiV2Client::stop_campaign).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignChange {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its status: from the 202 (`play`, `paused`, `stopped`), or as read when the outcome is not
    /// [`Applied`](ChangeOutcome::Applied).
    pub status: CampaignStatus,
    /// How it got there.
    pub outcome: ChangeOutcome,
    /// Start only: how many calls the wallet covers (a one-minute-per-call estimate), present when it cannot cover
    /// every remaining contact. The campaign starts anyway and pauses itself with `insufficient_balance` later.
    pub funded_calls: Option<u64>,
    /// How many requests it took, the read included.
    pub attempts: u32,
}

#[derive(Deserialize)]
struct ChangeBody {
    status: CampaignStatus,
    #[serde(default)]
    funded_calls: Option<u64>,
}

/// The four lifecycle requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Start,
    Pause,
    Resume,
    Stop,
}

impl Action {
    fn segment(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Stop => "stop",
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Action::Start => "start campaign",
            Action::Pause => "pause campaign",
            Action::Resume => "resume campaign",
            Action::Stop => "stop campaign",
        }
    }

    /// What a campaign in `status` means for this request once it is refused: reached, or not.
    fn reached(self, status: &CampaignStatus) -> Option<ChangeOutcome> {
        match (self, status) {
            (Action::Start | Action::Resume, CampaignStatus::Play)
            | (Action::Pause, CampaignStatus::Paused)
            | (Action::Stop, CampaignStatus::Stopped) => Some(ChangeOutcome::AlreadyInState),
            (Action::Stop, CampaignStatus::Completed) => Some(ChangeOutcome::AlreadyFinished),
            _ => None,
        }
    }
}

/// Whether a failed lifecycle request is worth reading the campaign for: a 409 `conflict` (the campaign is not in
/// a state the request is allowed from, which may be the state asked for), or an answer that leaves in doubt
/// whether the request took effect. Not for codes that document that nothing changed.
fn worth_reading(error: &Error) -> bool {
    match error.provider_code() {
        Some("conflict") => error.status() == Some(409),
        // `fleet_offline`: "nothing is charged and the campaign stays where it was"; `campaigns_unavailable`: off.
        Some("window_closed" | "fleet_offline" | "campaigns_unavailable" | "rate_limited") => false,
        _ => error.status() == Some(409) || error.is_ambiguous(),
    }
}

impl MiraiV2Client {
    /// Starts a `draft` or `paused` campaign: `POST /v2/campaigns/{id}/start`.
    ///
    /// 202 means the dialler runs, not that a phone rings: outside its window the campaign sleeps in `play`. From
    /// `paused`, start re-runs the fleet and wallet checks that [`resume_campaign`](Self::resume_campaign) skips:
    /// it is how to continue after a top-up. When the wallet cannot cover every remaining contact the campaign
    /// starts anyway, [`CampaignChange::funded_calls`] says how far it goes, and it pauses itself with
    /// `insufficient_balance` later.
    ///
    /// Retried on connection failures, timeouts, 429 (`rate_limited`: the workspace queue is full) and 5xx: a
    /// repeat finds the campaign in `play` and gets 409 `conflict`, which we read as
    /// [`ChangeOutcome::AlreadyInState`] after reading the campaign (so `funded_calls` is then unknown).
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `conflict` when the campaign is `stopped` or `completed`, and for 409
    ///   `window_closed`: the calling window can never open again (extend `end_date` or widen the slots with
    ///   [`update_campaign`](Self::update_campaign), then start again). Nothing was dialled.
    /// - 503 `fleet_offline` ([`ErrorKind::Upstream`](call_core::ErrorKind::Upstream), with `Retry-After: 300`): speech capacity is offline,
    ///   nothing is charged and the status is unchanged; try again later.
    /// - 400 `invalid_flow` ([`ErrorKind::InvalidInput`](call_core::ErrorKind::InvalidInput)), re-checked at start; and the errors of
    ///   [`stop_campaign`](Self::stop_campaign).
    pub async fn start_campaign(&self, id: &CampaignId) -> call_core::Result<CampaignChange> {
        self.change(id, Action::Start).await
    }

    /// Pauses a `play` campaign: `POST /v2/campaigns/{id}/pause`, immediate, even while it sleeps outside its window.
    ///
    /// New calls stop; **calls already live are not hung up**, they finish (abort one with
    /// [`abort_call`](Self::abort_call), or [stop](Self::stop_campaign) the campaign to hang them all up).
    /// Reversible with [`resume_campaign`](Self::resume_campaign).
    ///
    /// Safe to repeat, so it is retried on connection failures, timeouts, 429 and 5xx: repeating a pause leaves the
    /// campaign paused. Mirai answers a pause of anything but `play` with 409 `conflict`; we then read the campaign,
    /// and a `paused` one (by an earlier attempt of ours, by someone else, or by the money gate) is
    /// [`ChangeOutcome::AlreadyInState`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `conflict` when the campaign is `draft`, `stopped` or `completed`; and the
    /// errors of [`stop_campaign`](Self::stop_campaign).
    pub async fn pause_campaign(&self, id: &CampaignId) -> call_core::Result<CampaignChange> {
        self.change(id, Action::Pause).await
    }

    /// Resumes a `paused` campaign whose dialler still runs: `POST /v2/campaigns/{id}/resume`.
    ///
    /// Retried like [`pause_campaign`](Self::pause_campaign): a 409 `conflict` on a campaign found in `play` is
    /// [`ChangeOutcome::AlreadyInState`].
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `conflict` when the campaign is not paused, **or** is paused without a
    ///   running dialler (after the money gate paused it, say): Mirai's message then says to use
    ///   [`start_campaign`](Self::start_campaign), which re-runs the wallet and fleet checks.
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `window_closed`: the window can never open again; the campaign stays
    ///   paused.
    /// - The errors of [`stop_campaign`](Self::stop_campaign).
    pub async fn resume_campaign(&self, id: &CampaignId) -> call_core::Result<CampaignChange> {
        self.change(id, Action::Resume).await
    }

    /// Stops a campaign for good: `POST /v2/campaigns/{id}/stop`, allowed from `draft`, `play` and `paused`.
    ///
    /// **What stop does, per Mirai's docs:** it hangs up the campaign's live calls, marks its pending contacts (and
    /// those in flight) `aborted`, and the campaign never dials again. It is terminal and cannot be undone; to
    /// halt a campaign and keep the option to continue, [pause](Self::pause_campaign) it instead (live calls then
    /// finish).
    ///
    /// What the docs do not say: how soon after the 202 the live calls are hung up, and with which status and
    /// reason they end (presumably `aborted` / `aborted-by-api`, as "live calls are aborted" suggests). To check,
    /// read [`campaign_live_calls`](Self::campaign_live_calls) until it yields nothing, and abort any straggler by
    /// id. Stop does nothing to calls placed by other campaigns or by [`create_call`](Self::create_call) to the
    /// same people: see [`find_active_calls_to`](Self::find_active_calls_to) and the
    /// [do-not-call list](Self::add_to_dnc).
    ///
    /// Safe to repeat, so it is retried on connection failures, timeouts, 429 and 5xx. Mirai documents no answer
    /// for stopping a `stopped` or `completed` campaign; when the stop is refused (409) or no clear answer comes, we
    /// read the campaign: `stopped` is [`ChangeOutcome::AlreadyInState`], `completed` is
    /// [`ChangeOutcome::AlreadyFinished`] (it will never dial again; its pending contacts were not marked
    /// `aborted`). Anything else returns the error.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use mirai_calls::v2::CampaignId;
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let id: CampaignId = "cmp_01K7QAC5N9P4R7S3T6V8W2X4YB".parse()?;
    /// let stopped = client.stop_campaign(&id).await?;
    /// println!("{} is {} ({})", stopped.campaign_id, stopped.status, stopped.outcome);
    /// let live = client.campaign_live_calls(&id);
    /// futures_util::pin_mut!(live);
    /// while let Some(call) = live.try_next().await? {
    ///     println!("{} is still {}", call.id, call.status);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown campaign or one of another workspace.
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for a 409 when reading the campaign shows another state.
    /// - 503 `campaigns_unavailable` ([`ErrorKind::Upstream`](call_core::ErrorKind::Upstream), not retryable).
    /// - [`ErrorKind::RateLimited`](call_core::ErrorKind::RateLimited), [`ErrorKind::Upstream`](call_core::ErrorKind::Upstream), [`ErrorKind::Timeout`](call_core::ErrorKind::Timeout), [`ErrorKind::Transport`](call_core::ErrorKind::Transport) or
    ///   [`ErrorKind::Decode`](call_core::ErrorKind::Decode) when retries ran out and the campaign could not be read, or was read and is not
    ///   where we asked: the request's own error is returned.
    pub async fn stop_campaign(&self, id: &CampaignId) -> call_core::Result<CampaignChange> {
        self.change(id, Action::Stop).await
    }

    async fn change(&self, id: &CampaignId, action: Action) -> call_core::Result<CampaignChange> {
        let request = campaign_request(Method::POST, action.operation(), id)
            .segment(action.segment())
            // A repeat finds the campaign in the state asked for and gets 409 `conflict`, which we map below.
            .idempotency(Idempotency::Idempotent);
        let error = match self.http.send(request).await {
            Ok(response) if response.is_success() => match response.json::<ChangeBody>() {
                Ok(body) => {
                    return Ok(CampaignChange {
                        campaign_id: id.clone(),
                        status: body.status,
                        outcome: ChangeOutcome::Applied,
                        funded_calls: body.funded_calls,
                        attempts: response.attempts(),
                    });
                }
                Err(error) => error,
            },
            Ok(response) => error_from(&response),
            Err(error) => error,
        };
        // Reading, never sending again: the request itself was already retried as the HTTP path allows.
        let judged = Happened::Failed {
            doubtful: worth_reading(&error),
        };
        if !matches!(
            self.http.resend_policy().decide(&Attempt::new(1, judged)),
            Decision::Read { .. }
        ) {
            return Err(error);
        }
        let (campaign, read_attempts) = match self.get_campaign_with_attempts(id).await {
            Ok(found) => found,
            // The read failed too: the request's own error is the truest answer we have.
            Err(_) => return Err(error),
        };
        match action.reached(&campaign.status) {
            Some(outcome) => Ok(CampaignChange {
                campaign_id: id.clone(),
                status: campaign.status,
                outcome,
                funded_calls: None,
                attempts: error.attempts().saturating_add(read_attempts),
            }),
            None => Err(error),
        }
    }

    /// The calls a campaign may still have ringing or live: for each contact `claimed` or `dialing`, its
    /// `last_call_id` read with [`get_call`](Self::get_call), kept when the call is `queued`, `dialing` or
    /// `in_progress` (or in a status this version does not know). Each call once.
    ///
    /// Mirai has no campaign filter on `GET /v2/calls`, so this is the way to check what
    /// [`stop_campaign`](Self::stop_campaign) left (it should be nothing, once the stop has taken effect) or what a
    /// [pause](Self::pause_campaign) lets finish. It reads the two contact lists (100 a page) and one call per
    /// contact in flight, so at most about `max_concurrent` (≤ 50) calls. Lazy, and ends with the first error.
    ///
    /// What it cannot guarantee: a contact claimed after its list was read is not seen, and a call may end or
    /// start between its contact being read and the call being read. Contacts still `pending` (not dialled yet)
    /// are in [`list_contacts`](Self::list_contacts) with [`ContactStatus::Pending`].
    ///
    /// # Errors
    ///
    /// The errors of [`list_contacts`](Self::list_contacts) and [`get_call`](Self::get_call).
    pub fn campaign_live_calls(
        &self,
        id: &CampaignId,
    ) -> impl Stream<Item = call_core::Result<Call>> + Send + 'static + use<> {
        let lister = self.clone();
        let id = id.clone();
        // In the order contacts move: one that moves from `claimed` to `dialing` during the walk is met again.
        let contacts = stream::iter([ContactStatus::Claimed, ContactStatus::Dialing]).flat_map(
            move |status| lister.list_contacts(&id, ListContacts::new().status(status).limit(100)),
        );
        let reader = self.clone();
        let mut read = HashSet::new();
        until_error(contacts.try_filter_map(move |contact| {
            let call_id = contact
                .last_call_id
                .filter(|call_id| read.insert(call_id.clone()));
            let reader = reader.clone();
            async move {
                let Some(call_id) = call_id else {
                    return Ok(None);
                };
                let call = reader.get_call(&call_id).await?;
                Ok((!call.status.is_terminal()).then_some(call))
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use call_core::provider_kit::ErrorExt;

    #[test]
    fn refused_requests_are_read_only_when_the_state_may_be_reached() {
        let conflict = Error::from_status(409).with_provider_code("conflict");
        assert!(worth_reading(&conflict));
        assert!(worth_reading(&Error::from_status(409)));
        assert!(!worth_reading(
            &Error::from_status(409).with_provider_code("window_closed")
        ));
        assert!(worth_reading(&Error::from_status(502)));
        assert!(!worth_reading(
            &Error::from_status(503).with_provider_code("fleet_offline")
        ));
        assert!(!worth_reading(
            &Error::from_status(503).with_provider_code("campaigns_unavailable")
        ));
        assert!(!worth_reading(
            &Error::from_status(404).with_provider_code("not_found")
        ));
        assert!(!worth_reading(&Error::from_status(429)));
        assert_eq!(
            Action::Stop.reached(&CampaignStatus::Completed),
            Some(ChangeOutcome::AlreadyFinished)
        );
        assert_eq!(Action::Pause.reached(&CampaignStatus::Draft), None);
        assert_eq!(Action::Start.reached(&CampaignStatus::Stopped), None);
        assert_eq!(
            Action::Resume.reached(&CampaignStatus::Play),
            Some(ChangeOutcome::AlreadyInState)
        );
    }
}
