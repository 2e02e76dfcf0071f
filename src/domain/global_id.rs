//! Global, opaque ids of records: `base64url("Kind:number")`, the Relay ids clients see and
//! the ids webhooks send.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The kinds of record that have a global id (the GraphQL type names).
pub mod kind {
    /// `Company`
    pub const COMPANY: &str = "Company";
    /// `Operator`
    pub const OPERATOR: &str = "Operator";
    /// `Workflow`
    pub const WORKFLOW: &str = "Workflow";
    /// `Stage`
    pub const STAGE: &str = "Stage";
    /// `Transition`
    pub const TRANSITION: &str = "Transition";
    /// `ActivityType`
    pub const ACTIVITY_TYPE: &str = "ActivityType";
    /// `Contact`
    pub const CONTACT: &str = "Contact";
    /// `Activity`
    pub const ACTIVITY: &str = "Activity";
    /// `PendingActivity`
    pub const PENDING_ACTIVITY: &str = "PendingActivity";
    /// `Todo`
    pub const TODO: &str = "Todo";
    /// `StageChange`
    pub const STAGE_CHANGE: &str = "StageChange";
    /// `Reminder`
    pub const REMINDER: &str = "Reminder";
    /// `Webhook`
    pub const WEBHOOK: &str = "Webhook";
    /// `WebhookDelivery`
    pub const WEBHOOK_DELIVERY: &str = "WebhookDelivery";
}

/// The global id of a record.
pub fn encode(kind: &str, id: i64) -> String {
    // Written on the stack: a page of 100 encodes hundreds of ids, each then one allocation.
    let mut text = [0u8; 64];
    let mut cursor = std::io::Cursor::new(&mut text[..]);
    if std::io::Write::write_fmt(&mut cursor, format_args!("{kind}:{id}")).is_err() {
        return URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"));
    }
    let written = usize::try_from(cursor.position()).unwrap_or(0);
    URL_SAFE_NO_PAD.encode(&text[..written])
}

/// The kind and number inside a global id, if it is one of ours.
pub fn decode_any(id: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, number) = text.split_once(':')?;
    let number: i64 = number.parse().ok()?;
    (number > 0).then(|| (kind.to_owned(), number))
}

/// The number inside a global id of the expected kind; `None` for a malformed or foreign id.
pub fn decode(id: &str, expected_kind: &str) -> Option<i64> {
    decode_any(id).and_then(|(kind, number)| (kind == expected_kind).then_some(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_kind() {
        let id = encode(kind::CONTACT, 42);
        assert_eq!(decode(&id, kind::CONTACT), Some(42));
        assert_eq!(decode(&id, kind::STAGE), None);
    }

    #[test]
    fn ids_are_the_kind_and_number_in_url_safe_base64() {
        for (kind, number) in [(kind::CONTACT, 1), (kind::PENDING_ACTIVITY, i64::MAX)] {
            let expected = URL_SAFE_NO_PAD.encode(format!("{kind}:{number}"));
            assert_eq!(encode(kind, number), expected);
        }
    }

    #[test]
    fn malformed_ids_decode_to_nothing() {
        for text in [
            "",
            "42",
            "!!!",
            &URL_SAFE_NO_PAD.encode("Contact:x"),
            &URL_SAFE_NO_PAD.encode("Contact:-1"),
        ] {
            assert_eq!(decode_any(text), None, "{text}");
        }
    }
}
