//! Contact events: what kinds there are, which a write produces and in what order, and the
//! cursor that names an event's place in its company's feed.

use super::name::named;

/// What happened to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactEventKind {
    /// The contact was created (with its entry into the first stage).
    Created,
    /// Its own fields (name, e-mail, phone, owner) changed.
    Updated,
    /// It moved to another stage.
    StageChanged,
    /// An activity was recorded.
    ActivityRecorded,
    /// A pending activity was scheduled.
    PendingScheduled,
    /// A pending activity was completed or cancelled.
    PendingClosed,
}

impl ContactEventKind {
    /// Every kind.
    pub const ALL: [ContactEventKind; 6] = [
        ContactEventKind::Created,
        ContactEventKind::Updated,
        ContactEventKind::StageChanged,
        ContactEventKind::ActivityRecorded,
        ContactEventKind::PendingScheduled,
        ContactEventKind::PendingClosed,
    ];

    /// The stored (and GraphQL) name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactEventKind::Created => "CREATED",
            ContactEventKind::Updated => "UPDATED",
            ContactEventKind::StageChanged => "STAGE_CHANGED",
            ContactEventKind::ActivityRecorded => "ACTIVITY_RECORDED",
            ContactEventKind::PendingScheduled => "PENDING_SCHEDULED",
            ContactEventKind::PendingClosed => "PENDING_CLOSED",
        }
    }

    /// The CloudEvents `type` of a webhook delivery: `contactflow.contact.<kind in lower case>`.
    pub fn cloud_event_type(self) -> String {
        format!("contactflow.contact.{}", self.as_str().to_ascii_lowercase())
    }
}

named!(ContactEventKind, "contact event kind");

/// What one save of the contact form did, as far as events go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveOutcome {
    /// The save created the contact.
    pub created: bool,
    /// It changed at least one of the contact's own fields (an update only).
    pub fields_changed: bool,
    /// It recorded an activity.
    pub activity: bool,
    /// It moved the contact to another stage.
    pub stage_moved: bool,
    /// It scheduled a pending activity.
    pub pending: bool,
}

/// The events of a save, in the order things happened: the contact created or updated, the
/// activity done (in the stage it was done in), the move, then what was scheduled next.
pub fn events_of_save(outcome: SaveOutcome) -> Vec<ContactEventKind> {
    let mut events = Vec::with_capacity(4);
    if outcome.created {
        events.push(ContactEventKind::Created);
    } else if outcome.fields_changed {
        events.push(ContactEventKind::Updated);
    }
    if outcome.activity {
        events.push(ContactEventKind::ActivityRecorded);
    }
    if outcome.stage_moved {
        events.push(ContactEventKind::StageChanged);
    }
    if outcome.pending {
        events.push(ContactEventKind::PendingScheduled);
    }
    events
}

/// An event's place in its company's feed, in commit order, and the event's row id (so that a
/// cursor names one event). Feeds are read in `seq` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventCursor {
    /// The place: given after the commit on PostgreSQL, the row id itself on SQLite.
    pub seq: i64,
    /// The event's row id.
    pub id: i64,
}

/// The text every cursor starts with, so that another kind of cursor is never taken for one.
const CURSOR_PREFIX: &str = "ev1.";

impl EventCursor {
    /// The opaque text clients see and send back: `ev1.<seq in hex>.<id in hex>`.
    pub fn encode(self) -> String {
        format!("{CURSOR_PREFIX}{:x}.{:x}", self.seq, self.id)
    }

    /// The cursor inside `text`; `None` when it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(CURSOR_PREFIX)?;
        let (seq, id) = rest.split_once('.')?;
        let hex = |part: &str| {
            let valid = !part.is_empty()
                && part.len() <= 16
                && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            valid.then(|| u64::from_str_radix(part, 16).ok())?
        };
        let seq = i64::try_from(hex(seq)?).ok()?;
        let id = i64::try_from(hex(id)?).ok()?;
        (id > 0).then_some(Self { seq, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_save_gives_its_events_in_the_order_things_happened() {
        let all = SaveOutcome {
            created: false,
            fields_changed: true,
            activity: true,
            stage_moved: true,
            pending: true,
        };
        use ContactEventKind::*;
        assert_eq!(
            events_of_save(all),
            [Updated, ActivityRecorded, StageChanged, PendingScheduled]
        );
        let created = SaveOutcome {
            created: true,
            fields_changed: true,
            ..SaveOutcome::default()
        };
        assert_eq!(events_of_save(created), [Created]);
        let unchanged = SaveOutcome::default();
        assert!(events_of_save(unchanged).is_empty());
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in ContactEventKind::ALL {
            assert_eq!(kind.as_str().parse::<ContactEventKind>(), Ok(kind));
        }
        assert!("created".parse::<ContactEventKind>().is_err());
        assert_eq!(
            ContactEventKind::StageChanged.cloud_event_type(),
            "contactflow.contact.stage_changed"
        );
    }

    #[test]
    fn cursors_round_trip_and_sort_by_place() {
        let cursor = EventCursor {
            seq: 7_000_123,
            id: 42,
        };
        assert_eq!(EventCursor::decode(&cursor.encode()), Some(cursor));
        let zero = EventCursor { seq: 0, id: 1 };
        assert_eq!(EventCursor::decode(&zero.encode()), Some(zero));
        let max = EventCursor {
            seq: i64::MAX,
            id: i64::MAX,
        };
        assert_eq!(EventCursor::decode(&max.encode()), Some(max));
        assert!(EventCursor { seq: 1, id: 99 } < EventCursor { seq: 2, id: 1 });
    }

    #[test]
    fn anything_else_is_no_cursor() {
        for text in [
            "",
            "ev1.",
            "ev1.1",
            "ev1.1.0",
            "ev1.1.-2",
            "ev1.1.2.3",
            "ev1.G.2",
            "ev1.1.A",
            "ev2.1.2",
            "ev1. 1.2",
            "ev1.8000000000000000.1",
            "ev1.1.10000000000000000",
            "Y29udGFjdDox",
        ] {
            assert_eq!(EventCursor::decode(text), None, "{text:?}");
        }
    }
}
