//! Campaign lifecycle: `draft → play ⇄ paused → stopped`, `play → completed`, and the
//! `campaign.*` webhooks.
//!
//! | from | start | pause | resume | stop |
//! | --- | --- | --- | --- | --- |
//! | `draft` | `play` | 409 | 409 (use start) | `stopped` |
//! | `play` | 409 | `paused` | 409 | `stopped` |
//! | `paused` | `play` | 409 | `play` | `stopped` |
//! | `stopped`, `completed` | 409 | 409 | 409 | 409 |
//!
//! The docs leave `stop` of a `stopped` or `completed` campaign undocumented; the simulator
//! answers 409 `conflict`, as for the other refused transitions.

use std::time::SystemTime;

use super::Calls;
use super::dialler;
use crate::app::App;
use crate::call_table::CallTable;

/// Why a transition was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    /// 409 `conflict`, with the message.
    Conflict(String),
    /// 409 `window_closed`, with the message.
    WindowClosed(String),
}

/// Sends `event` for campaign `id` to its `webhook_url`, if it has one, with `data.campaign`.
pub(crate) fn emit(app: &App, calls: &Calls, id: &str, event: &str) {
    let Some(campaign) = calls.campaigns.get(id) else {
        return;
    };
    if let Some(url) = &campaign.webhook_url {
        app.webhooks.mirai_v2_campaign(
            url,
            app.credentials.mirai_webhook_secret(),
            event,
            campaign.event_json(&calls.by_id),
        );
    }
}

/// `start`: from `draft` or `paused` to `play`. The first start sends `campaign.started`, a start
/// from `paused` `campaign.resumed` (dialling resumes; `campaign.started` is once per campaign).
pub(crate) fn start(app: &App, calls: &mut Calls, id: &str) -> Result<(), Refusal> {
    let window = calls.window;
    let campaign = calls.campaigns.get_mut(id).ok_or(Refusal::NotFound)?;
    match campaign.status.as_str() {
        "draft" | "paused" => {}
        "play" => return Err(Refusal::Conflict("campaign is already running".into())),
        other => {
            return Err(Refusal::Conflict(format!(
                "campaign is {other}: it cannot be started again"
            )));
        }
    }
    check_window(window, &campaign.id, &campaign.end_date, &campaign.timezone)?;
    let event = if campaign.started {
        "campaign.resumed"
    } else {
        "campaign.started"
    };
    play(campaign);
    emit(app, calls, id, event);
    dialler::refill(app, calls, id);
    Ok(())
}

/// `resume`: from `paused` to `play`, `campaign.resumed`.
pub(crate) fn resume(app: &App, calls: &mut Calls, id: &str) -> Result<(), Refusal> {
    let window = calls.window;
    let campaign = calls.campaigns.get_mut(id).ok_or(Refusal::NotFound)?;
    match campaign.status.as_str() {
        "paused" => {}
        "draft" => {
            return Err(Refusal::Conflict(format!(
                "campaign has no running dialler: use POST /v2/campaigns/{id}/start"
            )));
        }
        other => {
            return Err(Refusal::Conflict(format!(
                "only a paused campaign can be resumed; this one is {other}"
            )));
        }
    }
    check_window(window, &campaign.id, &campaign.end_date, &campaign.timezone)?;
    play(campaign);
    emit(app, calls, id, "campaign.resumed");
    dialler::refill(app, calls, id);
    Ok(())
}

fn play(campaign: &mut super::campaign::Campaign) {
    campaign.status = "play".to_owned();
    campaign.pause_reason = None;
    campaign.started = true;
    campaign.touch();
}

/// `pause` (or the money gate, with a `reason`): from `play` to `paused`, `campaign.paused`.
/// New dials stop; live calls are not hung up.
pub(crate) fn pause(
    app: &App,
    calls: &mut Calls,
    id: &str,
    reason: Option<&str>,
) -> Result<(), Refusal> {
    let campaign = calls.campaigns.get_mut(id).ok_or(Refusal::NotFound)?;
    if campaign.status != "play" {
        return Err(Refusal::Conflict(format!(
            "only a running (play) campaign can be paused; this one is {}",
            campaign.status
        )));
    }
    campaign.status = "paused".to_owned();
    campaign.pause_reason = reason.map(str::to_owned);
    campaign.touch();
    emit(app, calls, id, "campaign.paused");
    Ok(())
}

/// `stop`: terminal. Live calls are aborted (`aborted` / `aborted-by-api`, `call.aborted`), and
/// their contacts and every pending contact become `aborted`; then `campaign.stopped`.
pub(crate) fn stop(app: &App, calls: &mut Calls, id: &str) -> Result<(), Refusal> {
    let campaign = calls.campaigns.get_mut(id).ok_or(Refusal::NotFound)?;
    if campaign.is_final() {
        return Err(Refusal::Conflict(format!(
            "campaign is already {}",
            campaign.status
        )));
    }
    campaign.status = "stopped".to_owned();
    campaign.pause_reason = None;
    campaign.touch();
    let live: Vec<String> = campaign
        .contacts
        .iter_mut()
        .filter(|contact| contact.is_open())
        .filter_map(|contact| {
            contact.status = "aborted".to_owned();
            contact.last_call_id.clone()
        })
        .collect();
    for call_id in live {
        let running = calls
            .by_id
            .get(&call_id)
            .is_some_and(super::call::Record::is_running);
        if running {
            if let Some(call) = calls.by_id.get_mut(&call_id) {
                call.ended_reason = Some("aborted-by-api".to_owned());
            }
            calls.transition(app, &call_id, "aborted");
        }
    }
    emit(app, calls, id, "campaign.stopped");
    Ok(())
}

/// 409 `window_closed` when no calling window is left for the campaign; the message follows the
/// docs' example.
fn check_window(
    window: crate::CallingWindow,
    id: &str,
    end_date: &str,
    timezone: &str,
) -> Result<(), Refusal> {
    if window.has_window_left(SystemTime::now(), end_date) {
        return Ok(());
    }
    Err(Refusal::WindowClosed(format!(
        "calling window is already closed: no slot opens again on or before end_date {end_date} ({timezone}). Extend end_date or widen slots with PATCH /v2/campaigns/{id}, then start again."
    )))
}
