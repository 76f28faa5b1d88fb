//! Campaigns (new API): create, read, list, edit, add and list contacts, and the report.
//! Start, pause, resume and stop are in `campaign_control.rs`.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request};
use call_core::{Error, ErrorKind, Listing};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::calls::success_json;
use super::campaign::{Campaign, CampaignReport, CampaignStatus};
use super::campaign_contact::{Contact, ContactStatus, ContactUpload, NewContact, check_contacts};
use super::campaign_create::{CreateCampaign, UpdateCampaign};
use super::campaign_id::CampaignId;
use super::error_body::{error_from, is_final_answer};
use super::page::{check_limit, listing};
use crate::MiraiV2Client;

/// A request under `/v2/campaigns`; 503 `campaigns_unavailable` is final (campaigns are off for the workspace).
pub(crate) fn campaigns_request(method: Method, operation: &'static str) -> Request {
    Request::new(method, operation)
        .segment("v2")
        .segment("campaigns")
        .final_when(is_final_answer)
}

/// A request under `/v2/campaigns/{id}`.
pub(crate) fn campaign_request(
    method: Method,
    operation: &'static str,
    id: &CampaignId,
) -> Request {
    campaigns_request(method, operation).segment(id.as_str())
}

/// Which campaigns [`list_campaigns`](MiraiV2Client::list_campaigns) reads: `GET /v2/campaigns?limit=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListCampaigns {
    limit: Option<u32>,
}

impl ListCampaigns {
    /// Every campaign, newest first.
    pub fn new() -> Self {
        ListCampaigns::default()
    }

    /// The page size, 1 to 100 (default: Mirai's, 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// Which contacts [`list_contacts`](MiraiV2Client::list_contacts) reads:
/// `GET /v2/campaigns/{id}/contacts?status=&limit=`.
///
/// ```
/// use mirai_calls::v2::{ContactStatus, ListContacts};
///
/// let exhausted = ListContacts::new().status(ContactStatus::Exhausted).limit(100);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListContacts {
    status: Option<ContactStatus>,
    limit: Option<u32>,
}

impl ListContacts {
    /// Every contact.
    pub fn new() -> Self {
        ListContacts::default()
    }

    /// Only contacts in this status.
    pub fn status(mut self, status: ContactStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// The page size, 1 to 100 (default: Mirai's, 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// The answer to [`create_campaign`](MiraiV2Client::create_campaign) (201): the campaign, in `draft`, and what
/// became of the contacts sent with it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignCreated {
    /// The new campaign (status `draft`). Store its id before anything else.
    pub campaign: Campaign,
    /// The contacts: accepted, duplicate, rejected row by row.
    pub contacts: ContactUpload,
    /// How many requests it took (more than 1 only when a connection could not be opened).
    pub attempts: u32,
}

/// The answer to [`add_contacts`](MiraiV2Client::add_contacts) (200).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ContactsAdded {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its status (a `play` campaign picks the new rows up on its next tick).
    pub status: CampaignStatus,
    /// The contacts: accepted, duplicate, rejected row by row.
    pub contacts: ContactUpload,
    /// How many requests it took. After a retry, rows the lost first attempt stored come back counted as
    /// `duplicate`.
    pub attempts: u32,
}

/// The create answer: the campaign object itself with three extra top-level keys (not wrapped).
#[derive(Deserialize)]
struct CreatedBody {
    // First, so the campaign's catch-all `extra` does not swallow the three keys.
    #[serde(flatten)]
    upload: ContactUpload,
    #[serde(flatten)]
    campaign: Campaign,
}

#[derive(Deserialize)]
struct ContactsBody {
    #[serde(default)]
    id: Option<CampaignId>,
    status: CampaignStatus,
    #[serde(flatten)]
    upload: ContactUpload,
}

/// The wire shape of Add Contacts.
#[derive(serde::Serialize)]
struct ContactsRequest<'a> {
    contacts: &'a [NewContact],
}

