//! Which provider a client, an outcome or an error belongs to.

use std::fmt;

/// A voice-agent call provider.
///
/// Every [`Error`](crate::Error) and every client names its provider, so a program that stops calls at several
/// providers at once can tell the answers apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Cartesia agents (`https://api.cartesia.ai`).
    Cartesia,
    /// Mirai Minds voice agents, legacy API (`x-public-key` / `x-private-key` auth).
    Mirai,
    /// Mirai Minds voice agents, new API (`Authorization: Bearer sk_live_...`).
    MiraiV2,
}

impl Provider {
    /// The API's stable lowercase name, as used in `callctl`'s JSON output and commands: `"cartesia"`, `"mirai"`
    /// (Mirai Minds' legacy API) or `"mirai-v2"` (its new API).
    ///
    /// The two Mirai APIs have names of their own: their call ids, statuses and abilities differ, so an answer must
    /// say which one gave it.
    ///
    /// ```
    /// use call_core::Provider;
    ///
    /// assert_eq!(Provider::MiraiV2.as_str(), "mirai-v2");
    /// assert_eq!(Provider::Mirai.to_string(), "mirai");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Cartesia => "cartesia",
            Provider::Mirai => "mirai",
            Provider::MiraiV2 => "mirai-v2",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
