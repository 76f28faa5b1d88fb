//! Decoding that tolerates what providers send in practice.

use serde::{Deserialize, Deserializer};

/// Decodes `null` (as well as a missing field, with `#[serde(default)]`) as the type's default: Mirai marks many
/// arrays and objects optional without saying whether "absent" is spelled `null`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
