//! The work done and to do for contacts: done activities and pending activities.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::config::{ActivityType, Operator, Stage};
use super::contact::Contact;
use super::todo::Todo;
use crate::domain::WorkStatus;
use crate::entity::{activity, pending_activity};
use crate::graphql::context::loader;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    ActivityKey, ActivityTypeKey, ContactKey, OperatorKey, StageKey, TodosOfPending, known,
    required,
};
use crate::graphql::scalars::DateTime;

/// Where a pending activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "WorkStatus")]
pub enum PendingStatus {
    /// Still to do.
    Open,
    /// Done: an activity was recorded for it.
    Done,
    /// Called off.
    Cancelled,
}

/// The statuses a list asks for; none given: OPEN only.
pub fn statuses<T: Into<WorkStatus>>(given: Option<Vec<T>>) -> Vec<WorkStatus> {
    given.map_or_else(
        || vec![WorkStatus::Open],
        |list| list.into_iter().map(Into::into).collect(),
    )
}

/// Attività: an activity that was done.
pub struct Activity(pub activity::Model);

/// Attività: an activity that was done.
#[Object]
impl Activity {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::ACTIVITY, self.0.id)
    }
    /// The contact it was done for.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(Contact(
            required(loader(ctx), ContactKey(self.0.contact_id)).await?,
        ))
    }
    /// What kind of activity it was.
    #[graphql(name = "type")]
    async fn activity_type(&self, ctx: &Context<'_>) -> Result<ActivityType> {
        Ok(ActivityType(
            known(ctx, ActivityTypeKey(self.0.activity_type_id)).await?,
        ))
    }
    /// Data: set by the server when the activity is recorded.
    async fn performed_at(&self) -> DateTime {
        self.0.performed_at.into()
    }
    /// Operatore: the operator who recorded it (the caller), never taken from input.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(known(ctx, OperatorKey(self.0.operator_id)).await?))
    }
    /// What was done.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The stage the contact was in when it was recorded.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.0.stage_id)).await?))
    }
    /// When the row was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// Attività in sospeso: the next activity to do.
pub struct PendingActivity(pub pending_activity::Model);

/// Attività in sospeso: the next activity to do.
#[Object]
impl PendingActivity {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::PENDING_ACTIVITY, self.0.id)
    }
    /// The contact it is for.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(Contact(
            required(loader(ctx), ContactKey(self.0.contact_id)).await?,
        ))
    }
    /// What kind of activity is to be done.
    #[graphql(name = "type")]
    async fn activity_type(&self, ctx: &Context<'_>) -> Result<ActivityType> {
        Ok(ActivityType(
            known(ctx, ActivityTypeKey(self.0.activity_type_id)).await?,
        ))
    }
    /// What is to be done.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Data attività in attesa: set by the server when the pending activity is recorded.
    async fn pending_since(&self) -> DateTime {
        self.0.pending_since.into()
    }
    /// Data chiusura: the deadline.
    async fn due_at(&self) -> Option<DateTime> {
        self.0.due_at.map(DateTime)
    }
    /// Operatore: who must do it.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(known(ctx, OperatorKey(self.0.assignee_id)).await?))
    }
    /// When the reminder starts showing to the assignee.
    async fn reminder_starts_at(&self) -> Option<DateTime> {
        self.0.reminder_starts_at.map(DateTime)
    }
    /// When the reminder stops showing.
    async fn reminder_ends_at(&self) -> Option<DateTime> {
        self.0.reminder_ends_at.map(DateTime)
    }
    /// Crea attività: whether a to-do was created for the assignee on save.
    async fn create_todo(&self) -> bool {
        self.0.create_todo
    }
    /// The to-do created for it, if any.
    async fn todo(&self, ctx: &Context<'_>) -> Result<Option<Todo>> {
        let todos = loader(ctx)
            .load_one(TodosOfPending(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(todos.into_iter().last().map(Todo))
    }
    /// Where it stands.
    async fn status(&self) -> PendingStatus {
        self.0.status.into()
    }
    /// When it was done or cancelled.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }
    /// The activity recorded when it was done.
    async fn completed_activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        match self.0.completed_activity_id {
            Some(id) => Ok(Some(Activity(
                required(loader(ctx), ActivityKey(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The operator who scheduled it.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            known(ctx, OperatorKey(self.0.created_by_id)).await?,
        ))
    }
}

/// Which pending activities a list shows.
#[derive(Debug, Clone, Default, InputObject)]
pub struct PendingActivityFilter {
    /// Only those assigned to this operator.
    pub assignee_id: Option<ID>,
    /// Only these statuses (default: OPEN).
    pub status: Option<Vec<PendingStatus>>,
    /// Only those due strictly before this moment.
    pub due_before: Option<DateTime>,
}