impl MiraiV2Client {
    /// Creates a campaign, in `draft`: [Create a campaign](https://docs.miraiminds.co/v2/campaigns),
    /// `POST /v2/campaigns`. Nothing rings until [`start_campaign`](Self::start_campaign).
    ///
    /// The request is checked first (see [`CreateCampaign`]); nothing is sent when it is invalid. The contacts sent
    /// with it are judged row by row: bad rows come back in [`ContactUpload::rejected`] with their index, numbers
    /// already present in [`ContactUpload::duplicate`]; neither fails the request.
    ///
    /// **Not retried once it may have reached Mirai**: campaigns have no idempotency key, so a repeat could create
    /// a second campaign (and dial everyone twice once both start). Only a connection that could not be opened is
    /// retried. After a timeout or a broken connection the error says
    /// [`is_outcome_unknown`](call_core::Error::is_outcome_unknown): look for the campaign with
    /// [`list_campaigns`](Self::list_campaigns) (newest first) before creating it again.
    ///
    /// ```no_run
    /// use mirai_calls::v2::{CreateCampaign, Slot};
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let created = client
    ///     .create_campaign(
    ///         &CreateCampaign::new("Order confirmations", "agt_01K7Q9")
    ///             .timezone("Asia/Kolkata")
    ///             .dates("2026-08-11".parse()?, "2026-08-18".parse()?)
    ///             .slot(Slot::parse("10:00", "19:00")?)
    ///             .budget_paise(50_000),
    ///     )
    ///     .await?;
    /// println!("{} is {}", created.campaign.id, created.campaign.status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending, and for 400 (`invalid_request`: a field out of range, a bad
    ///   window, more than 1,000 contacts; `invalid_flow`: the agent is node-based and the tier cannot run flows).
    /// - [`ErrorKind::NotFound`] for an unknown agent; [`ErrorKind::Rejected`] for 501 `tier_unavailable`.
    /// - 503 `campaigns_unavailable` ([`ErrorKind::Upstream`], not retryable): campaigns are not enabled for the
    ///   workspace.
    /// - The usual 401, 403, 429, 5xx, timeout and transport errors, none retried once sent.
    pub async fn create_campaign(
        &self,
        campaign: &CreateCampaign,
    ) -> call_core::Result<CampaignCreated> {
        campaign.validate()?;
        let request = campaigns_request(Method::POST, "create campaign")
            .json_body(campaign.to_json()?)
            // No idempotency key exists for campaigns: a repeat could create (and later dial) a second one.
            .idempotency(Idempotency::NotIdempotent);
        let response = self.http.send(request).await?;
        let body: CreatedBody = success_json(&response)?;
        Ok(CampaignCreated {
            campaign: body.campaign,
            contacts: body.upload,
            attempts: response.attempts(),
        })
    }

    /// Reads a campaign, with its contact counters: `GET /v2/campaigns/{id}`.
    ///
    /// The counters come from the contact table, so a finished campaign answers like a live one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown campaign or one of another workspace (Mirai answers both alike),
    /// 503 `campaigns_unavailable` (not retryable), [`ErrorKind::Decode`] for a body that is not a campaign, and the
    /// usual 401, 403, 429, 5xx, timeout and transport errors (retried: a read is safe to repeat).
    pub async fn get_campaign(&self, id: &CampaignId) -> call_core::Result<Campaign> {
        self.get_campaign_with_attempts(id)
            .await
            .map(|(campaign, _)| campaign)
    }

    /// Get Campaign, answering the number of requests sent too.
    pub(crate) async fn get_campaign_with_attempts(
        &self,
        id: &CampaignId,
    ) -> call_core::Result<(Campaign, u32)> {
        let response = self
            .http
            .send(campaign_request(Method::GET, "get campaign", id))
            .await?;
        Ok((success_json(&response)?, response.attempts()))
    }

    /// Lists campaigns, newest first, one at a time: `GET /v2/campaigns`, following `next_cursor` while `has_more`.
    /// List items carry no `counters` (read one campaign for them).
    ///
    /// Lazy and bounded like [`list_calls`](Self::list_calls): a page is requested only when the stream is polled
    /// past the previous one; it ends after the last page or with one error (a repeated cursor included).
    ///
    /// # Errors
    ///
    /// Each item is a [`call_core::Result`]: [`ErrorKind::InvalidInput`] first (nothing sent) for a limit outside
    /// 1 to 100, else the errors of [`get_campaign`](Self::get_campaign), and [`ErrorKind::Decode`] for a broken
    /// cursor chain.
    pub fn list_campaigns(&self, query: ListCampaigns) -> Listing<Campaign> {
        listing(self, "list campaigns", "campaigns", move |cursor| {
            check_limit(query.limit)?;
            let mut request = campaigns_request(Method::GET, "list campaigns");
            if let Some(limit) = query.limit {
                request = request.query("limit", limit.to_string());
            }
            if let Some(cursor) = cursor {
                request = request.query("cursor", cursor);
            }
            Ok(request)
        })
    }

