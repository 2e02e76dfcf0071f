//! Completing and cancelling pending activities, completing to-dos.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::inputs::{PendingActivityInput, number};
use crate::domain::Field;
use crate::graphql::context::store;
use crate::graphql::errors::{UserError, answer, payloads};
use crate::graphql::guard::{SignedIn, signed_in};
use crate::graphql::ids::kind;
use crate::graphql::types::todo::Todo;
use crate::graphql::types::work::{Activity, PendingActivity};
use crate::service::writes::complete;

/// Marks a pending activity done.
#[derive(Debug, Clone, InputObject)]
pub struct CompletePendingActivityInput {
    /// The open pending activity.
    pub pending_activity_id: ID,
    /// What was done (default: the pending activity's description).
    pub description: Option<String>,
    /// The next pending activity; absent: the stage rule's `nextActivityType`, if any.
    pub next: Option<PendingActivityInput>,
}

/// The answer to `completePendingActivity`.
#[derive(SimpleObject, Default)]
pub struct CompletePendingActivityPayload {
    /// The recorded activity.
    pub activity: Option<Activity>,
    /// The closed pending activity.
    pub pending_activity: Option<PendingActivity>,
    /// The next pending activity scheduled.
    pub next: Option<PendingActivity>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// Calls off a pending activity.
#[derive(Debug, Clone, InputObject)]
pub struct CancelPendingActivityInput {
    /// The open pending activity.
    pub pending_activity_id: ID,
}

/// The answer to `cancelPendingActivity`.
#[derive(SimpleObject, Default)]
pub struct CancelPendingActivityPayload {
    /// The cancelled pending activity.
    pub pending_activity: Option<PendingActivity>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// Marks a to-do done.
#[derive(Debug, Clone, InputObject)]
pub struct CompleteTodoInput {
    /// The open to-do.
    pub todo_id: ID,
}

/// The answer to `completeTodo`.
#[derive(SimpleObject, Default)]
pub struct CompleteTodoPayload {
    /// The completed to-do.
    pub todo: Option<Todo>,
    /// Its pending activity, completed with it.
    pub pending_activity: Option<PendingActivity>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

payloads!(
    CompletePendingActivityPayload,
    CancelPendingActivityPayload,
    CompleteTodoPayload
);

/// The pending activity acted on is `pendingActivityId`; the one scheduled next, `next`.
fn pending_names(field: Field) -> Option<&'static str> {
    match field {
        Field::Record => Some("pendingActivityId"),
        Field::Pending => Some("next"),
        _ => None,
    }
}

/// The to-do is `todoId`; a pending activity its completion schedules, `next`.
fn todo_names(field: Field) -> Option<&'static str> {
    match field {
        Field::Record => Some("todoId"),
        Field::Pending => Some("next"),
        _ => None,
    }
}

/// Work mutations.
#[derive(Default)]
pub struct WorkMutation;

/// Work mutations.
#[Object(guard = "SignedIn")]
impl WorkMutation {
    /// Records the done activity of a pending activity (its type, the caller, the contact's
    /// stage), closes it and its to-do, and schedules `next` or the stage's default next one.
    async fn complete_pending_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: CompletePendingActivityInput,
    ) -> Result<CompletePendingActivityPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.pending_activity_id, kind::PENDING_ACTIVITY);
        let next = input.next.as_ref().map(PendingActivityInput::to_service);
        let description = input.description.clone();
        let outcome = complete::complete_pending(store(ctx), actor, id, description, next).await;
        answer(outcome, pending_names, |done| {
            CompletePendingActivityPayload {
                activity: Some(Activity(done.activity)),
                pending_activity: Some(PendingActivity(done.pending)),
                next: done.next.map(PendingActivity),
                user_errors: vec![],
            }
        })
    }

    /// Cancels an open pending activity and its to-do.
    async fn cancel_pending_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: CancelPendingActivityInput,
    ) -> Result<CancelPendingActivityPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.pending_activity_id, kind::PENDING_ACTIVITY);
        let outcome = complete::cancel_pending(store(ctx), actor, id).await;
        answer(outcome, pending_names, |pending| {
            CancelPendingActivityPayload {
                pending_activity: Some(PendingActivity(pending)),
                user_errors: vec![],
            }
        })
    }

    /// Completes a to-do (its operator or an ADMIN); a to-do of a pending activity completes
    /// that pending activity too.
    async fn complete_todo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: CompleteTodoInput,
    ) -> Result<CompleteTodoPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.todo_id, kind::TODO);
        let outcome = complete::complete_todo(store(ctx), actor, id).await;
        answer(outcome, todo_names, |(todo, completed)| {
            CompleteTodoPayload {
                todo: Some(Todo(todo)),
                pending_activity: completed.map(|done| PendingActivity(done.pending)),
                user_errors: vec![],
            }
        })
    }
}
