//! The keys the simulator accepts and signs webhooks with.

/// The credentials a [`crate::Sim`] accepts, and the secrets it signs webhooks with.
///
/// These are test credentials, shown in full by `Debug` and by [`crate::Sim::env_lines`]:
/// never configure a real provider key here.
///
/// | provider | header | default |
/// | --- | --- | --- |
/// | Cartesia | `Authorization: Bearer …` | `sk_car_sim` |
/// | Mirai legacy | `x-public-key` | `pk_sim` |
/// | Mirai legacy | `x-private-key` (also the legacy webhook signing key) | `sk_sim` |
/// | Mirai legacy | `workspace` | `6690a1b2c3d4e5f600000002` |
/// | Mirai v2 | `Authorization: Bearer …` | `sk_live_sim` |
/// | Mirai v2 | webhook signing secret | `whsec_sim` |
///
/// ```
/// use calls_sim::Credentials;
///
/// let creds = Credentials::default().with_cartesia_api_key("sk_car_other");
/// assert_eq!(creds.cartesia_api_key(), "sk_car_other");
/// assert_eq!(creds.mirai_api_key(), "sk_live_sim");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    cartesia_api_key: String,
    mirai_public_key: String,
    mirai_private_key: String,
    mirai_workspace: String,
    mirai_api_key: String,
    mirai_webhook_secret: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            cartesia_api_key: "sk_car_sim".to_owned(),
            mirai_public_key: "pk_sim".to_owned(),
            mirai_private_key: "sk_sim".to_owned(),
            mirai_workspace: "6690a1b2c3d4e5f600000002".to_owned(),
            mirai_api_key: "sk_live_sim".to_owned(),
            mirai_webhook_secret: "whsec_sim".to_owned(),
        }
    }
}

impl Credentials {
    /// The Cartesia API key expected as `Authorization: Bearer <key>`. Default `sk_car_sim`.
    pub fn cartesia_api_key(&self) -> &str {
        &self.cartesia_api_key
    }

    /// The Mirai legacy `x-public-key`. Default `pk_sim`.
    pub fn mirai_public_key(&self) -> &str {
        &self.mirai_public_key
    }

    /// The Mirai legacy `x-private-key`, which also keys the legacy webhook `x-signature`. Default `sk_sim`.
    pub fn mirai_private_key(&self) -> &str {
        &self.mirai_private_key
    }

    /// The Mirai legacy `workspace` header. Default `6690a1b2c3d4e5f600000002`.
    pub fn mirai_workspace(&self) -> &str {
        &self.mirai_workspace
    }

    /// The Mirai v2 API key expected as `Authorization: Bearer <key>`. Default `sk_live_sim`.
    pub fn mirai_api_key(&self) -> &str {
        &self.mirai_api_key
    }

    /// The Mirai v2 webhook signing secret (`whsec_…`), used whole as the HMAC key. Default `whsec_sim`.
    pub fn mirai_webhook_secret(&self) -> &str {
        &self.mirai_webhook_secret
    }

    /// Replaces the Cartesia API key.
    #[must_use]
    pub fn with_cartesia_api_key(mut self, key: impl Into<String>) -> Self {
        self.cartesia_api_key = key.into();
        self
    }

    /// Replaces the Mirai legacy public key.
    #[must_use]
    pub fn with_mirai_public_key(mut self, key: impl Into<String>) -> Self {
        self.mirai_public_key = key.into();
        self
    }

    /// Replaces the Mirai legacy private key.
    #[must_use]
    pub fn with_mirai_private_key(mut self, key: impl Into<String>) -> Self {
        self.mirai_private_key = key.into();
        self
    }

    /// Replaces the Mirai legacy workspace id.
    #[must_use]
    pub fn with_mirai_workspace(mut self, workspace: impl Into<String>) -> Self {
        self.mirai_workspace = workspace.into();
        self
    }

    /// Replaces the Mirai v2 API key.
    #[must_use]
    pub fn with_mirai_api_key(mut self, key: impl Into<String>) -> Self {
        self.mirai_api_key = key.into();
        self
    }

    /// Replaces the Mirai v2 webhook signing secret.
    #[must_use]
    pub fn with_mirai_webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.mirai_webhook_secret = secret.into();
        self
    }
}
