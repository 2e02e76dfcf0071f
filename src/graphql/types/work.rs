//! The work around contacts: done activities, pending activities, to-dos and the stage log.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::config::{ActivityType, Operator, Stage};
use super::contact::Contact;
use crate::domain::WorkStatus;
use crate::entity::{activity, pending_activity, stage_change, todo};
use crate::graphql::context::loader;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    ActivityKey, ActivityTypeKey, ContactKey, OperatorKey, PendingKey, StageKey, TodosOfPending,
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

/// Where a to-do stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "WorkStatus")]
pub enum TodoStatus {
    /// Still to do.
    Open,
    /// Done.
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
            required(loader(ctx), ActivityTypeKey(self.0.activity_type_id)).await?,
        ))
    }
    /// Data: set by the server when the activity is recorded.
    async fn performed_at(&self) -> DateTime {
        self.0.performed_at.into()
    }
    /// Operatore: the operator who recorded it (the caller), never taken from input.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            required(loader(ctx), OperatorKey(self.0.operator_id)).await?,
        ))
    }
    /// What was done.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The stage the contact was in when it was recorded.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(
            required(loader(ctx), StageKey(self.0.stage_id)).await?,
        ))
    }
    /// When the row was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// Attività in sospeso: the next activity to do.
pub struct PendingActivity(pub pending_activity::Model);

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
            required(loader(ctx), ActivityTypeKey(self.0.activity_type_id)).await?,
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
        Ok(Operator(
            required(loader(ctx), OperatorKey(self.0.assignee_id)).await?,
        ))
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
            required(loader(ctx), OperatorKey(self.0.created_by_id)).await?,
        ))
    }
}

/// An entry in an operator's general to-do list.
pub struct Todo(pub todo::Model);

#[Object]
impl Todo {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::TODO, self.0.id)
    }
    /// Whose list it is on.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            required(loader(ctx), OperatorKey(self.0.operator_id)).await?,
        ))
    }
    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Details.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The kind of activity, when the to-do comes from a pending activity.
    #[graphql(name = "type")]
    async fn activity_type(&self, ctx: &Context<'_>) -> Result<Option<ActivityType>> {
        match self.0.activity_type_id {
            Some(id) => Ok(Some(ActivityType(
                required(loader(ctx), ActivityTypeKey(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The contact it concerns.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        match self.0.contact_id {
            Some(id) => Ok(Some(Contact(required(loader(ctx), ContactKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The pending activity it was created for.
    async fn pending_activity(&self, ctx: &Context<'_>) -> Result<Option<PendingActivity>> {
        match self.0.pending_activity_id {
            Some(id) => Ok(Some(PendingActivity(
                required(loader(ctx), PendingKey(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// Deadline.
    async fn due_at(&self) -> Option<DateTime> {
        self.0.due_at.map(DateTime)
    }
    /// Where it stands.
    async fn status(&self) -> TodoStatus {
        self.0.status.into()
    }
    /// When it was done or cancelled.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// Log: one row per stage change.
pub struct StageChange(pub stage_change::Model);

#[Object]
impl StageChange {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::STAGE_CHANGE, self.0.id)
    }
    /// The contact that moved.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(Contact(
            required(loader(ctx), ContactKey(self.0.contact_id)).await?,
        ))
    }
    /// The stage left; null for the row written when the contact was created.
    async fn from(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        match self.0.from_stage_id {
            Some(id) => Ok(Some(Stage(required(loader(ctx), StageKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The stage entered.
    async fn to(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(
            required(loader(ctx), StageKey(self.0.to_stage_id)).await?,
        ))
    }
    /// Who moved it.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            required(loader(ctx), OperatorKey(self.0.operator_id)).await?,
        ))
    }
    /// When (server time).
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }
    /// Why, if the operator said.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
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

/// Which to-dos a list shows.
#[derive(Debug, Clone, Default, InputObject)]
pub struct TodoFilter {
    /// Whose list (default: the caller's).
    pub operator_id: Option<ID>,
    /// Only these statuses (default: OPEN).
    pub status: Option<Vec<TodoStatus>>,
}
