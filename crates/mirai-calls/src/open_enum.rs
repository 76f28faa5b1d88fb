//! Provider enums that never fail to parse: every documented value, and `Unknown` for the rest.

/// Declares a public enum of a provider's string values with an `Unknown(String)` variant, `parse` (never fails),
/// `as_str`, `Display`, `Serialize` and `Deserialize`.
///
/// Mirai adds values without a version bump ("everything is additive"), so a value we do not know must decode, and
/// must survive a round trip unchanged. Aliases after `|` parse to the same variant (older spellings).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the library does not know, as sent.
            Unknown(String),
        }

        impl $name {
            /// Parses a value; unknown values are kept in `Unknown`, never rejected.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $text $(| $alias)* => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The value as Mirai spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

pub(crate) use open_enum;
