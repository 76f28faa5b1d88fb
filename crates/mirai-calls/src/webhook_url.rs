//! Webhook (callback) URLs we hand to Mirai: `https`, or `http` to a loopback host.

use std::net::{Ipv4Addr, Ipv6Addr};

use call_core::{Error, ErrorKind};

/// Checks a URL Mirai will POST call events to.
///
/// Mirai's docs ask for HTTPS (the legacy `callbackUrl` is an "HTTPS webhook URL"; the new `webhook_url` must be
/// public HTTPS). We refuse anything else before sending, so events (which carry customer data) never travel in
/// clear text, except `http` to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`): local sandboxes and
/// simulators listen there. A URL with a user name or password, spaces or control characters is refused too. The
/// error never quotes the URL (it may hold a token).
pub(crate) fn check_webhook_url(
    field: &'static str,
    url: &str,
    max_len: usize,
) -> call_core::Result<()> {
    let invalid = |why: &str| {
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{field} is not a usable webhook url: {why}"),
        ))
    };
    if url.len() > max_len {
        return invalid(&format!("it is longer than {max_len} characters"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return invalid("it contains spaces, control characters or backslashes");
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => return invalid("it is not an absolute URL"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return invalid("it must not contain a user name or password");
    }
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, _)) => host,
            None => return invalid("its IPv6 host is not closed with `]`"),
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return invalid("it has no host");
    }
    match scheme.as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => invalid("`http` is only allowed to a loopback host; use `https`"),
        _ => invalid("the scheme must be `https`"),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for good in [
            "https://example.com/hooks/mirai",
            "https://example.com:8443/hooks?token=abc",
            "HTTPS://EXAMPLE.COM",
            "http://localhost:3000/hook",
            "http://LOCALHOST/hook",
            "http://127.0.0.1:8080/hook",
            "http://127.9.9.9/hook",
            "http://[::1]:9000/hook",
        ] {
            assert!(
                check_webhook_url("callbackUrl", good, 2048).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "",
            "example.com/hook",
            "http://example.com/hook",
            "http://10.0.0.1/hook",
            "http://localhost.evil.com/hook",
            "http://127.0.0.1.nip.io/hook",
            "http://user:pw@localhost/hook",
            "http://evil.com\\@localhost/",
            "ftp://localhost/hook",
            "https:///hook",
            "https://exa mple.com/",
            "http://[::1/hook",
        ] {
            let err = check_webhook_url("callbackUrl", bad, 2048).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert!(check_webhook_url("webhook_url", &long, 2048).is_err());
    }

    #[test]
    fn never_quotes_the_url() {
        let err = check_webhook_url("callbackUrl", "http://example.com/?token=secret123", 2048)
            .unwrap_err();
        assert!(!err.to_string().contains("secret123"), "{err}");
    }
}
