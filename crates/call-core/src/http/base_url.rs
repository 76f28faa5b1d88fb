//! Base URLs that can never send a key in clear text over a network.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

use crate::{Error, ErrorKind};

/// A provider's base URL, checked: `https`, or `http` only to a loopback host (`localhost`, `127.0.0.0/8`, `::1`).
///
/// Keys travel in headers, so an `http` URL to any other host would send them in clear text; it is refused at
/// build time, before anything is sent. Loopback hosts may use `http` so tests and local sandboxes (such as
/// `calls-sim`) work. A URL with a user name or password, a query or a fragment is refused too. A path prefix is
/// kept (`https://proxy.example/cartesia` sends to `https://proxy.example/cartesia/agents/...`).
///
/// ```
/// use call_core::provider_kit::BaseUrl;
///
/// assert!(BaseUrl::parse("https://api.cartesia.ai").is_ok());
/// assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
/// assert!(BaseUrl::parse("http://api.cartesia.ai").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and checks a base URL.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the URL does not parse, is neither `https` nor `http` to a loopback host,
    /// or carries credentials, a query or a fragment.
    pub fn parse(url: &str) -> crate::Result<Self> {
        let invalid =
            |why: &str| Error::new(ErrorKind::InvalidInput, format!("invalid base url: {why}"));
        let mut parsed =
            Url::parse(url.trim()).map_err(|_| invalid("it is not an absolute URL"))?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(parsed.host()) => {}
            "http" => {
                return Err(invalid(
                    "`http` is only allowed to a loopback host; use `https`",
                ));
            }
            _ => return Err(invalid("the scheme must be `https`")),
        }
        if parsed.host().is_none() {
            return Err(invalid("it has no host"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid("it must not contain a user name or password"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("it must not contain a query or fragment"));
        }
        let path = parsed.path().trim_end_matches('/').to_owned();
        parsed.set_path(&path);
        Ok(BaseUrl(parsed))
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// Whether the host is a loopback address.
    pub fn is_loopback(&self) -> bool {
        is_loopback(self.0.host())
    }

    /// The URL of `path` (already percent-encoded, starting with `/`) under this base.
    ///
    /// The path is parsed relative to the base, so the base's host is not parsed again (a whole URL parsed from text
    /// costs twice as much: its host goes through IDNA). A relative reference that starts with `//` would name
    /// another host, so such a path (an empty first segment, or a base path that starts with `//`) is set on a copy
    /// of the base instead, where it stays a path.
    pub(crate) fn join(&self, encoded_path: &str, query: &[(String, String)]) -> Url {
        let prefix = self.0.path().trim_end_matches('/');
        let joined;
        let path = if prefix.is_empty() {
            encoded_path
        } else {
            joined = [prefix, encoded_path].concat();
            &joined
        };
        let relative = path.starts_with('/') && !path.starts_with("//");
        let parsed = relative
            .then(|| Url::options().base_url(Some(&self.0)).parse(path).ok())
            .flatten();
        let mut url = parsed.unwrap_or_else(|| {
            let mut url = self.0.clone();
            url.set_path(path);
            url
        });
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Whether `other` has the same scheme, host and port (where our keys may be sent).
    pub fn same_origin(&self, other: &Url) -> bool {
        self.0.origin() == other.origin()
    }
}

/// Checks an absolute URL handed to us by a provider: `https`, or `http` to a loopback host. Queries are kept.
pub(crate) fn check_external(url: &str) -> crate::Result<Url> {
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("invalid download url: {why}"),
        )
    };
    let parsed = Url::parse(url.trim()).map_err(|_| invalid("it is not an absolute URL"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(parsed.host()) => {}
        _ => {
            return Err(invalid(
                "only `https` (or `http` to a loopback host) is followed",
            ));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("it must not contain a user name or password"));
    }
    Ok(parsed)
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://api.cartesia.ai",
            "https://api.cartesia.ai/",
            "http://127.0.0.1:3000",
            "http://127.8.9.10",
            "http://localhost:1",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "https://proxy.example/cartesia/",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.cartesia.ai",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://127.0.0.1.nip.io",
            "ftp://127.0.0.1",
            "api.cartesia.ai",
            "",
            "https://user:pw@api.cartesia.ai",
            "https://api.cartesia.ai/?x=1",
            "https://api.cartesia.ai/#x",
        ] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn external_urls_follow_the_same_rule() {
        assert!(check_external("https://storage.example/a.wav?X-Amz-Expires=900").is_ok());
        assert!(check_external("http://localhost:9/a.wav").is_ok());
        assert!(check_external("http://storage.example/a.wav").is_err());
        assert!(check_external("/relative.wav").is_err());
    }

    #[test]
    fn joins_under_a_path_prefix() {
        let base = BaseUrl::parse("https://proxy.example/cartesia/").unwrap();
        let url = base.join(
            "/agents/calls/a%2Fb/cancel",
            &[("limit".into(), "10".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://proxy.example/cartesia/agents/calls/a%2Fb/cancel?limit=10"
        );
        let base = BaseUrl::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            base.join("/v2/call/abort", &[]).as_str(),
            "http://127.0.0.1:9/v2/call/abort"
        );
    }

    #[test]
    fn a_path_never_leaves_the_host() {
        // An empty first segment makes a path that, read as a relative reference, would name the host `evil.example`.
        for base in ["https://api.cartesia.ai", "https://proxy.example/cartesia/"] {
            let base = BaseUrl::parse(base).unwrap();
            for path in [
                "//evil.example/x",
                "/%2F/evil.example",
                "/a/%2e%2e/b",
                "/..%2F",
                "/a\\b",
            ] {
                let url = base.join(path, &[]);
                assert_eq!(url.host_str(), base.0.host_str(), "{path}");
                assert!(
                    url.path().starts_with(base.0.path().trim_end_matches('/')),
                    "{url}"
                );
            }
        }
    }

    #[test]
    fn joins_as_a_copy_of_the_base_with_its_path_set() {
        // The path as `Url::set_path` on a copy of the base makes it: what every request was sent to before.
        for base in [
            "https://api.cartesia.ai",
            "https://proxy.example/cartesia/",
            "http://[::1]:8080/a/b",
            "http://LOCALHOST:1",
        ] {
            let base = BaseUrl::parse(base).unwrap();
            for path in [
                "/agents/calls/ac_1/cancel",
                "/agents/calls/a%2Fb%3Fc%23d/cancel",
                "/agents/calls/...",
                "/agents/calls/%E2%82%AC",
                "/",
                "//x",
            ] {
                let mut expected = base.0.clone();
                let prefix = expected.path().trim_end_matches('/').to_owned();
                expected.set_path(&format!("{prefix}{path}"));
                assert_eq!(base.join(path, &[]), expected, "{base} {path}");
            }
        }
    }
}
