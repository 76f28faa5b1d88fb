//! What every provider's client builder shares: the base URL, the retry settings and the caller's `reqwest`
//! settings, read from the environment or set by hand, and the one way they become an [`HttpClient`].
//!
//! A provider's builder keeps only what is its own (keys, an API version) beside a [`BuilderCore`], and turns its
//! keys into headers marked sensitive ([`ApiKey::to_header_value`](crate::ApiKey::to_header_value)) before
//! [`BuilderCore::build`].

use reqwest::header::HeaderMap;

use crate::http::{BaseUrl, ClientSettings, HttpClient, HttpConfig};
use crate::{Error, ErrorKind, Provider, RetryConfig};

/// The value of the environment variable `name` when it is set, Unicode and not blank: a blank variable counts as
/// unset, never as an empty key.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The value of the environment variable `name` ([`env_var`]), which a `from_env` needs.
///
/// # Errors
///
/// [`missing_env`] naming `name` when it is missing, blank or not Unicode.
pub fn required_env_var(name: &str) -> crate::Result<String> {
    env_var(name).ok_or_else(|| missing_env(name))
}

/// The error a `from_env` answers when a variable it needs is missing, blank or not Unicode:
/// [`ErrorKind::InvalidInput`] naming the variable (never its value).
pub fn missing_env(name: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("environment variable {name} is not set"),
    )
}

/// The part of a client builder every provider has: base URL, [`RetryConfig`] and [`ClientSettings`]. Setters never
/// fail; [`build`](Self::build) checks them.
#[derive(Debug, Clone)]
#[must_use]
pub struct BuilderCore {
    base_url: String,
    retry: RetryConfig,
    http_client: Option<ClientSettings>,
}

impl BuilderCore {
    /// Requests go to `default_base_url`, with [`RetryConfig::standard`] and reqwest's default settings.
    pub fn new(default_base_url: impl Into<String>) -> Self {
        BuilderCore {
            base_url: default_base_url.into(),
            retry: RetryConfig::standard(),
            http_client: None,
        }
    }

    /// The base URL from the environment variable `name` when it is set and not blank ([`env_var`]); else unchanged.
    pub fn base_url_from_env(self, name: &str) -> Self {
        match env_var(name) {
            Some(url) => self.base_url(url),
            None => self,
        }
    }

    /// The base URL, checked by [`build`](Self::build).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Retry and timeout settings, checked by [`build`](Self::build).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The caller's `reqwest` settings ([`ClientSettings`]: the client built never follows redirects).
    pub fn http_client(
        mut self,
        settings: impl Fn() -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http_client = Some(ClientSettings::new(settings));
        self
    }

    /// Checks the base URL and the retry settings and builds `provider`'s endpoint, which sends `headers` (auth
    /// values marked sensitive) and the `User-Agent` of `crate_name` at `crate_version`
    /// ([`user_agent`](crate::provider_kit::user_agent)) on every request to the base URL.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the base URL is not `https` (or `http` to a loopback host) or the retry
    /// config is invalid; [`ErrorKind::Transport`] when the TLS backend cannot be set up.
    pub fn build(
        self,
        provider: Provider,
        headers: HeaderMap,
        crate_name: &str,
        crate_version: &str,
    ) -> crate::Result<HttpClient> {
        let base_url = BaseUrl::parse(&self.base_url)?;
        HttpClient::new(HttpConfig {
            provider,
            base_url,
            headers,
            retry: self.retry,
            user_agent: crate::provider_kit::user_agent(crate_name, crate_version),
            http_client: self.http_client,
        })
    }
}

/// The settings every client builder forwards to its [`BuilderCore`] (field `core`), written once: `retry` and
/// `http_client`, with their documentation. Expands inside the builder's `impl` block; doc comments given to it are
/// added to `retry`'s.
///
/// ```
/// use call_core::provider_kit::{BuilderCore, builder_settings};
///
/// pub struct AcmeClientBuilder {
///     core: BuilderCore,
/// }
///
/// impl AcmeClientBuilder {
///     builder_settings!();
/// }
///
/// let builder = AcmeClientBuilder { core: BuilderCore::new("https://api.acme.test") }
///     .retry(call_core::RetryConfig::disabled());
/// # let _ = builder;
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! builder_settings {
    ($(#[$retry_doc:meta])*) => {
        /// Retry and timeout settings (default
        /// [`RetryConfig::standard`]($crate::RetryConfig::standard)).
        $(#[$retry_doc])*
        #[must_use]
        pub fn retry(mut self, retry: $crate::RetryConfig) -> Self {
            self.core = self.core.retry(retry);
            self
        }

        /// Your `reqwest` settings (proxy, TLS roots, pool sizes), as a function returning a fresh
        /// `reqwest::ClientBuilder`. The client built from it never follows redirects, whatever the builder says: a
        /// redirect could carry our keys to another host (see
        /// [`ClientSettings`]($crate::provider_kit::ClientSettings)). Clones of the client share one connection pool.
        #[must_use]
        pub fn http_client(
            mut self,
            settings: impl Fn() -> $crate::__private::reqwest::ClientBuilder + Send + Sync + 'static,
        ) -> Self {
            self.core = self.core.http_client(settings);
            self
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_checks_the_base_url_and_the_retry_config() {
        let core = || BuilderCore::new("https://api.example");
        let built = core()
            .build(Provider::Cartesia, HeaderMap::new(), "x", "1")
            .unwrap();
        assert_eq!(built.base_url().as_str(), "https://api.example");
        for bad in [
            core().base_url("http://api.example"),
            core().base_url("not a url"),
            core().retry(RetryConfig::standard().with_max_attempts(0)),
        ] {
            let err = bad
                .build(Provider::Cartesia, HeaderMap::new(), "x", "1")
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = missing_env("SOME_KEY_ENV");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("SOME_KEY_ENV"), "{err}");
    }
}
