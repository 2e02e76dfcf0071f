//! The `Query` root: thin resolvers over `service`; every field but `__typename` needs a caller.

use async_graphql::{Context, ID, Object, Result};

use super::context::{db, directory, loader, request_time, snapshot};
use super::errors::ApiResult;
use super::errors::to_graphql;
use super::guard::{SignedIn, signed_in};
use super::ids::{self, kind};
use super::loaders::ContactKey;
use super::scalars::DateTime;
use super::types::company::Company;
use super::types::config::{ActivityType, Operator, Workflow};
use super::types::contact::Contact;
use super::types::contact_list::{ContactFilter, ContactOrder};
use super::types::node::{self, Node};
use super::types::pipeline::PipelineReport;
use super::types::reminder::Reminder;
use super::types::todo::{Todo, TodoFilter};
use super::types::webhook::Webhook;
use super::types::work::{PendingActivity, PendingActivityFilter, statuses};
use crate::service::pagination::PageRequest;
use crate::service::{
    catalog, clock, companies, contacts, members, pipeline, reminders, work_items,
};

super::types::connection::connection!(
    ContactConnection,
    ContactEdge,
    Contact,
    "A page of contacts."
);
super::types::connection::connection!(
    PendingActivityConnection,
    PendingActivityEdge,
    PendingActivity,
    "A page of pending activities."
);
super::types::connection::connection!(TodoConnection, TodoEdge, Todo, "A page of to-dos.");

/// Reads.
pub struct Query;

