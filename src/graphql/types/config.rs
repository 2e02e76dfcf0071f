//! Configuration objects: operators, roles, activity types, workflows, stages, their activity
//! rules and transitions.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use crate::domain;
use crate::entity::{activity_type, stage, stage_activity_rule, transition, workflow};
use crate::graphql::context::{loader, locale_for, snapshot};
use crate::graphql::errors::ApiResult;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    ActivityTypeKey, ContactsInStage, RulesOfStage, StageKey, StagesOfWorkflow,
    TransitionsOfWorkflow, WorkflowKey, known,
};
use crate::graphql::scalars::int;
use crate::service::catalog;
use crate::service::members::Member;

/// A name in one language.
#[derive(SimpleObject, Debug, Clone)]
pub struct LocalizedName {
    /// The language (BCP 47), for example `it`.
    pub locale: String,
    /// The name in that language.
    pub name: String,
}

/// The name to show of `default` and its localized `names`: the one in the request's language,
/// else in the caller's, else the default.
fn shown_name(ctx: &Context<'_>, default: &str, names: &[LocalizedName]) -> String {
    let locales: Vec<&str> = names.iter().map(|name| name.locale.as_str()).collect();
    locale_for(ctx, &locales)
        .and_then(|chosen| names.iter().find(|name| name.locale == chosen))
        .map_or(default, |name| name.name.as_str())
        .to_owned()
}

/// Whose localized names.
#[derive(Clone, Copy)]
enum Named {
    Stage(i64),
    ActivityType(i64),
}

/// The localized names of a stage or activity type (from the company's snapshot).
async fn localized(ctx: &Context<'_>, whose: Named) -> Result<Vec<LocalizedName>> {
    let snapshot = snapshot(ctx).await?;
    let names = snapshot.names();
    let rows = match whose {
        Named::Stage(id) => names.of_stage(id),
        Named::ActivityType(id) => names.of_activity_type(id),
    };
    Ok(rows
        .iter()
        .map(|row| LocalizedName {
            locale: row.locale.clone(),
            name: row.name.clone(),
        })
        .collect())
}

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Role", remote = "domain::Role")]
pub enum RoleValue {
    /// Configures workflows, activity types and operators; takes every transition.
    Admin,
    /// Works contacts; takes transitions reserved to managers.
    Manager,
    /// Works contacts.
    Operator,
}

/// A person who signs in and works contacts, as the caller's company knows them.
pub struct Operator(pub Member);

/// A person who signs in and works contacts.
#[Object]
impl Operator {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::OPERATOR, self.0.operator.id)
    }
    /// Sign-in name.
    async fn login(&self) -> &str {
        &self.0.operator.login
    }
    /// Name shown to people.
    async fn display_name(&self) -> &str {
        &self.0.operator.display_name
    }
    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.operator.email.as_deref()
    }
    /// Role in the caller's company, which decides what the operator may do there.
    async fn role(&self) -> RoleValue {
        self.0.role().into()
    }
    /// Whether the operator works for the caller's company now: inactive members cannot sign
    /// in to it or be assigned its work.
    async fn active(&self) -> bool {
        self.0.active()
    }
    /// IANA time zone the operator works in, for example `Europe/Rome`.
    async fn time_zone(&self) -> &str {
        &self.0.operator.time_zone
    }
    /// The language (BCP 47, default `en`) the operator reads names in when a request's
    /// `Accept-Language` names none that has them.
    async fn locale(&self) -> &str {
        &self.0.operator.locale
    }
    /// The companies the operator belongs to that the caller belongs to too, by code.
    async fn companies(&self, ctx: &Context<'_>) -> Result<Vec<super::company::Company>> {
        super::company::shared_companies(ctx, self.0.operator.id).await
    }
}

/// A kind of activity: a call, an e-mail, a meeting …
pub struct ActivityType(pub activity_type::Model);

/// A kind of activity: a call, an e-mail, a meeting …
#[Object]
impl ActivityType {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::ACTIVITY_TYPE, self.0.id)
    }
    /// Stable code, for example `DISCOVERY_CALL`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name shown to people, in the request's language: the first locale of `Accept-Language`
    /// that has a localized name, else the operator's `locale`, else the default name.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(shown_name(
            ctx,
            &self.0.name,
            &localized(ctx, Named::ActivityType(self.0.id)).await?,
        ))
    }
    /// The name in each language it has one in, by locale.
    async fn localized_names(&self, ctx: &Context<'_>) -> Result<Vec<LocalizedName>> {
        localized(ctx, Named::ActivityType(self.0.id)).await
    }
    /// Inactive types can no longer be recorded or scheduled.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// A workflow: the stages a contact moves through and the transitions between them.
pub struct Workflow(pub workflow::Model);

