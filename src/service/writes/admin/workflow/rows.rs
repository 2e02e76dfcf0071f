//! Writing a checked workflow's stages, stage activity rules and transitions: stages kept by id
//! are updated, new ones inserted, removed ones deleted; rules and transitions are replaced.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter};

use super::super::names::{self, Owner};
use super::{SaveWorkflow, StageInput};
use crate::domain::Role;
use crate::domain::limits::{NAME_MAX, clip};
use crate::entity::{stage, stage_activity_rule, transition};
use crate::service::company::{self, InCompany};
use crate::service::{ServiceError, ServiceResult};

/// Replaces the stages, rules and transitions of workflow `workflow_id` with the input's.
/// `matched` holds, for each input stage, the existing stage it keeps. The ids of the input's
/// stages, in input order.
pub(super) async fn replace_stages(
    db: &impl InCompany,
    input: &SaveWorkflow,
    workflow_id: i64,
    old_stages: &[stage::Model],
    matched: &[Option<i64>],
    removed: &[&stage::Model],
) -> ServiceResult<Vec<i64>> {
    let old_ids: Vec<i64> = old_stages.iter().map(|s| s.id).collect();
    company::delete_many::<transition::Entity>(db)
        .filter(transition::Column::WorkflowId.eq(workflow_id))
        .exec(db)
        .await?;
    company::delete_many::<stage_activity_rule::Entity>(db)
        .filter(stage_activity_rule::Column::StageId.is_in(old_ids))
        .exec(db)
        .await?;
    for old in removed {
        names::delete(db, Owner::Stage(old.id)).await?;
        company::delete_many::<stage::Entity>(db)
            .filter(stage::Column::Id.eq(old.id))
            .exec(db)
            .await?;
    }
    let initial_index = input.stages.iter().position(|s| s.is_initial).unwrap_or(0);
    let mut ids_by_code = HashMap::new();
    let mut stage_ids = Vec::with_capacity(input.stages.len());
    for (index, stage_input) in input.stages.iter().enumerate() {
        let keeps = matched.get(index).copied().flatten();
        let id = write_stage(db, stage_input, workflow_id, keeps, index, initial_index).await?;
        ids_by_code.insert(stage_input.code.as_str(), id);
        stage_ids.push(id);
    }
    let name_of = |code: &str| {
        input
            .stages
            .iter()
            .find(|s| s.code == code)
            .map_or(code.to_owned(), |s| s.name.clone())
    };
    let id_of = |code: &str| {
        ids_by_code.get(code).copied().ok_or_else(|| {
            ServiceError::Internal(format!("transition to the unchecked stage {code:?}"))
        })
    };
    for (position, t) in input.transitions.iter().enumerate() {
        let name = t.name.clone().unwrap_or_else(|| {
            clip(
                format!("{} → {}", name_of(&t.from), name_of(&t.to)),
                NAME_MAX,
            )
        });
        company::insert(
            db,
            transition::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                workflow_id: Set(workflow_id),
                name: Set(name),
                from_stage_id: Set(id_of(&t.from)?),
                to_stage_id: Set(id_of(&t.to)?),
                allowed_roles: Set(Role::format_list(&t.allowed_roles)),
                position: Set(position as i32),
            },
        )
        .await?;
    }
    Ok(stage_ids)
}

/// Writes one stage (updating the one it keeps, if any) and its rules; the stage's id.
async fn write_stage(
    db: &impl InCompany,
    stage_input: &StageInput,
    workflow_id: i64,
    keeps: Option<i64>,
    index: usize,
    initial_index: usize,
) -> ServiceResult<i64> {
    let fields = stage::ActiveModel {
        company_id: NotSet,
        id: keeps.map_or(NotSet, Set),
        workflow_id: Set(workflow_id),
        code: Set(stage_input.code.trim().to_owned()),
        name: Set(stage_input.name.trim().to_owned()),
        position: Set(index as i32 + 1),
        is_initial: Set(index == initial_index),
        is_final: Set(stage_input.is_final),
        color: Set(stage_input.color.clone()),
        stale_after_days: Set(stage_input.stale_after_days),
    };
    let row = if keeps.is_some() {
        fields.update(db).await?
    } else {
        company::insert(db, fields).await?
    };
    for (position, rule) in stage_input.rules.iter().enumerate() {
        company::insert(
            db,
            stage_activity_rule::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                stage_id: Set(row.id),
                activity_type_id: Set(rule.activity_type_id),
                next_activity_type_id: Set(rule.next_activity_type_id),
                mandatory: Set(rule.mandatory),
                create_todo_for_next: Set(rule.create_todo_for_next),
                highlighted: Set(rule.highlighted),
                position: Set(position as i32),
            },
        )
        .await?;
    }
    Ok(row.id)
}