/// Reads: the signed-in operator, the configuration, contacts and the lists of work.
#[Object(guard = "SignedIn")]
impl Query {
    /// The record with this global id; null when unknown, malformed or foreign.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id.")] id: ID,
    ) -> Result<Option<Node>> {
        node::resolve(ctx, &id).await
    }
    /// The records with these global ids, in the same order; null for each unknown one.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ids, answered in the same order.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        let mut found = Vec::with_capacity(ids.len());
        for id in &ids {
            found.push(node::resolve(ctx, id).await?);
        }
        Ok(found)
    }
    /// The signed-in operator.
    async fn me(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(signed_in(ctx)?.clone()))
    }
    /// The company the caller's token is for.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        let who = signed_in(ctx)?;
        companies::visible(directory(ctx), who.operator.id, who.company_id())
            .await
            .api()?
            .map(Company)
            .ok_or_else(|| to_graphql(&crate::service::ServiceError::Unauthenticated))
    }
    /// The companies the caller belongs to, by code.
    async fn companies(&self, ctx: &Context<'_>) -> Result<Vec<Company>> {
        let who = signed_in(ctx)?;
        Ok(companies::of_operator(directory(ctx), who.operator.id)
            .await
            .api()?
            .into_iter()
            .map(Company)
            .collect())
    }
    /// Every operator of the caller's company (any signed-in operator may list them), by
    /// display name.
    async fn operators(&self, ctx: &Context<'_>) -> Result<Vec<Operator>> {
        Ok(members::members(db(ctx))
            .await
            .api()?
            .into_iter()
            .map(Operator)
            .collect())
    }
    /// ADMIN: the company's webhooks, oldest first.
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        if !signed_in(ctx)?.actor().role.may_configure() {
            let refused = "only an ADMIN may see the webhooks".to_owned();
            return Err(to_graphql(&crate::service::ServiceError::Forbidden(
                refused,
            )));
        }
        Ok(crate::service::webhooks::list(db(ctx))
            .await
            .api()?
            .into_iter()
            .map(Webhook)
            .collect())
    }
    /// Every workflow, the default first.
    async fn workflows(&self, ctx: &Context<'_>) -> Result<Vec<Workflow>> {
        Ok(catalog::workflows(db(ctx))
            .await
            .api()?
            .into_iter()
            .map(Workflow)
            .collect())
    }
    /// Stage-aware lookup: the activity types that may be recorded in this stage (its listed
    /// types in rule order; without restriction, those first, then the other active types).
    /// No stageId: every active type (and inactive ones with `includeInactive`).
    async fn activity_types(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the types this stage lists (in its order); absent: every type.")]
        stage_id: Option<ID>,
        #[graphql(default = false, desc = "Also the types that are switched off.")]
        include_inactive: bool,
    ) -> Result<Vec<ActivityType>> {
        let stage = stage_id.map(|id| ids::filter_value(&id, kind::STAGE));
        let types = catalog::activity_types_for(db(ctx), stage, include_inactive)
            .await
            .api()?;
        Ok(types.into_iter().map(ActivityType).collect())
    }
    /// A contact by global id; null when unknown.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id.")] id: ID,
    ) -> Result<Option<Contact>> {
        let Some(number) = ids::decode(&id, kind::CONTACT) else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(ContactKey(number)).await?.map(Contact))
    }
    /// Flow through a workflow's stages in `[from, to)`: per stage the contacts in it now, the
    /// changes into and out of it and how long the stays that ended in the period lasted; per
    /// pair of stages the changes between them. Two statements, whatever the number of contacts.
    async fn pipeline_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The workflow.")] workflow_id: ID,
        #[graphql(desc = "Start of the period (included).")] from: DateTime,
        #[graphql(desc = "End of the period (excluded).")] to: DateTime,
    ) -> Result<PipelineReport> {
        let snapshot = snapshot(ctx).await?;
        let workflow = ids::filter_value(&workflow_id, kind::WORKFLOW);
        let report = pipeline::report(db(ctx), &snapshot, workflow, (from.0, to.0))
            .await
            .api()?;
        Ok(PipelineReport { report, from, to })
    }
    /// Contacts, filtered and ordered (default: most recently updated first), a page at a time.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[expect(
        clippy::too_many_arguments,
        reason = "a Relay connection field takes its arguments one by one"
    )]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
        #[graphql(desc = "How many rows to return from the end (before `before`).")] last: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row before which the page ends (the next page's `pageInfo.startCursor`)."
        )]
        before: Option<String>,
        #[graphql(desc = "Which rows to list; every given criterion must hold.")] filter: Option<
            ContactFilter,
        >,
        #[graphql(desc = "How the rows are sorted (default: most recently changed first).")]
        order_by: Option<ContactOrder>,
    ) -> Result<ContactConnection> {
        let (sort, descending) = ContactOrder::to_service(order_by);
        let mut filter = filter.unwrap_or_default().to_service();
        if filter.stale.is_some() {
            filter.stale_rules = pipeline::stale_rules(snapshot(ctx).await?.as_ref());
        }
        let request = PageRequest {
            first,
            after,
            last,
            before,
        };
        let now = request_time(ctx);
        let (page, counter) = contacts::list(db(ctx), &filter, sort, descending, &request, now)
            .await
            .api()?;
        Ok(ContactConnection::new(page, counter, Contact))
    }
    /// Pending activities (default: OPEN ones of every assignee), soonest deadline first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn pending_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
        #[graphql(desc = "Which rows to list; every given criterion must hold.")] filter: Option<
            PendingActivityFilter,
        >,
    ) -> Result<PendingActivityConnection> {
        let filter = filter.unwrap_or_default();
        let service_filter = work_items::PendingFilter {
            assignee_id: filter
                .assignee_id
                .as_ref()
                .map(|id| ids::filter_value(id, kind::OPERATOR)),
            statuses: statuses(filter.status),
            due_before: filter.due_before.map(|moment| moment.0),
        };
        let request = PageRequest {
            first,
            after,
            ..Default::default()
        };
        let (page, counter) = work_items::pending_activities(db(ctx), &service_filter, &request)
            .await
            .api()?;
        Ok(PendingActivityConnection::new(
            page,
            counter,
            PendingActivity,
        ))
    }
    /// An operator's to-do list (default: the caller's OPEN to-dos), soonest deadline first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn todos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
        #[graphql(desc = "Which rows to list; every given criterion must hold.")] filter: Option<
            TodoFilter,
        >,
    ) -> Result<TodoConnection> {
        let who = signed_in(ctx)?;
        let filter = filter.unwrap_or_default();
        let operator_id = filter
            .operator_id
            .as_ref()
            .map_or(who.operator.id, |id| ids::filter_value(id, kind::OPERATOR));
        let request = PageRequest {
            first,
            after,
            ..Default::default()
        };
        let statuses = statuses(filter.status);
        let (page, counter) = work_items::todos(db(ctx), operator_id, &statuses, &request)
            .await
            .api()?;
        Ok(TodoConnection::new(page, counter, Todo))
    }
    /// The caller's reminders that are showing now (window open, not dismissed, not snoozed).
    async fn active_reminders(&self, ctx: &Context<'_>) -> Result<Vec<Reminder>> {
        let who = signed_in(ctx)?;
        let reminders = reminders::active_reminders(db(ctx), who.operator.id, clock::now())
            .await
            .api()?;
        Ok(reminders.into_iter().map(Reminder).collect())
    }
}