    /// Edits a `draft` or `paused` campaign: `PATCH /v2/campaigns/{id}` with only the fields set, answering the
    /// campaign as it now is.
    ///
    /// To change a running campaign, [pause](Self::pause_campaign) it, update it, then
    /// [resume](Self::resume_campaign) it. Retried like a read: the fields are set to absolute values, so a repeat
    /// sets them again and changes nothing more.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] before sending (see [`UpdateCampaign`]) and for 400;
    /// [`ErrorKind::Conflict`] for 409 `conflict` (the campaign is `play`, `stopped` or `completed`);
    /// [`ErrorKind::NotFound`]; and the errors of [`get_campaign`](Self::get_campaign).
    pub async fn update_campaign(
        &self,
        id: &CampaignId,
        update: &UpdateCampaign,
    ) -> call_core::Result<Campaign> {
        update.validate()?;
        let request = campaign_request(Method::PATCH, "update campaign", id)
            .json_body(update.to_json()?)
            // Absolute values: a repeat leaves the campaign exactly as the first left it.
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        success_json(&response)
    }

    /// Adds up to 1,000 contacts to a campaign that is not `stopped` or `completed`:
    /// `POST /v2/campaigns/{id}/contacts`. A running campaign picks them up on its next tick. For more rows, call
    /// it again with the next batch.
    ///
    /// Rows are judged one by one, as at create. **Retried** on connection failures, timeouts, 429 and 5xx:
    /// Mirai deduplicates on the phone number ("numbers already in the campaign ... not an error"), so a repeat
    /// stores nothing twice and nobody is dialled twice. The price: after a retry, rows that a lost first attempt
    /// stored are counted as [`duplicate`](ContactUpload::duplicate), not accepted
    /// ([`ContactsAdded::attempts`] > 1 tells).
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending (no rows, more than 1,000, a variable over the limits, a blank id;
    ///   the numbers are [`PhoneNumber`](call_core::PhoneNumber)s, so E.164 already) and for 400.
    /// - [`ErrorKind::Conflict`] for 409 `conflict`: the campaign is `stopped` or `completed`, and nothing would
    ///   ever dial these rows.
    /// - [`ErrorKind::NotFound`], and the errors of [`get_campaign`](Self::get_campaign).
    pub async fn add_contacts(
        &self,
        id: &CampaignId,
        contacts: &[NewContact],
    ) -> call_core::Result<ContactsAdded> {
        check_contacts(contacts)?;
        if contacts.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "contacts: nothing to add",
            ));
        }
        let body = serde_json::to_vec(&ContactsRequest { contacts }).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "could not encode the request").with_source(e)
        })?;
        let request = campaign_request(Method::POST, "add contacts", id)
            .segment("contacts")
            .json_body(body)
            // Mirai deduplicates on the phone number: a repeat stores nothing twice.
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        let body: ContactsBody = success_json(&response)?;
        Ok(ContactsAdded {
            campaign_id: body.id.unwrap_or_else(|| id.clone()),
            status: body.status,
            contacts: body.upload,
            attempts: response.attempts(),
        })
    }

    /// Lists a campaign's contacts, one at a time: `GET /v2/campaigns/{id}/contacts`, lazily, following
    /// `next_cursor` like [`list_calls`](Self::list_calls).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use mirai_calls::v2::{ContactStatus, ListContacts};
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let id = "cmp_01K7QAC5N9P4R7S3T6V8W2X4YB".parse()?;
    /// let exhausted = client.list_contacts(&id, ListContacts::new().status(ContactStatus::Exhausted));
    /// futures_util::pin_mut!(exhausted);
    /// while let Some(contact) = exhausted.try_next().await? {
    ///     println!("{} never answered after {:?} attempts", contact.id, contact.attempts);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`list_campaigns`](Self::list_campaigns); [`ErrorKind::NotFound`] for an unknown campaign.
    pub fn list_contacts(&self, id: &CampaignId, query: ListContacts) -> Listing<Contact> {
        let id = id.clone();
        listing(self, "list contacts", "contacts", move |cursor| {
            check_limit(query.limit)?;
            let mut request =
                campaign_request(Method::GET, "list contacts", &id).segment("contacts");
            if let Some(status) = &query.status {
                request = request.query("status", status.as_str());
            }
            if let Some(limit) = query.limit {
                request = request.query("limit", limit.to_string());
            }
            if let Some(cursor) = cursor {
                request = request.query("cursor", cursor);
            }
            Ok(request)
        })
    }

    /// Reads a campaign's aggregate report: `GET /v2/campaigns/{id}/report`.
    ///
    /// # Errors
    ///
    /// As [`get_campaign`](Self::get_campaign).
    pub async fn campaign_report(&self, id: &CampaignId) -> call_core::Result<CampaignReport> {
        let request = campaign_request(Method::GET, "get campaign report", id).segment("report");
        let response = self.http.send(request).await?;
        success_json(&response)
    }

    /// Streams a campaign's per-contact CSV report into `writer`, answering the number of bytes written:
    /// `GET /v2/campaigns/{id}/report?format=csv`, header `id,phone,status,attempts,last_call_id`.
    ///
    /// Mirai streams the CSV, and so do we: each chunk is written as it arrives, nothing is held whole (a
    /// six-figure campaign is fine). Each chunk must arrive within the attempt timeout. The writer is flushed at the
    /// end; on an error it may hold part of the report. Retried like a read, but only before the body starts.
    ///
    /// ```no_run
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let mut file = tokio::fs::File::create("campaign.csv").await?;
    /// let bytes = client.campaign_report_csv(&"cmp_01K7QAC5N9P4R7S3T6V8W2X4YB".parse()?, &mut file).await?;
    /// eprintln!("{bytes} bytes of report");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - As [`get_campaign`](Self::get_campaign) before the body starts.
    /// - [`ErrorKind::Decode`] for a 2xx whose `Content-Type` is JSON rather than CSV (nothing is written).
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Transport`] when the body stalls or breaks;
    ///   [`ErrorKind::Io`] when `writer` fails.
    pub async fn campaign_report_csv<W>(
        &self,
        id: &CampaignId,
        writer: &mut W,
    ) -> call_core::Result<u64>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let request = campaign_request(Method::GET, "get campaign report csv", id)
            .segment("report")
            .query("format", "csv")
            .header(
                ACCEPT,
                HeaderValue::from_static("text/csv, application/json;q=0.1"),
            );
        let mut body = match self.http.send_streaming(request).await? {
            Ok(body) => body,
            Err(refused) => return Err(error_from(&refused)),
        };
        let json = body
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.to_ascii_lowercase().contains("json"));
        if json {
            return Err(Error::new(
                ErrorKind::Decode,
                "asked for the csv report but the answer is json",
            )
            .with_provider(call_core::Provider::MiraiV2)
            .with_operation("get campaign report csv")
            .with_status(body.status())
            .with_request_sent(true)
            .with_attempts(body.attempts()));
        }
        let mut written: u64 = 0;
        while let Some(chunk) = body.chunk().await? {
            writer.write_all(&chunk).await.map_err(write_error)?;
            written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }
}

fn write_error(error: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, "could not write the campaign report")
        .with_provider(call_core::Provider::MiraiV2)
        .with_operation("get campaign report csv")
        .with_request_sent(true)
        .with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_create_answer_splits_into_campaign_and_upload() {
        let body: CreatedBody = serde_json::from_str(
            r#"{"id":"cmp_1","status":"draft","name":"x","contacts_accepted":3,"contacts_duplicate":1,
                "contacts_rejected":[{"index":1,"phone":"9876543211","reason":"phone must be an E.164 number"}]}"#,
        )
        .unwrap();
        assert_eq!(body.upload.accepted, 3);
        assert_eq!(body.upload.duplicate, 1);
        assert_eq!(body.upload.rejected[0].index, 1);
        assert_eq!(body.campaign.name.as_deref(), Some("x"));
        assert!(body.campaign.extra.is_empty(), "{:?}", body.campaign.extra);
    }
}
