//! Global, opaque Relay ids: `base64url("Kind:number")` (the codec is `domain::global_id`).

use async_graphql::ID;

pub use crate::domain::global_id::{decode, decode_any, kind};

/// The global id of a record.
pub fn encode(kind: &str, id: i64) -> ID {
    ID(crate::domain::global_id::encode(kind, id))
}

/// The number inside an id used as a filter; an id that names nothing matches nothing.
pub fn filter_value(id: &ID, expected_kind: &str) -> i64 {
    decode(id, expected_kind).unwrap_or(-1)
}
