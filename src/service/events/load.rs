//! The rows events name, read once per batch for every subscriber.

use std::collections::HashMap;

use super::StoredEvent;
use crate::entity::{activity, contact, pending_activity, stage_change};
use crate::service::company::InCompany;
use crate::service::lookup::by_ids;
use crate::service::{ServiceError, ServiceResult};

/// An event with the rows it names, read once for every subscriber.
#[derive(Debug, Clone)]
pub struct LoadedEvent {
    /// The event.
    pub event: StoredEvent,
    /// The contact as it is now.
    pub contact: contact::Model,
    /// The stage change it concerns.
    pub stage_change: Option<stage_change::Model>,
    /// The activity it concerns.
    pub activity: Option<activity::Model>,
    /// The pending activity it concerns, as it is now.
    pub pending: Option<pending_activity::Model>,
}

/// The rows a batch of events names, by id.
#[derive(Default)]
pub(super) struct Named {
    pub(super) contacts: HashMap<i64, contact::Model>,
    pub(super) changes: HashMap<i64, stage_change::Model>,
    pub(super) activities: HashMap<i64, activity::Model>,
    pub(super) pendings: HashMap<i64, pending_activity::Model>,
}

/// The events with the rows they name: one statement per kind of row the batch needs.
pub async fn load(
    db: &impl InCompany,
    events: Vec<StoredEvent>,
) -> ServiceResult<Vec<LoadedEvent>> {
    let ids = |of: fn(&StoredEvent) -> Option<i64>| {
        let mut ids: Vec<i64> = events.iter().filter_map(of).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let named = Named {
        contacts: by_ids::<contact::Entity, _>(
            db,
            contact::Column::Id,
            &ids(|e| Some(e.contact_id)),
            |row| row.id,
        )
        .await?,
        changes: by_ids::<stage_change::Entity, _>(
            db,
            stage_change::Column::Id,
            &ids(|e| e.stage_change_id),
            |row| row.id,
        )
        .await?,
        activities: by_ids::<activity::Entity, _>(
            db,
            activity::Column::Id,
            &ids(|e| e.activity_id),
            |row| row.id,
        )
        .await?,
        pendings: by_ids::<pending_activity::Entity, _>(
            db,
            pending_activity::Column::Id,
            &ids(|e| e.pending_activity_id),
            |row| row.id,
        )
        .await?,
    };
    assemble(events, &named)
}

/// Each event with the rows it names; a contact missing is an error (events are never
/// written without their contact, nor contacts deleted).
pub(super) fn assemble(events: Vec<StoredEvent>, named: &Named) -> ServiceResult<Vec<LoadedEvent>> {
    events
        .into_iter()
        .map(|event| {
            let contact = named
                .contacts
                .get(&event.contact_id)
                .cloned()
                .ok_or_else(|| {
                    ServiceError::Internal(format!("event of missing contact {}", event.contact_id))
                })?;
            Ok(LoadedEvent {
                stage_change: pick(&named.changes, event.stage_change_id),
                activity: pick(&named.activities, event.activity_id),
                pending: pick(&named.pendings, event.pending_activity_id),
                contact,
                event,
            })
        })
        .collect()
}

/// The row `id` names, when it names one.
fn pick<M: Clone>(rows: &HashMap<i64, M>, id: Option<i64>) -> Option<M> {
    id.and_then(|id| rows.get(&id).cloned())
}
