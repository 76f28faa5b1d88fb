//! The Cartesia client and its builder.

use call_core::provider_kit::{BaseUrl, BuilderCore, HttpClient, required_env_var};
use call_core::{ApiKey, Error, ErrorKind, Provider};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// The environment variable holding the API key (`sk_car_...`).
pub const API_KEY_ENV: &str = "CARTESIA_API_KEY";
/// The environment variable that overrides the base URL (optional).
pub const BASE_URL_ENV: &str = "CARTESIA_BASE_URL";
/// Cartesia's API.
pub const DEFAULT_BASE_URL: &str = "https://api.cartesia.ai";
/// The `Cartesia-Version` this crate is written against: the version the agent-call pages document.
pub const DEFAULT_API_VERSION: &str = "2026-03-01";

const VERSION_HEADER: HeaderName = HeaderName::from_static("cartesia-version");

/// A client for Cartesia's agent call API.
///
/// Cheap to clone (one `Arc` inside) and safe to share between tasks; build one per API key and reuse it.
///
/// ```no_run
/// use cartesia_calls::CartesiaClient;
/// use call_core::{CallControl, CallId};
///
/// # async fn run() -> call_core::Result<()> {
/// let client = CartesiaClient::from_env()?;
/// let outcome = client.terminate(&CallId::new("ac_abc123")?).await?;
/// println!("{}", outcome.outcome());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CartesiaClient {
    pub(crate) http: HttpClient,
}

impl CartesiaClient {
    /// A builder, starting from the defaults.
    pub fn builder() -> CartesiaClientBuilder {
        CartesiaClientBuilder::default()
    }

    /// A client from `CARTESIA_API_KEY` and, if set, `CARTESIA_BASE_URL`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the variable when `CARTESIA_API_KEY` is missing or blank, or when a
    /// value is invalid (see [`CartesiaClientBuilder::build`]).
    pub fn from_env() -> call_core::Result<Self> {
        CartesiaClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        self.http.base_url()
    }

    /// This client with every request ending by `deadline`: one operation of several requests (`terminate`) sends
    /// them all through it, so that one deadline bounds them all.
    pub(crate) fn until(&self, deadline: std::time::Instant) -> CartesiaClient {
        CartesiaClient {
            http: self.http.with_deadline(deadline),
        }
    }
}

/// Builds a [`CartesiaClient`]. Setters never fail; [`build`](Self::build) checks everything.
#[derive(Debug, Clone)]
#[must_use]
pub struct CartesiaClientBuilder {
    api_key: Option<ApiKey>,
    api_version: String,
    core: BuilderCore,
}

impl Default for CartesiaClientBuilder {
    fn default() -> Self {
        CartesiaClientBuilder {
            api_key: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            core: BuilderCore::new(DEFAULT_BASE_URL),
        }
    }
}

impl CartesiaClientBuilder {
    /// A builder with the key from `CARTESIA_API_KEY` and the base URL from `CARTESIA_BASE_URL` when set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming `CARTESIA_API_KEY` when it is missing, blank or not Unicode.
    pub fn from_env() -> call_core::Result<Self> {
        let builder = CartesiaClientBuilder::default().api_key(required_env_var(API_KEY_ENV)?);
        Ok(CartesiaClientBuilder {
            core: builder.core.base_url_from_env(BASE_URL_ENV),
            ..builder
        })
    }

    /// The API key (required), sent as `Authorization: Bearer <key>`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL (default [`DEFAULT_BASE_URL`]). `https` is required, except to a loopback host.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        CartesiaClientBuilder {
            core: self.core.base_url(url),
            ..self
        }
    }

    /// The `Cartesia-Version` header (default [`DEFAULT_API_VERSION`]); exactly one is sent on every request.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    call_core::provider_kit::builder_settings!();

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the key is missing, blank or not header-safe, the base URL is not `https`
    /// (or `http` to a loopback host), the API version is not `YYYY-MM-DD`, or the retry config is invalid.
    pub fn build(self) -> call_core::Result<CartesiaClient> {
        let key = self
            .api_key
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "cartesia api key is missing"))?;
        if !is_version_date(&self.api_version) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "cartesia api version must be a date, YYYY-MM-DD",
            ));
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            key.to_header_value("Bearer ", "cartesia api key")?,
        );
        let version = HeaderValue::from_str(&self.api_version).map_err(|_| {
            Error::new(
                ErrorKind::InvalidInput,
                "cartesia api version is not header-safe",
            )
        })?;
        headers.insert(VERSION_HEADER, version);
        let http = self.core.build(
            Provider::Cartesia,
            headers,
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        )?;
        Ok(CartesiaClient { http })
    }
}

fn is_version_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use call_core::RetryConfig;

    #[test]
    fn build_checks_everything() {
        let ok = CartesiaClient::builder().api_key("sk_car_1").build();
        assert!(ok.is_ok());
        let cases = [
            CartesiaClient::builder(),
            CartesiaClient::builder().api_key(""),
            CartesiaClient::builder().api_key("sk_car_1\n"),
            CartesiaClient::builder()
                .api_key("sk_car_1")
                .base_url("http://api.cartesia.ai"),
            CartesiaClient::builder()
                .api_key("sk_car_1")
                .api_version("latest"),
            CartesiaClient::builder()
                .api_key("sk_car_1")
                .retry(RetryConfig::standard().with_max_attempts(0)),
        ];
        for builder in cases {
            assert_eq!(builder.build().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = CartesiaClient::builder().api_key("sk_car_canary42");
        let client = builder.clone().build().unwrap();
        let text = format!("{builder:?} {client:?}");
        assert!(!text.contains("canary42"), "{text}");
    }
}
