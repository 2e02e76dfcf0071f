//! Contacts and what a client may do with one next.

use async_graphql::{ComplexObject, Context, ID, Object, Result};

use super::config::{ActivityType, Operator, Stage, Transition, Workflow};
use super::connection::connection;
use super::stage_change::StageChange;
use super::work::{Activity, PendingActivity, PendingStatus, statuses};
use crate::domain::pipeline;
use crate::entity::contact;
use crate::graphql::context::{db, loader, request_time};
use crate::graphql::errors::{ApiResult, UserErrorCode};
use crate::graphql::guard::signed_in;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    AllActivityTypes, LastActivityOfContact, OperatorKey, PendingOfContact, RulesOfWorkflow,
    StageKey, TransitionsOfWorkflow, WorkflowKey, known, required,
};
use crate::graphql::scalars::{DateTime, int};
use crate::service::pagination::PageRequest;
use crate::service::{catalog, contacts, work_items};

/// A person or company moving through a workflow.
pub struct Contact(pub contact::Model);

connection!(
    ActivityConnection,
    ActivityEdge,
    Activity,
    "A page of done activities."
);
connection!(
    StageChangeConnection,
    StageChangeEdge,
    StageChange,
    "A page of the stage log."
);

/// A person or company moving through a workflow.
#[Object]
impl Contact {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::CONTACT, self.0.id)
    }
    /// Grows by one with every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Name of the person or company.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The operator responsible for the contact.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Operator>> {
        match self.0.owner_id {
            Some(id) => Ok(Some(Operator(known(ctx, OperatorKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The workflow the contact moves through.
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Workflow> {
        Ok(Workflow(known(ctx, WorkflowKey(self.0.workflow_id)).await?))
    }
    /// The stage the contact is in.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.0.stage_id)).await?))
    }
    /// When the contact entered its stage.
    async fn stage_entered_at(&self) -> DateTime {
        self.0.stage_entered_at.into()
    }
    /// Seconds since the contact entered its current stage.
    async fn seconds_in_stage(&self, ctx: &Context<'_>) -> i32 {
        int(pipeline::seconds_between(
            self.0.stage_entered_at,
            request_time(ctx),
        ))
    }
    /// Whether the contact has been left untouched longer than its stage allows
    /// (`Stage.staleAfterDays`): true from the moment `staleSince` is reached.
    async fn is_stale(&self, ctx: &Context<'_>) -> Result<bool> {
        let stage = known(ctx, StageKey(self.0.stage_id)).await?;
        Ok(pipeline::is_stale(
            stage.stale_after_days,
            self.0.updated_at,
            request_time(ctx),
        ))
    }
    /// When the contact goes (or went) stale: its last touch (a save, an activity, a stage
    /// change) plus its stage's `staleAfterDays`; null in a stage whose contacts never go stale.
    async fn stale_since(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        let stage = known(ctx, StageKey(self.0.stage_id)).await?;
        Ok(pipeline::stale_since(stage.stale_after_days, self.0.updated_at).map(DateTime::from))
    }
    /// When the contact was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When the contact last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    /// The activity types that may be recorded in this contact's stage now
    /// (`activityTypes(stageId: <this contact's stage>)`).
    async fn allowed_activity_types(&self, ctx: &Context<'_>) -> Result<Vec<ActivityType>> {
        let rules = known(ctx, RulesOfWorkflow(self.0.workflow_id)).await?;
        let all = required(loader(ctx), AllActivityTypes).await?;
        let allowed = catalog::allowed_types(&rules, self.0.stage_id, &all);
        Ok(allowed.into_iter().map(ActivityType).collect())
    }
    /// Every transition out of the current stage, and whether the caller may take it now.
    async fn available_transitions(&self, ctx: &Context<'_>) -> Result<Vec<TransitionOption>> {
        let who = signed_in(ctx)?;
        let rules = known(ctx, RulesOfWorkflow(self.0.workflow_id)).await?;
        let transitions = known(ctx, TransitionsOfWorkflow(self.0.workflow_id)).await?;
        let options =
            contacts::available_transitions(db(ctx), &self.0, &rules, who.role(), &transitions)
                .await
                .api()?;
        Ok(options
            .into_iter()
            .map(|option| TransitionOption {
                allowed: option.blocked_by.is_empty(),
                blocked_by: option
                    .blocked_by
                    .into_iter()
                    .map(UserErrorCode::from)
                    .collect(),
                to_stage_id: option.transition.to_stage_id,
                transition: option.transition,
            })
            .collect())
    }
    /// Done activities, newest first.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<ActivityConnection> {
        let request = PageRequest {
            first,
            after,
            ..Default::default()
        };
        let (page, counter) = work_items::activities_of_contact(db(ctx), self.0.id, &request)
            .await
            .api()?;
        Ok(ActivityConnection::new(page, counter, Activity))
    }
    /// Pending activities with one of these statuses (default: OPEN), soonest deadline first.
    async fn pending_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these statuses (default: OPEN).")] status: Option<
            Vec<PendingStatus>,
        >,
    ) -> Result<Vec<PendingActivity>> {
        let key = PendingOfContact::new(self.0.id, &statuses(status));
        let rows = loader(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(PendingActivity).collect())
    }
    /// The newest done activity (by when it was done); null when none is recorded yet.
    async fn last_activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let newest = loader(ctx)
            .load_one(LastActivityOfContact(self.0.id))
            .await?;
        Ok(newest.map(Activity))
    }
    /// The stage log, newest first.
    async fn stage_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<StageChangeConnection> {
        let request = PageRequest {
            first,
            after,
            ..Default::default()
        };
        let (page, counter) = work_items::stage_log(db(ctx), self.0.id, &request)
            .await
            .api()?;
        Ok(StageChangeConnection::new(page, counter, StageChange))
    }
}

/// One transition out of a contact's stage, and whether the caller may take it now.
#[derive(async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct TransitionOption {
    #[graphql(skip)]
    transition: crate::entity::transition::Model,
    #[graphql(skip)]
    to_stage_id: i64,
    /// Whether the caller may take it now.
    allowed: bool,
    /// Why not, when not allowed (`TRANSITION_FORBIDDEN`, `MANDATORY_ACTIVITY_MISSING`).
    blocked_by: Vec<UserErrorCode>,
}

#[ComplexObject]
impl TransitionOption {
    /// The transition.
    async fn transition(&self) -> Transition {
        Transition(self.transition.clone())
    }
    /// The stage it leads to.
    async fn to(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.to_stage_id)).await?))
    }
}
