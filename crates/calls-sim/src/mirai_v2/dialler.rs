//! The campaign dialler: turning due contacts into calls, and contacts following their calls.
//!
//! The simulator's dialler has no clock. A campaign dials when the control API says so
//! ([`crate::MiraiV2Control::dial_campaign`]) or, with [`crate::SimBuilder::auto_dial`], when an
//! event makes room (start, resume, new contacts, a call ending). So `re_attempt_period_secs` is
//! reported in `eligible_at` but not waited for: a contact waiting for a retry is due at the next
//! dial.

use std::time::SystemTime;

use super::Calls;
use super::call::{CampaignLink, Record};
use super::lifecycle;
use crate::app::App;
use crate::clock;
use crate::id;

/// Dials up to `n` due contacts of campaign `id`, in upload order, and returns the new call ids.
///
/// Nothing is dialled unless the campaign is in `play` and the calling window is open (outside
/// it the campaign sleeps, still `play`). A spent budget pauses the campaign with
/// `budget_exhausted` instead. A contact whose number is on the do-not-call list when its turn
/// comes becomes `suppressed`, is never dialled, and does not count towards `n`. Each dialled
/// contact becomes `dialing` with a new `queued` call to its number, carrying the campaign's agent,
/// tier and `webhook_url`. Afterwards a campaign with no contact left to dial or in flight
/// completes. `None` when there is no such campaign.
pub(crate) fn dial(app: &App, calls: &mut Calls, id: &str, n: usize) -> Option<Vec<String>> {
    let window_open = calls.window.is_open_at(SystemTime::now());
    let Calls {
        by_id,
        campaigns,
        dnc,
        ..
    } = calls;
    let campaign = campaigns.get_mut(id)?;
    let mut placed = Vec::new();
    if campaign.status != "play" || !window_open {
        return Some(placed);
    }
    if campaign
        .budget_paise
        .is_some_and(|budget| campaign.spent_paise(by_id) >= budget)
    {
        // Only a campaign in `play` gets here, so the pause cannot be refused.
        let _ = lifecycle::pause(app, calls, id, Some("budget_exhausted"));
        return Some(placed);
    }
    let now = clock::seconds(clock::now());
    let mut changed = false;
    for (index, contact) in campaign.contacts.iter_mut().enumerate() {
        if placed.len() >= n {
            break;
        }
        if contact.status != "pending" {
            continue;
        }
        changed = true;
        contact.updated_at = now.clone();
        // Checked when the contact is handed to the dialler, as the docs describe, so a number
        // listed mid-campaign is suppressed from then on.
        if dnc.contains(&contact.phone) {
            contact.status = "suppressed".to_owned();
            continue;
        }
        let call_id = format!("call_{}", id::ulid());
        let mut record = Record::new(call_id.clone(), campaign.agent_id.clone());
        record.to = Some(contact.phone.clone());
        record.tier = campaign.tier.clone();
        record.webhook_url = campaign.webhook_url.clone();
        record.campaign = Some(CampaignLink {
            campaign_id: campaign.id.clone(),
            contact: index,
        });
        by_id.insert(record);
        contact.status = "dialing".to_owned();
        contact.attempts += 1;
        contact.last_call_id = Some(call_id.clone());
        contact.last_status = Some("queued".to_owned());
        contact.eligible_at = None;
        campaign.call_ids.push(call_id.clone());
        placed.push(call_id);
    }
    if changed {
        campaign.updated_at = now;
    }
    settle(app, calls, id);
    Some(placed)
}

/// With auto-dial, tops campaign `id` up to `max_concurrent` live calls.
pub(crate) fn refill(app: &App, calls: &mut Calls, id: &str) {
    if !app.auto_dial {
        return;
    }
    let Some(campaign) = calls.campaigns.get(id) else {
        return;
    };
    let live = campaign
        .contacts
        .iter()
        .filter(|c| c.status == "dialing")
        .count();
    let limit = usize::try_from(campaign.max_concurrent).unwrap_or(usize::MAX);
    dial(app, calls, id, limit.saturating_sub(live));
}

/// Completes campaign `id` if it is in `play` with no contact left to dial or in flight.
pub(crate) fn settle(app: &App, calls: &mut Calls, id: &str) {
    let Some(campaign) = calls.campaigns.get_mut(id) else {
        return;
    };
    if campaign.status == "play" && !campaign.has_open_contacts() {
        campaign.status = "completed".to_owned();
        campaign.touch();
        lifecycle::emit(app, calls, id, "campaign.completed");
    }
}

/// Follows a status change of call `call_id`, placed for the contact `link` names: a live call
/// keeps the contact `dialing`; an ended one settles it (and may complete the campaign or, with
/// auto-dial, make room for the next contact). Only the contact's latest call counts.
pub(crate) fn call_changed(app: &App, calls: &mut Calls, link: &CampaignLink, call_id: &str) {
    let Some(call) = calls.by_id.get(call_id) else {
        return;
    };
    let (status, running) = (call.status.clone(), call.is_running());
    let Some(campaign) = calls.campaigns.get_mut(&link.campaign_id) else {
        return;
    };
    let (retry_count, period) = (campaign.retry_count, campaign.re_attempt_period_secs);
    let Some(contact) = campaign.contacts.get_mut(link.contact) else {
        return;
    };
    if contact.last_call_id.as_deref() != Some(call_id) {
        return;
    }
    let now = clock::now();
    contact.last_status = Some(status.clone());
    contact.updated_at = clock::seconds(now);
    if running || contact.status == "aborted" {
        return;
    }
    contact.status = outcome(&status, contact.attempts, retry_count).to_owned();
    if contact.status == "pending" {
        let due = now
            .as_second()
            .saturating_add(i64::try_from(period).unwrap_or(0));
        contact.eligible_at = jiff::Timestamp::from_second(due).ok().map(clock::seconds);
    }
    campaign.touch();
    let id = link.campaign_id.as_str();
    refill(app, calls, id);
    settle(app, calls, id);
}

/// The contact status after its call ended in `call_status`, having made `attempts` attempts.
///
/// Only `no_answer`, `busy` and `failed` are retried, while attempts remain (`retry_count + 1` in
/// all). Once they run out the contact is `exhausted` when retries were configured; with
/// `retry_count` 0 it keeps the call's outcome, since nothing was retried (the docs list both
/// without saying which applies then). A call aborted on its own, by `POST /v2/calls/{id}/abort`,
/// makes the contact `aborted` as a stop does (the docs are silent on that case).
fn outcome(call_status: &str, attempts: u64, retry_count: u64) -> &str {
    match call_status {
        "no_answer" | "busy" | "failed" if attempts <= retry_count => "pending",
        "no_answer" | "busy" | "failed" if retry_count > 0 => "exhausted",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(outcome("completed", 1, 2), "completed");
        assert_eq!(outcome("voicemail", 1, 2), "voicemail");
        assert_eq!(outcome("no_answer", 1, 2), "pending");
        assert_eq!(outcome("busy", 2, 2), "pending");
        assert_eq!(outcome("failed", 3, 2), "exhausted");
        assert_eq!(outcome("no_answer", 1, 0), "no_answer");
        assert_eq!(outcome("aborted", 1, 5), "aborted");
    }
}
