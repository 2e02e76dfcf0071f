//! The configuration (workflows, stages, activity rules, transitions, activity types, their
//! localized names) and the members of each company, kept in memory: they change only when an
//! ADMIN edits them, yet every request needs them (the caller is a member, a page of contacts
//! shows stages, owners, activity types and assignees). A request then reads from the database
//! only what is its own: contacts, activities, pending activities.
//!
//! A [`Snapshot`] is read whole, in one transaction, and kept until something changes it:
//! - a write on this instance that changes it forgets it when it commits;
//! - a write on another instance tells this one through the same `NOTIFY` channel as the
//!   reminders, and this one forgets it when told; after the listening connection was lost,
//!   every snapshot is forgotten;
//! - and in any case a snapshot older than [`KEPT_FOR`] is read again, so a change nobody
//!   announced (another process writing the same SQLite file, a notification lost) is seen
//!   within that time.
//!
//! A read that began before a change is not kept (each company counts its changes), so a
//! forgotten snapshot cannot come back.

mod cache;
#[cfg(test)]
mod tests;

pub use cache::Snapshots;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::QueryOrder;

use super::company::{self, InCompany};
use super::localized::{self, Names};
use super::members::{self, Member};
use super::{ServiceResult, catalog};
use crate::domain::WorkflowRules;
use crate::entity::{activity_type, stage, stage_activity_rule, transition, workflow};

/// How long a snapshot is used before it is read again, when nothing said it changed.
pub const KEPT_FOR: Duration = Duration::from_secs(5);

/// One company's configuration and members, as read at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    company_id: i64,
    names: Names,
    /// The default first, then by name.
    workflows: Vec<workflow::Model>,
    /// In configured order.
    activity_types: Vec<activity_type::Model>,
    /// By workflow, then position.
    stages: Vec<stage::Model>,
    /// In configured order.
    transitions: Vec<transition::Model>,
    /// In rule order.
    stage_rules: Vec<stage_activity_rule::Model>,
    /// By display name.
    members: Vec<Member>,
    index: Index,
    rules: HashMap<i64, Arc<WorkflowRules>>,
}

/// Positions by id in the snapshot's lists.
#[derive(Debug, Default)]
struct Index {
    workflows: HashMap<i64, usize>,
    activity_types: HashMap<i64, usize>,
    stages: HashMap<i64, usize>,
    transitions: HashMap<i64, usize>,
    members: HashMap<i64, usize>,
}

fn positions<T>(rows: &[T], id: impl Fn(&T) -> i64) -> HashMap<i64, usize> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| (id(row), i))
        .collect()
}

impl Snapshot {
    /// Reads the connection's company whole (8 statements).
    pub async fn read(db: &impl InCompany) -> ServiceResult<Self> {
        let workflows = catalog::workflows(db).await?;
        let activity_types = catalog::activity_types(db).await?;
        let stages = company::find::<stage::Entity>(db)
            .order_by_asc(stage::Column::WorkflowId)
            .order_by_asc(stage::Column::Position)
            .order_by_asc(stage::Column::Id)
            .all(db)
            .await?;
        let transitions = company::find::<transition::Entity>(db)
            .order_by_asc(transition::Column::Position)
            .order_by_asc(transition::Column::Id)
            .all(db)
            .await?;
        let stage_rules = company::find::<stage_activity_rule::Entity>(db)
            .order_by_asc(stage_activity_rule::Column::Position)
            .order_by_asc(stage_activity_rule::Column::Id)
            .all(db)
            .await?;
        let members = members::members(db).await?;
        let names = localized::read(db).await?;
        Self::of(
            db.company_id(),
            names,
            workflows,
            activity_types,
            stages,
            transitions,
            stage_rules,
            members,
        )
    }

    /// A snapshot of these rows.
    #[expect(clippy::too_many_arguments, reason = "one list per kind of row")]
    pub(crate) fn of(
        company_id: i64,
        names: Names,
        workflows: Vec<workflow::Model>,
        activity_types: Vec<activity_type::Model>,
        stages: Vec<stage::Model>,
        transitions: Vec<transition::Model>,
        stage_rules: Vec<stage_activity_rule::Model>,
        members: Vec<Member>,
    ) -> ServiceResult<Self> {
        let rules = workflows
            .iter()
            .map(|w| {
                let rules = catalog::rules_of(w, &stages, &stage_rules, &transitions)?;
                Ok((w.id, Arc::new(rules)))
            })
            .collect::<ServiceResult<_>>()?;
        let index = Index {
            workflows: positions(&workflows, |w| w.id),
            activity_types: positions(&activity_types, |t| t.id),
            stages: positions(&stages, |s| s.id),
            transitions: positions(&transitions, |t| t.id),
            members: positions(&members, |m| m.operator.id),
        };
        Ok(Self {
            company_id,
            names,
            workflows,
            activity_types,
            stages,
            transitions,
            stage_rules,
            members,
            index,
            rules,
        })
    }

    /// The company.
    pub fn company_id(&self) -> i64 {
        self.company_id
    }

    /// The localized names of its stages and activity types.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Every workflow: the default first, then by name.
    pub fn workflows(&self) -> &[workflow::Model] {
        &self.workflows
    }

    /// A workflow by id.
    pub fn workflow(&self, id: i64) -> Option<&workflow::Model> {
        self.index.workflows.get(&id).map(|&i| &self.workflows[i])
    }

    /// The default workflow.
    pub fn default_workflow(&self) -> Option<&workflow::Model> {
        self.workflows.iter().find(|w| w.is_default)
    }

    /// A workflow's configuration as domain rules.
    pub fn workflow_rules(&self, workflow_id: i64) -> Option<Arc<WorkflowRules>> {
        self.rules.get(&workflow_id).cloned()
    }

    /// Every activity type, in configured order.
    pub fn activity_types(&self) -> &[activity_type::Model] {
        &self.activity_types
    }

    /// An activity type by id.
    pub fn activity_type(&self, id: i64) -> Option<&activity_type::Model> {
        self.index
            .activity_types
            .get(&id)
            .map(|&i| &self.activity_types[i])
    }

    /// A stage by id.
    pub fn stage(&self, id: i64) -> Option<&stage::Model> {
        self.index.stages.get(&id).map(|&i| &self.stages[i])
    }

    /// The stages of a workflow, by position.
    pub fn stages_of(&self, workflow_id: i64) -> Vec<stage::Model> {
        let stages = self.stages.iter();
        stages
            .filter(|s| s.workflow_id == workflow_id)
            .cloned()
            .collect()
    }

    /// A transition by id.
    pub fn transition(&self, id: i64) -> Option<&transition::Model> {
        self.index
            .transitions
            .get(&id)
            .map(|&i| &self.transitions[i])
    }

    /// The transitions of a workflow, in configured order.
    pub fn transitions_of(&self, workflow_id: i64) -> Vec<transition::Model> {
        let transitions = self.transitions.iter();
        transitions
            .filter(|t| t.workflow_id == workflow_id)
            .cloned()
            .collect()
    }

    /// The activity rules of a stage, in rule order.
    pub fn rules_of_stage(&self, stage_id: i64) -> Vec<stage_activity_rule::Model> {
        let rules = self.stage_rules.iter();
        rules.filter(|r| r.stage_id == stage_id).cloned().collect()
    }

    /// Every member (active or not), by display name.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// An operator as a member of the company; none when they are not one.
    pub fn member(&self, operator_id: i64) -> Option<&Member> {
        self.index
            .members
            .get(&operator_id)
            .map(|&i| &self.members[i])
    }
}
