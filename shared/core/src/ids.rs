//! Identifiers as types: a customer's id and an order's id are both ULID
//! strings, but a function that takes one refuses the other at compile time.
//! Stored and sent as plain strings (`serde(transparent)`), so records and
//! the API are unchanged.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id held in `id`; where it came from (a record, a session,
            /// a path) is what says which kind of id it is.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// A new id: a ULID, so ids sort by when they were made.
            pub fn generate() -> Self {
                $name(ulid::Ulid::new().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether it is a well-formed ULID (ids from a path or a form
            /// are checked before they are looked up).
            pub fn is_ulid(&self) -> bool {
                ulid::Ulid::from_string(&self.0).is_ok()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<$name> for serde_json::Value {
            fn from(id: $name) -> Self {
                serde_json::Value::String(id.0)
            }
        }

        impl From<&$name> for serde_json::Value {
            fn from(id: &$name) -> Self {
                serde_json::Value::String(id.0.clone())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

    };
}

id_type!(
    /// A customer account's id.
    CustomerId
);

id_type!(
    /// An order's id.
    OrderId
);

id_type!(
    /// A customer's client account at a registrar (`registrar_accounts`).
    RegistrarAccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_strings_on_the_wire() {
        let id = CustomerId::new("01J0000000000000000000000A");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"01J0000000000000000000000A\""
        );
        let back: OrderId = serde_json::from_str("\"01J0000000000000000000000B\"").unwrap();
        assert_eq!(back.as_str(), "01J0000000000000000000000B");
        assert!(back.is_ulid());
        assert!(!OrderId::new("../etc").is_ulid());
    }
}
