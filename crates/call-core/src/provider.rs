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
    /// The provider's stable lowercase name, as used in `callctl`'s JSON output (`"cartesia"`, `"mirai"`).
    ///
    /// Both Mirai APIs answer `"mirai"`: they are one provider reached two ways.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Cartesia => "cartesia",
            Provider::Mirai | Provider::MiraiV2 => "mirai",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::MiraiV2 => f.write_str("mirai (v2)"),
            other => f.write_str(other.as_str()),
        }
    }
}
