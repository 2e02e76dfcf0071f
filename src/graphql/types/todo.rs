//! An operator's general to-do list.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::config::{ActivityType, Operator};
use super::contact::Contact;
use super::work::PendingActivity;
use crate::domain::WorkStatus;
use crate::entity::todo;
use crate::graphql::context::loader;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    ActivityTypeKey, ContactKey, OperatorKey, PendingKey, known, required,
};
use crate::graphql::scalars::DateTime;

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

/// An entry in an operator's general to-do list.
pub struct Todo(pub todo::Model);

/// An entry in an operator's general to-do list.
#[Object]
impl Todo {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::TODO, self.0.id)
    }
    /// Whose list it is on.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(known(ctx, OperatorKey(self.0.operator_id)).await?))
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
            Some(id) => Ok(Some(ActivityType(known(ctx, ActivityTypeKey(id)).await?))),
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

/// Which to-dos a list shows.
#[derive(Debug, Clone, Default, InputObject)]
pub struct TodoFilter {
    /// Whose list (default: the caller's).
    pub operator_id: Option<ID>,
    /// Only these statuses (default: OPEN).
    pub status: Option<Vec<TodoStatus>>,
}
