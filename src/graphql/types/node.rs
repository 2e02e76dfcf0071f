//! The Relay `Node` interface and resolution of global ids.

use async_graphql::{Context, Interface, Result};

use super::company::Company;
use super::config::{ActivityType, Operator, Stage, Transition, Workflow};
use super::contact::Contact;
use super::reminder::Reminder;
use super::stage_change::StageChange;
use super::todo::Todo;
use super::webhook::{Webhook, WebhookDelivery};
use super::work::{Activity, PendingActivity};
use crate::entity::{stage_change, webhook, webhook_delivery};
use crate::graphql::context::{db, directory, loader};
use crate::graphql::errors::ApiResult;
use crate::graphql::guard::signed_in;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{
    ActivityKey, ActivityTypeKey, ContactKey, OperatorKey, PendingKey, StageKey, TodoKey,
    TransitionKey, WorkflowKey,
};
use crate::service::{companies, lookup, reminders};

/// Anything with a global id that `node(id:)` resolves.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "async_graphql::ID", desc = "Global, opaque id."))]
pub enum Node {
    /// A company (of the caller's).
    Company(Company),
    /// An operator.
    Operator(Operator),
    /// A workflow.
    Workflow(Workflow),
    /// A stage.
    Stage(Stage),
    /// A transition.
    Transition(Transition),
    /// An activity type.
    ActivityType(ActivityType),
    /// A contact.
    Contact(Contact),
    /// A done activity.
    Activity(Activity),
    /// A pending activity.
    PendingActivity(PendingActivity),
    /// A to-do.
    Todo(Todo),
    /// A stage log row.
    StageChange(StageChange),
    /// A reminder.
    Reminder(Reminder),
    /// A webhook (ADMIN).
    Webhook(Webhook),
    /// A webhook delivery (ADMIN).
    WebhookDelivery(WebhookDelivery),
}

/// The record a global id names; `None` for unknown, malformed or foreign ids.
pub async fn resolve(ctx: &Context<'_>, id: &str) -> Result<Option<Node>> {
    let Some((kind_name, number)) = ids::decode_any(id) else {
        return Ok(None);
    };
    let loader = loader(ctx);
    let node = match kind_name.as_str() {
        kind::COMPANY => {
            let who = signed_in(ctx)?;
            companies::visible(directory(ctx), who.operator.id, number)
                .await
                .api()?
                .map(|m| Node::Company(Company(m)))
        }
        kind::OPERATOR => loader
            .load_one(OperatorKey(number))
            .await?
            .map(|m| Node::Operator(Operator(m))),
        kind::WORKFLOW => loader
            .load_one(WorkflowKey(number))
            .await?
            .map(|m| Node::Workflow(Workflow(m))),
        kind::STAGE => loader
            .load_one(StageKey(number))
            .await?
            .map(|m| Node::Stage(Stage(m))),
        kind::TRANSITION => loader
            .load_one(TransitionKey(number))
            .await?
            .map(|m| Node::Transition(Transition(m))),
        kind::ACTIVITY_TYPE => loader
            .load_one(ActivityTypeKey(number))
            .await?
            .map(|m| Node::ActivityType(ActivityType(m))),
        kind::CONTACT => loader
            .load_one(ContactKey(number))
            .await?
            .map(|m| Node::Contact(Contact(m))),
        kind::ACTIVITY => loader
            .load_one(ActivityKey(number))
            .await?
            .map(|m| Node::Activity(Activity(m))),
        kind::PENDING_ACTIVITY => loader
            .load_one(PendingKey(number))
            .await?
            .map(|m| Node::PendingActivity(PendingActivity(m))),
        kind::TODO => loader
            .load_one(TodoKey(number))
            .await?
            .map(|m| Node::Todo(Todo(m))),
        kind::STAGE_CHANGE => lookup::by_ids::<stage_change::Entity, _>(
            db(ctx),
            stage_change::Column::Id,
            &[number],
            |m| m.id,
        )
        .await
        .api()?
        .remove(&number)
        .map(|m| Node::StageChange(StageChange(m))),
        kind::REMINDER => reminders::visible_reminder(db(ctx), number, signed_in(ctx)?.operator.id)
            .await
            .api()?
            .map(|r| Node::Reminder(Reminder(r))),
        kind::WEBHOOK | kind::WEBHOOK_DELIVERY => admin_node(ctx, &kind_name, number).await?,
        _ => None,
    };
    Ok(node)
}

/// A webhook or one of its deliveries, for an ADMIN only (anyone else: null).
async fn admin_node(ctx: &Context<'_>, kind_name: &str, number: i64) -> Result<Option<Node>> {
    if !signed_in(ctx)?.actor().role.may_configure() {
        return Ok(None);
    }
    let db = db(ctx);
    Ok(if kind_name == kind::WEBHOOK {
        lookup::by_ids::<webhook::Entity, _>(db, webhook::Column::Id, &[number], |m| m.id)
            .await
            .api()?
            .remove(&number)
            .map(|m| Node::Webhook(Webhook(m)))
    } else {
        lookup::by_ids::<webhook_delivery::Entity, _>(
            db,
            webhook_delivery::Column::Id,
            &[number],
            |m| m.id,
        )
        .await
        .api()?
        .remove(&number)
        .map(|m| Node::WebhookDelivery(WebhookDelivery(m)))
    })
}
