//! The configuration a client reads: activity types, workflows with their stages,
//! stage activity rules and transitions; and the same configuration as domain rules.

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::{ServiceError, ServiceResult};
use crate::domain::activity_types::ActivityTypeInfo;
use crate::domain::{ActivityRule, Role, StageRules, TransitionRule, WorkflowRules};
use crate::entity::{activity_type, stage, stage_activity_rule, transition, workflow};
use crate::service::company::{self, InCompany};

/// Every workflow: the default first, then by name.
pub async fn workflows(db: &impl InCompany) -> ServiceResult<Vec<workflow::Model>> {
    Ok(company::find::<workflow::Entity>(db)
        .order_by_desc(workflow::Column::IsDefault)
        .order_by_asc(workflow::Column::Name)
        .order_by_asc(workflow::Column::Id)
        .all(db)
        .await?)
}

/// Every activity type, in configured order.
pub async fn activity_types(db: &impl InCompany) -> ServiceResult<Vec<activity_type::Model>> {
    Ok(company::find::<activity_type::Entity>(db)
        .order_by_asc(activity_type::Column::Position)
        .order_by_asc(activity_type::Column::Id)
        .all(db)
        .await?)
}

/// Reads a transition's stored role list.
pub fn transition_roles(row: &transition::Model) -> ServiceResult<Vec<Role>> {
    Role::parse_list(&row.allowed_roles)
        .map_err(|error| ServiceError::Internal(format!("transition {}: {error}", row.id)))
}

/// A workflow's configuration as domain rules.
pub async fn workflow_rules(db: &impl InCompany, workflow_id: i64) -> ServiceResult<WorkflowRules> {
    let workflow = company::find_by_id::<workflow::Entity>(db, workflow_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("workflow {workflow_id} is missing")))?;
    let stages = company::find::<stage::Entity>(db)
        .filter(stage::Column::WorkflowId.eq(workflow_id))
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .all(db)
        .await?;
    let stage_ids: Vec<i64> = stages.iter().map(|s| s.id).collect();
    let rules = company::find::<stage_activity_rule::Entity>(db)
        .filter(stage_activity_rule::Column::StageId.is_in(stage_ids))
        .order_by_asc(stage_activity_rule::Column::Position)
        .order_by_asc(stage_activity_rule::Column::Id)
        .all(db)
        .await?;
    let transitions = company::find::<transition::Entity>(db)
        .filter(transition::Column::WorkflowId.eq(workflow_id))
        .order_by_asc(transition::Column::Position)
        .order_by_asc(transition::Column::Id)
        .all(db)
        .await?;
    rules_of(&workflow, &stages, &rules, &transitions)
}

/// A workflow's configuration as domain rules, from its rows: its stages by position, the
/// activity rules of those stages and its transitions, each in configured order (rows of other
/// workflows are left out).
pub fn rules_of(
    workflow: &workflow::Model,
    stages: &[stage::Model],
    rules: &[stage_activity_rule::Model],
    transitions: &[transition::Model],
) -> ServiceResult<WorkflowRules> {
    Ok(WorkflowRules {
        id: workflow.id,
        restrict_activity_types: workflow.restrict_activity_types,
        stages: stages
            .iter()
            .filter(|stage| stage.workflow_id == workflow.id)
            .map(|stage| StageRules {
                id: stage.id,
                code: stage.code.clone(),
                is_initial: stage.is_initial,
                rules: rules
                    .iter()
                    .filter(|rule| rule.stage_id == stage.id)
                    .map(|rule| ActivityRule {
                        activity_type_id: rule.activity_type_id,
                        next_activity_type_id: rule.next_activity_type_id,
                        mandatory: rule.mandatory,
                        create_todo_for_next: rule.create_todo_for_next,
                    })
                    .collect(),
            })
            .collect(),
        transitions: transitions
            .iter()
            .filter(|row| row.workflow_id == workflow.id)
            .map(|row| {
                Ok(TransitionRule {
                    id: row.id,
                    from_stage_id: row.from_stage_id,
                    to_stage_id: row.to_stage_id,
                    allowed_roles: transition_roles(row)?,
                })
            })
            .collect::<ServiceResult<_>>()?,
    })
}

/// An activity type as the domain rules see it.
pub fn type_info(row: &activity_type::Model) -> ActivityTypeInfo {
    ActivityTypeInfo {
        id: row.id,
        code: row.code.clone(),
        active: row.active,
    }
}

/// The activity types as the domain rules see them.
pub fn type_infos(types: &[activity_type::Model]) -> Vec<ActivityTypeInfo> {
    types.iter().map(type_info).collect()
}

/// `activityTypes(stageId:)`: the types rule 3 accepts in the stage, in offer order; without a
/// stage, every active type (or every type with `include_inactive`).
pub async fn activity_types_for(
    db: &impl InCompany,
    stage_id: Option<i64>,
    include_inactive: bool,
) -> ServiceResult<Vec<activity_type::Model>> {
    let all = activity_types(db).await?;
    let Some(stage_id) = stage_id else {
        return Ok(all
            .into_iter()
            .filter(|t| include_inactive || t.active)
            .collect());
    };
    let Some(stage) = company::find_by_id::<stage::Entity>(db, stage_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let rules = workflow_rules(db, stage.workflow_id).await?;
    Ok(allowed_types(&rules, stage_id, &all))
}

/// The activity types rule 3 accepts in a stage, as rows, in offer order.
pub fn allowed_types(
    rules: &WorkflowRules,
    stage_id: i64,
    all: &[activity_type::Model],
) -> Vec<activity_type::Model> {
    let infos = type_infos(all);
    crate::domain::activity_types::allowed_in_stage(rules, stage_id, &infos)
        .into_iter()
        .filter_map(|info| all.iter().find(|t| t.id == info.id).cloned())
        .collect()
}
