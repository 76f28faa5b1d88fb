//! The legacy-API client and its builder.

use call_core::provider_kit::{BaseUrl, BuilderCore, HttpClient, required_env_var};
use call_core::{ApiKey, Error, ErrorKind, Provider};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::signature::WebhookVerifier;

/// The environment variable holding the legacy API's public key (`pk_...`).
pub const PUBLIC_KEY_ENV: &str = "MIRAI_PUBLIC_KEY";
/// The environment variable holding the legacy API's private key (`sk_...`).
pub const PRIVATE_KEY_ENV: &str = "MIRAI_PRIVATE_KEY";
/// The environment variable holding the workspace id.
pub const WORKSPACE_ENV: &str = "MIRAI_WORKSPACE";
/// The environment variable that overrides the legacy API's base URL (optional).
pub const BASE_URL_ENV: &str = "MIRAI_LEGACY_BASE_URL";

/// The legacy API's documented servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MiraiServer {
    /// `https://api.voice-agents.miraiminds.co`, the default.
    Production,
    /// `https://api.stage.voice-agent.miraiminds.co`.
    Staging,
}

impl MiraiServer {
    /// The server's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            MiraiServer::Production => "https://api.voice-agents.miraiminds.co",
            MiraiServer::Staging => "https://api.stage.voice-agent.miraiminds.co",
        }
    }
}

/// A client for Mirai Minds' **legacy** call API (the one Mirai's docs call "v1": `/v2/call/...` paths on
/// `api.voice-agents.miraiminds.co`, authenticated with `x-public-key`, `x-private-key` and `workspace`).
///
/// It places calls ([`initiate_call`](Self::initiate_call)), replaces a queued call's payload
/// ([`update_call_payload`](Self::update_call_payload)) and aborts queued calls ([`abort_call`](Self::abort_call),
/// [`terminate`](call_core::CallControl::terminate)). The legacy API cannot read calls (outcomes arrive by webhook
/// only: see [`crate::legacy::WebhookEvent`]), so [`CallControl::state`](call_core::CallControl::state) answers
/// [`ErrorKind::Unsupported`] here. For the newer Bearer-key API, use [`MiraiV2Client`](crate::MiraiV2Client).
/// Cheap to clone.
///
/// ```no_run
/// use call_core::{CallControl, CallId};
/// use mirai_calls::MiraiLegacyClient;
///
/// # async fn run() -> call_core::Result<()> {
/// let client = MiraiLegacyClient::from_env()?;
/// let done = client.terminate(&CallId::new("68f0a1b2c3d4e5f600000900")?).await?;
/// println!("{}", done.outcome());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MiraiLegacyClient {
    pub(crate) http: HttpClient,
    /// Kept for [`MiraiLegacyClient::webhook_verifier`]: the private key also signs webhook deliveries.
    private_key: ApiKey,
}

impl MiraiLegacyClient {
    /// A builder, starting from the defaults (production server).
    pub fn builder() -> MiraiLegacyClientBuilder {
        MiraiLegacyClientBuilder::default()
    }

    /// A client from `MIRAI_PUBLIC_KEY`, `MIRAI_PRIVATE_KEY`, `MIRAI_WORKSPACE` and, if set, `MIRAI_LEGACY_BASE_URL`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the first variable that is missing or blank, or an invalid value.
    pub fn from_env() -> call_core::Result<Self> {
        MiraiLegacyClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        self.http.base_url()
    }

    /// A verifier of this organization's webhook deliveries: the private key signs them.
    pub fn webhook_verifier(&self) -> WebhookVerifier {
        WebhookVerifier::new(self.private_key.clone())
    }
}

/// Builds a [`MiraiLegacyClient`]. Setters never fail; [`build`](Self::build) checks everything.
#[derive(Debug, Clone)]
#[must_use]
pub struct MiraiLegacyClientBuilder {
    public_key: Option<ApiKey>,
    private_key: Option<ApiKey>,
    workspace: Option<String>,
    core: BuilderCore,
}

impl Default for MiraiLegacyClientBuilder {
    fn default() -> Self {
        MiraiLegacyClientBuilder {
            public_key: None,
            private_key: None,
            workspace: None,
            core: BuilderCore::new(MiraiServer::Production.base_url()),
        }
    }
}

