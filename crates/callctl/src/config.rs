//! Clients from the environment and the flags. Any problem here is a usage error: exit 2, nothing sent.

use std::sync::Arc;
use std::time::Duration;

use calls_facade::cartesia::{CartesiaClient, CartesiaClientBuilder};
use calls_facade::mirai::{
    MiraiLegacyClient, MiraiLegacyClientBuilder, MiraiV2Client, MiraiV2ClientBuilder,
};
use calls_facade::{CallControl, RetryConfig};

use crate::cli::Common;

/// The retry settings the flags ask for: the library's defaults, with `--timeout` and `--max-attempts` applied, and
/// an operation deadline long enough for every attempt they allow.
pub(crate) fn retry(common: &Common) -> RetryConfig {
    let mut retry = RetryConfig::standard();
    if let Some(attempts) = common.max_attempts {
        retry = retry.with_max_attempts(attempts);
    }
    if let Some(timeout) = common.timeout {
        retry = retry.with_attempt_timeout(timeout);
    }
    let needed =
        (retry.attempt_timeout() + retry.max_backoff()).saturating_mul(retry.max_attempts());
    let deadline = retry
        .operation_timeout()
        .max(needed.min(Duration::from_secs(3600)));
    retry.with_operation_timeout(deadline)
}

pub(crate) fn cartesia(common: &Common) -> calls_facade::Result<CartesiaClient> {
    let mut builder = CartesiaClientBuilder::from_env()?.retry(retry(common));
    if let Some(url) = &common.base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

pub(crate) fn mirai(common: &Common) -> calls_facade::Result<MiraiLegacyClient> {
    let mut builder = MiraiLegacyClientBuilder::from_env()?.retry(retry(common));
    if let Some(url) = &common.base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

pub(crate) fn mirai_v2(common: &Common) -> calls_facade::Result<MiraiV2Client> {
    let mut builder = MiraiV2ClientBuilder::from_env()?.retry(retry(common));
    if let Some(url) = &common.base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// The APIs a bulk command can terminate through.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Api {
    Cartesia,
    Mirai,
    MiraiV2,
}

/// The client a bulk command terminates through.
pub(crate) fn terminator(common: &Common, api: Api) -> calls_facade::Result<Arc<dyn CallControl>> {
    Ok(match api {
        Api::Cartesia => Arc::new(cartesia(common)?),
        Api::Mirai => Arc::new(mirai(common)?),
        Api::MiraiV2 => Arc::new(mirai_v2(common)?),
    })
}