/// A workflow: the stages a contact moves through and the transitions between them.
#[Object]
impl Workflow {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::WORKFLOW, self.0.id)
    }
    /// Stable code, for example `CRM_CONTACTS`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name shown to people.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the workflow is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Fluentis 'Visualizza tab log': whether a client shows the Log tab for contacts in this workflow.
    async fn log_tab_visible(&self) -> bool {
        self.0.log_tab_visible
    }
    /// true: only the activity types listed on a stage may be recorded there.
    async fn restrict_activity_types(&self) -> bool {
        self.0.restrict_activity_types
    }
    /// New contacts without a workflow go into the default one.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The stages, ordered by position.
    async fn stages(&self, ctx: &Context<'_>) -> Result<Vec<Stage>> {
        let stages = known(ctx, StagesOfWorkflow(self.0.id)).await?;
        Ok(stages.into_iter().map(Stage).collect())
    }
    /// The permitted moves between its stages.
    async fn transitions(&self, ctx: &Context<'_>) -> Result<Vec<Transition>> {
        let rows = known(ctx, TransitionsOfWorkflow(self.0.id)).await?;
        Ok(rows.into_iter().map(Transition).collect())
    }
}

/// A stage of a workflow.
pub struct Stage(pub stage::Model);

/// A stage of a workflow.
#[Object]
impl Stage {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::STAGE, self.0.id)
    }
    /// Stable code, for example `QUALIFICATION`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name shown to people, in the request's language: the first locale of `Accept-Language`
    /// that has a localized name, else the operator's `locale`, else the default name.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(shown_name(
            ctx,
            &self.0.name,
            &localized(ctx, Named::Stage(self.0.id)).await?,
        ))
    }
    /// The name in each language it has one in, by locale.
    async fn localized_names(&self, ctx: &Context<'_>) -> Result<Vec<LocalizedName>> {
        localized(ctx, Named::Stage(self.0.id)).await
    }
    /// Place in the workflow, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// New contacts start here.
    async fn is_initial(&self) -> bool {
        self.0.is_initial
    }
    /// The end of the workflow.
    async fn is_final(&self) -> bool {
        self.0.is_final
    }
    /// Colour a client may use for the stage (CSS notation).
    async fn color(&self) -> Option<&str> {
        self.0.color.as_deref()
    }
    /// How many days a contact may rest untouched in the stage before it is stale; null: its
    /// contacts never go stale.
    async fn stale_after_days(&self) -> Option<i32> {
        self.0.stale_after_days
    }
    /// Contacts in this stage now (one statement for every stage of the answer).
    async fn contact_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let count = loader(ctx).load_one(ContactsInStage(self.0.id)).await?;
        Ok(count.map_or(0, int))
    }
    /// The workflow the stage belongs to.
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Workflow> {
        Ok(Workflow(known(ctx, WorkflowKey(self.0.workflow_id)).await?))
    }
    /// The activity types listed on the stage, in rule order, with their rules.
    async fn activity_rules(&self, ctx: &Context<'_>) -> Result<Vec<StageActivityRule>> {
        let rules = known(ctx, RulesOfStage(self.0.id)).await?;
        Ok(rules.into_iter().map(StageActivityRule).collect())
    }
}

/// An activity type listed on a stage, and what the stage does with it.
pub struct StageActivityRule(pub stage_activity_rule::Model);

/// An activity type listed on a stage, and what the stage does with it.
#[Object]
impl StageActivityRule {
    /// The listed activity type.
    async fn activity_type(&self, ctx: &Context<'_>) -> Result<ActivityType> {
        Ok(ActivityType(
            known(ctx, ActivityTypeKey(self.0.activity_type_id)).await?,
        ))
    }
    /// Scheduled next when a pending activity of this type is completed without an explicit `next`.
    async fn next_activity_type(&self, ctx: &Context<'_>) -> Result<Option<ActivityType>> {
        match self.0.next_activity_type_id {
            Some(id) => Ok(Some(ActivityType(known(ctx, ActivityTypeKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The contact cannot leave the stage until an activity of this type was recorded in it.
    async fn mandatory(&self) -> bool {
        self.0.mandatory
    }
    /// Whether the scheduled next activity gets a to-do for its assignee.
    async fn create_todo_for_next(&self) -> bool {
        self.0.create_todo_for_next
    }
    /// Whether a client should highlight this type in the stage.
    async fn highlighted(&self) -> bool {
        self.0.highlighted
    }
}

/// A permitted move between two stages.
pub struct Transition(pub transition::Model);

/// A permitted move between two stages.
#[Object]
impl Transition {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::TRANSITION, self.0.id)
    }
    /// Name shown to people.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The stage left.
    async fn from(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.0.from_stage_id)).await?))
    }
    /// The stage entered.
    async fn to(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.0.to_stage_id)).await?))
    }
    /// Roles that may take it; empty: every role. ADMIN takes every transition.
    async fn allowed_roles(&self) -> Result<Vec<RoleValue>> {
        let roles = catalog::transition_roles(&self.0).api()?;
        Ok(roles.into_iter().map(RoleValue::from).collect())
    }
}