impl MiraiLegacyClientBuilder {
    /// A builder with the keys and workspace from the environment, and the base URL from `MIRAI_LEGACY_BASE_URL` if set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the first required variable that is missing or blank.
    pub fn from_env() -> call_core::Result<Self> {
        Ok(MiraiLegacyClientBuilder {
            public_key: Some(required_env_var(PUBLIC_KEY_ENV)?.into()),
            private_key: Some(required_env_var(PRIVATE_KEY_ENV)?.into()),
            workspace: Some(required_env_var(WORKSPACE_ENV)?),
            core: BuilderCore::new(MiraiServer::Production.base_url())
                .base_url_from_env(BASE_URL_ENV),
        })
    }

    /// The public key (`pk_...`), sent as `x-public-key`. Required.
    pub fn public_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.public_key = Some(key.into());
        self
    }

    /// The private key (`sk_...`), sent as `x-private-key`. Required. It is also the legacy webhook signing key.
    pub fn private_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.private_key = Some(key.into());
        self
    }

    /// The workspace id, sent as `workspace`. Required.
    pub fn workspace(mut self, workspace: impl Into<String>) -> Self {
        self.workspace = Some(workspace.into());
        self
    }

    /// One of the documented servers (default [`MiraiServer::Production`]).
    pub fn server(self, server: MiraiServer) -> Self {
        self.base_url(server.base_url())
    }

    /// Any base URL. `https` is required, except to a loopback host.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        MiraiLegacyClientBuilder {
            core: self.core.base_url(url),
            ..self
        }
    }

    call_core::provider_kit::builder_settings!();

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when a key or the workspace is missing, blank or not header-safe, the base URL is
    /// not `https` (or `http` to a loopback host), or the retry config is invalid.
    pub fn build(self) -> call_core::Result<MiraiLegacyClient> {
        let missing = |what: &'static str| Error::new(ErrorKind::InvalidInput, what);
        let public_key = self
            .public_key
            .ok_or_else(|| missing("mirai public key is missing"))?;
        let private_key = self
            .private_key
            .ok_or_else(|| missing("mirai private key is missing"))?;
        let workspace = self
            .workspace
            .ok_or_else(|| missing("mirai workspace is missing"))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-public-key"),
            public_key.to_header_value("", "mirai public key")?,
        );
        headers.insert(
            HeaderName::from_static("x-private-key"),
            private_key.to_header_value("", "mirai private key")?,
        );
        if workspace.trim().is_empty() || workspace.trim() != workspace {
            return Err(missing(
                "mirai workspace is blank or has surrounding whitespace",
            ));
        }
        let workspace = HeaderValue::from_str(&workspace)
            .map_err(|_| missing("mirai workspace is not header-safe"))?;
        headers.insert(HeaderName::from_static("workspace"), workspace);
        let http = self.core.build(
            Provider::Mirai,
            headers,
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        )?;
        Ok(MiraiLegacyClient { http, private_key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> MiraiLegacyClientBuilder {
        MiraiLegacyClient::builder()
            .public_key("pk_1")
            .private_key("sk_1")
            .workspace("ws_1")
    }

    #[test]
    fn build_checks_everything() {
        assert!(full().build().is_ok());
        assert!(full().server(MiraiServer::Staging).build().is_ok());
        let cases = [
            MiraiLegacyClient::builder()
                .private_key("sk_1")
                .workspace("ws_1"),
            MiraiLegacyClient::builder()
                .public_key("pk_1")
                .workspace("ws_1"),
            MiraiLegacyClient::builder()
                .public_key("pk_1")
                .private_key("sk_1"),
            full().workspace(" "),
            full().private_key("sk_1\n"),
            full().base_url("http://api.voice-agents.miraiminds.co"),
        ];
        for builder in cases {
            assert_eq!(builder.build().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn debug_never_shows_keys() {
        let builder = MiraiLegacyClient::builder()
            .public_key("pk_canary1")
            .private_key("sk_canary2")
            .workspace("ws");
        let client = builder.clone().build().unwrap();
        let text = format!("{builder:?} {client:?}");
        assert!(!text.contains("canary"), "{text}");
    }
}
