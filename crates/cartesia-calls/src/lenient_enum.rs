//! String enums that keep values they do not know.
//!
//! Cartesia's versioning policy allows new enum values within a `Cartesia-Version`
//! ([API conventions](https://docs.cartesia.ai/use-the-api/api-conventions)), so every enum-like field it sends is
//! decoded into one of these: a known value becomes its variant, anything else is kept in `Unknown`, and decoding
//! never fails on a new value.

/// Declares a public, non-exhaustive enum of known string values plus `Unknown(String)`, with `parse`, `as_str`,
/// `Display`, `Serialize` and `Deserialize`.
macro_rules! lenient_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version of the library does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Parses a value as Cartesia spells it; an unknown value is kept in `Unknown`, never rejected.
            pub fn parse(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The value as Cartesia spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(other) => other,
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
                let value = std::borrow::Cow::<str>::deserialize(deserializer)?;
                Ok(Self::parse(&value))
            }
        }
    };
}

pub(crate) use lenient_enum;
