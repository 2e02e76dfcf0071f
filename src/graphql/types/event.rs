//! Contact events: every change of a contact, as the outbox keeps it, with the rows it names.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result};

use super::config::Operator;
use super::contact::Contact;
use super::stage_change::StageChange;
use super::work::{Activity, PendingActivity};
use crate::domain::event::ContactEventKind as Kind;
use crate::events::LoadedEvent;
use crate::graphql::loaders::{OperatorKey, known};
use crate::graphql::scalars::DateTime;

/// What happened to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Kind")]
pub enum ContactEventKind {
    /// The contact was created (`stageChange`: its entry into the first stage).
    Created,
    /// Its own fields (name, e-mail, phone, owner) changed.
    Updated,
    /// It moved to another stage (`stageChange`).
    StageChanged,
    /// An activity was recorded (`activity`).
    ActivityRecorded,
    /// A pending activity was scheduled (`pendingActivity`).
    PendingScheduled,
    /// A pending activity was completed or cancelled (`pendingActivity`; `activity` when it
    /// was completed).
    PendingClosed,
}

/// One change of a contact, in commit order.
pub struct ContactEvent(pub Arc<LoadedEvent>);

/// One change of a contact, in commit order.
#[Object]
impl ContactEvent {
    /// Opaque, increasing; pass it as `after` to resume just after this event.
    async fn cursor(&self) -> String {
        self.0.event.cursor.encode()
    }
    /// What happened.
    async fn kind(&self) -> ContactEventKind {
        self.0.event.kind.into()
    }
    /// The contact, as it is now.
    async fn contact(&self) -> Contact {
        Contact(self.0.contact.clone())
    }
    /// Who made the change.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            known(ctx, OperatorKey(self.0.event.operator_id)).await?,
        ))
    }
    /// When the change was made (server time).
    async fn at(&self) -> DateTime {
        self.0.event.at.into()
    }
    /// The stage change it concerns (`CREATED`, `STAGE_CHANGED`).
    async fn stage_change(&self) -> Option<StageChange> {
        self.0.stage_change.clone().map(StageChange)
    }
    /// The activity it concerns (`ACTIVITY_RECORDED`; `PENDING_CLOSED` when completed).
    async fn activity(&self) -> Option<Activity> {
        self.0.activity.clone().map(Activity)
    }
    /// The pending activity it concerns, as it is now (`PENDING_SCHEDULED`, `PENDING_CLOSED`).
    async fn pending_activity(&self) -> Option<PendingActivity> {
        self.0.pending.clone().map(PendingActivity)
    }
}
