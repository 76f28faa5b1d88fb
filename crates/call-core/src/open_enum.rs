//! Provider enums that never fail to parse.

/// Declares a public enum of a provider's string values with an `Unknown(String)` variant, and `parse` (never
/// fails), `as_str`, `Display`, `Serialize` and `Deserialize`.
///
/// Providers add values without a version bump (Cartesia's versioning policy allows new enum values within a
/// `Cartesia-Version`; Mirai's docs say "everything is additive"), so a value we do not know must decode, and must
/// survive a round trip unchanged. Aliases after `|` parse to the same variant (older spellings).
///
/// ```
/// call_core::provider_kit::open_enum! {
///     /// A traffic light.
///     pub enum Light {
///         /// Stop.
///         Red = "red",
///         /// Go.
///         Green = "green" | "GREEN",
///     }
/// }
///
/// assert_eq!(Light::parse("GREEN"), Light::Green);
/// assert_eq!(Light::parse("blue"), Light::Unknown("blue".into()));
/// assert_eq!(Light::parse("blue").as_str(), "blue");
/// ```
#[doc(hidden)]
#[macro_export]
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
            Unknown(::std::string::String),
        }

        impl $name {
            /// Parses a value; unknown values are kept in `Unknown`, never rejected.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $text $(| $alias)* => Self::$variant, )*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }

            /// The value as the provider spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                ::std::result::Result::Ok(Self::parse(&s))
            }
        }
    };
}
