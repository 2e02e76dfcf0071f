//! Contact events: every change of a contact, as the outbox keeps it, with the rows it names.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Enum, Object, OutputType, Positioned, Result, ServerResult, Value,
};

use super::config::Operator;
use super::contact::Contact;
use super::stage_change::StageChange;
use super::work::{Activity, PendingActivity};
use crate::domain::event::ContactEventKind as Kind;
use crate::events::{Claim, Question, SharedEvent};
use crate::graphql::guard;
use crate::graphql::loaders::{OperatorKey, known};
use crate::graphql::scalars::DateTime;
use crate::graphql::sharing::{Shared, Sharing};

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
pub struct ContactEvent(pub Arc<SharedEvent>);

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

/// A [`ContactEvent`] as a subscription hands it out: answered once for every subscriber that
/// asks the same ([`crate::graphql::sharing`]).
pub struct SharedContactEvent(pub Arc<SharedEvent>);

impl OutputType for SharedContactEvent {
    fn type_name() -> Cow<'static, str> {
        <ContactEvent as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <ContactEvent as OutputType>::create_type_info(registry)
    }

    /// The event's execution is boxed: this future is part of every open subscription's
    /// stream, sized for its largest step, and only a moment of it executes.
    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let event = ContactEvent(self.0.clone());
        let (Some(sharing), Some(caller)) = (ctx.data_opt::<Arc<Sharing>>(), guard::known(ctx))
        else {
            return Box::pin(event.resolve(ctx, field)).await;
        };
        let question = Question {
            document: sharing.document(),
            locale: caller.operator.locale.clone(),
        };
        loop {
            sharing.begin();
            match self.0.claim(question.clone(), caller.operator.id) {
                Claim::Kept(answer) => {
                    // Another subscriber's answer is sent; this stand-in is not.
                    sharing.settle(Shared::Kept(answer));
                    return Ok(Value::Null);
                }
                Claim::Wait(mut made) => {
                    // Changed or closed: either way, look again.
                    let _ = made.changed().await;
                }
                Claim::Make(making) => {
                    let value = Box::pin(event.resolve(ctx, field)).await?;
                    let used_caller = sharing.used_caller();
                    sharing.settle(Shared::Made {
                        making,
                        used_caller,
                    });
                    return Ok(value);
                }
            }
        }
    }
}
