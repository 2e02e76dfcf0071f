//! The outbox rows a write adds: one per contact event, in the write's own transaction, so
//! that an event exists if and only if its change committed. The write notes that it wrote
//! events ([`super::Write::events_written`]): after the commit, every instance's feed of the
//! company reads them.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};

use crate::domain::event::ContactEventKind;
use crate::entity::contact_event;
use crate::service::company::{InCompany, Inserts, Key};

/// One event to write: what happened to which contact, by whom, and the rows it concerns (of
/// this write, or existing).
#[derive(Debug, Clone, Copy)]
pub struct EventRow {
    /// What happened.
    pub kind: ContactEventKind,
    /// The contact.
    pub contact: Key,
    /// The contact's workflow (subscribers may follow one).
    pub workflow_id: i64,
    /// Who did it.
    pub operator_id: i64,
    /// The stage change it concerns.
    pub stage_change: Option<Key>,
    /// The activity it concerns.
    pub activity: Option<Key>,
    /// The pending activity it concerns.
    pub pending: Option<Key>,
}

impl EventRow {
    /// An event about `contact` with no row of its own yet.
    pub fn of(kind: ContactEventKind, contact: Key, workflow_id: i64, operator_id: i64) -> Self {
        Self {
            kind,
            contact,
            workflow_id,
            operator_id,
            stage_change: None,
            activity: None,
            pending: None,
        }
    }

    /// The row, with the ids already known set and the rest left to the links.
    fn row(self, now: DateTime<Utc>) -> contact_event::ActiveModel {
        let known = |key: Option<Key>| match key {
            Some(Key::Known(id)) => Some(id),
            _ => None,
        };
        contact_event::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            kind: Set(self.kind),
            contact_id: Set(known(Some(self.contact)).unwrap_or(0)),
            workflow_id: Set(self.workflow_id),
            operator_id: Set(self.operator_id),
            at: Set(now),
            stage_change_id: Set(known(self.stage_change)),
            activity_id: Set(known(self.activity)),
            pending_activity_id: Set(known(self.pending)),
        }
    }

    /// The columns that name rows of the same write.
    fn links(self) -> Vec<(contact_event::Column, Key)> {
        use contact_event::Column;
        [
            (Column::ContactId, Some(self.contact)),
            (Column::StageChangeId, self.stage_change),
            (Column::ActivityId, self.activity),
            (Column::PendingActivityId, self.pending),
        ]
        .into_iter()
        .filter_map(|(column, key)| match key {
            Some(key @ Key::New(_)) => Some((column, key)),
            _ => None,
        })
        .collect()
    }
}

/// Adds the events to `rows`, in order.
pub fn add_events(
    rows: &mut Inserts,
    db: &impl InCompany,
    events: impl IntoIterator<Item = EventRow>,
    now: DateTime<Utc>,
) {
    for event in events {
        rows.add_unread(db, event.row(now), &event.links());
    }
}

/// The rows of events whose every id is known (a bulk move's, written in one statement).
pub fn known_rows(
    events: impl IntoIterator<Item = EventRow>,
    now: DateTime<Utc>,
) -> Vec<contact_event::ActiveModel> {
    events.into_iter().map(|event| event.row(now)).collect()
}
