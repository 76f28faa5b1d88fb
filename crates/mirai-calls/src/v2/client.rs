//! The new-API client and its builder.

use call_core::provider_kit::{BaseUrl, BuilderCore, HttpClient, required_env_var};
use call_core::{ApiKey, Error, ErrorKind, Provider};
use reqwest::header::{AUTHORIZATION, HeaderMap};

/// The environment variable holding the new API's secret key (`sk_live_...`).
pub const API_KEY_ENV: &str = "MIRAI_API_KEY";
/// The environment variable that overrides the new API's base URL (optional).
pub const BASE_URL_ENV: &str = "MIRAI_V2_BASE_URL";
/// The new API's host, as every revision of Mirai's docs since the campaigns release names it.
///
/// Earlier revisions named `https://api.voice.miraiminds.co`; no page names a separate production host, and the
/// docs use this one for `sk_live_` keys too. Override it with [`MiraiV2ClientBuilder::base_url`] or
/// `MIRAI_V2_BASE_URL` if Mirai gives you another.
pub const DEFAULT_BASE_URL: &str = "https://sandbox.voice.miraiminds.co";

/// A client for Mirai Minds' **new** call API (the one Mirai's docs call "v2": `/v2/calls/...` on
/// `sandbox.voice.miraiminds.co`, authenticated with `Authorization: Bearer sk_live_...`).
///
/// It creates calls with an idempotency key ([`create_call`](Self::create_call)), reads them
/// ([`get_call`](Self::get_call), [`list_calls`](Self::list_calls), [`transcript`](Self::transcript),
/// [`download_recording`](Self::download_recording)) and aborts them at any stage, live calls included
/// ([`abort_call`](Self::abort_call), [`terminate`](call_core::CallControl::terminate)), finds the calls still
/// ringing or live to a number ([`find_active_calls_to`](Self::find_active_calls_to)), runs campaigns
/// ([`create_campaign`](Self::create_campaign) to [`stop_campaign`](Self::stop_campaign)) and keeps the
/// do-not-call list ([`add_to_dnc`](Self::add_to_dnc)). For the legacy `x-private-key` API, use
/// [`MiraiLegacyClient`](crate::MiraiLegacyClient). Cheap to clone.
///
/// ```no_run
/// use call_core::{CallControl, CallId};
/// use mirai_calls::MiraiV2Client;
///
/// # async fn run() -> call_core::Result<()> {
/// let client = MiraiV2Client::from_env()?;
/// let done = client.terminate(&CallId::new("call_01JZQ9B4M8N3P6R2S5T7V9W1YA")?).await?;
/// println!("{}", done.outcome());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MiraiV2Client {
    pub(crate) http: HttpClient,
}

impl MiraiV2Client {
    /// A builder, starting from the defaults.
    pub fn builder() -> MiraiV2ClientBuilder {
        MiraiV2ClientBuilder::default()
    }

    /// A client from `MIRAI_API_KEY` and, if set, `MIRAI_V2_BASE_URL`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming `MIRAI_API_KEY` when it is missing or blank, or for an invalid value (see
    /// [`MiraiV2ClientBuilder::build`]).
    pub fn from_env() -> call_core::Result<Self> {
        MiraiV2ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        self.http.base_url()
    }

    /// This client with every request ending by `deadline`: one operation of several requests (`terminate`) sends
    /// them all through it, so that one deadline bounds them all.
    pub(crate) fn until(&self, deadline: std::time::Instant) -> MiraiV2Client {
        MiraiV2Client {
            http: self.http.with_deadline(deadline),
        }
    }
}

/// Builds a [`MiraiV2Client`]. Setters never fail; [`build`](Self::build) checks everything.
#[derive(Debug, Clone)]
#[must_use]
pub struct MiraiV2ClientBuilder {
    api_key: Option<ApiKey>,
    core: BuilderCore,
}

impl Default for MiraiV2ClientBuilder {
    fn default() -> Self {
        MiraiV2ClientBuilder {
            api_key: None,
            core: BuilderCore::new(DEFAULT_BASE_URL),
        }
    }
}

impl MiraiV2ClientBuilder {
    /// A builder with the key from `MIRAI_API_KEY` and the base URL from `MIRAI_V2_BASE_URL` when set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming `MIRAI_API_KEY` when it is missing or blank.
    pub fn from_env() -> call_core::Result<Self> {
        Ok(MiraiV2ClientBuilder {
            api_key: Some(required_env_var(API_KEY_ENV)?.into()),
            core: BuilderCore::new(DEFAULT_BASE_URL).base_url_from_env(BASE_URL_ENV),
        })
    }

    /// The secret key (`sk_live_...`, required), sent as `Authorization: Bearer <key>`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL (default [`DEFAULT_BASE_URL`]). `https` is required, except to a loopback host.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        MiraiV2ClientBuilder {
            core: self.core.base_url(url),
            ..self
        }
    }

    call_core::provider_kit::builder_settings! {
        /// The same settings pace the waits after a 409 `duplicate_call` (see [`MiraiV2Client::create_call`]).
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the key is missing, blank or not header-safe (a trailing newline from a key
    /// file is the usual cause), the base URL is not `https` (or `http` to a loopback host), or the retry config is
    /// invalid.
    pub fn build(self) -> call_core::Result<MiraiV2Client> {
        let key = self
            .api_key
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "mirai api key is missing"))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            key.to_header_value("Bearer ", "mirai api key")?,
        );
        let http = self.core.build(
            Provider::MiraiV2,
            headers,
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        )?;
        Ok(MiraiV2Client { http })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use call_core::RetryConfig;

    #[test]
    fn build_checks_everything() {
        assert!(
            MiraiV2Client::builder()
                .api_key("sk_live_1")
                .build()
                .is_ok()
        );
        for builder in [
            MiraiV2Client::builder(),
            MiraiV2Client::builder().api_key(""),
            MiraiV2Client::builder().api_key("sk_live_1\n"),
            MiraiV2Client::builder()
                .api_key("sk_live_1")
                .base_url("http://sandbox.voice.miraiminds.co"),
            MiraiV2Client::builder()
                .api_key("sk_live_1")
                .retry(RetryConfig::standard().with_max_attempts(0)),
        ] {
            assert_eq!(builder.build().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
        let client = MiraiV2Client::builder()
            .api_key("sk_live_1")
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), DEFAULT_BASE_URL);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = MiraiV2Client::builder().api_key("sk_live_canary42");
        let client = builder.clone().build().unwrap();
        let text = format!("{builder:?} {client:?}");
        assert!(!text.contains("canary"), "{text}");
    }
}
