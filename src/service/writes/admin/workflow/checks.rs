//! What a saved workflow must satisfy besides its own coherence (`domain::configuration`): the
//! activity types it lists exist, stage ids belong to it, and a stage left out is unused.

use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};

use super::SaveWorkflow;
use crate::domain::{Field, FieldPath, FieldViolation, RuleCode};
use crate::entity::{activity, activity_type, contact, stage, stage_change};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany};

/// Whether any contact, activity or stage change refers to the stage.
async fn stage_in_use(db: &impl InCompany, stage_id: i64) -> ServiceResult<bool> {
    let uses = company::find::<contact::Entity>(db)
        .filter(contact::Column::StageId.eq(stage_id))
        .count(db)
        .await?
        + company::find::<activity::Entity>(db)
            .filter(activity::Column::StageId.eq(stage_id))
            .count(db)
            .await?
        + company::find::<stage_change::Entity>(db)
            .filter(
                stage_change::Column::ToStageId
                    .eq(stage_id)
                    .or(stage_change::Column::FromStageId.eq(stage_id)),
            )
            .count(db)
            .await?;
    Ok(uses > 0)
}

/// Flags every rule that lists an activity type that does not exist.
pub(super) async fn check_types(
    db: &impl InCompany,
    input: &SaveWorkflow,
    problems: &mut Vec<FieldViolation>,
) -> ServiceResult<()> {
    let known: Vec<i64> = company::find::<activity_type::Entity>(db)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for (index, stage) in input.stages.iter().enumerate() {
        for (rule_index, rule) in stage.rules.iter().enumerate() {
            for (field, id) in [
                (Field::ActivityType, Some(rule.activity_type_id)),
                (Field::NextActivityType, rule.next_activity_type_id),
            ] {
                if id.is_some_and(|id| !known.contains(&id)) {
                    let path = FieldPath::of(&[
                        Field::Stages,
                        Field::Index(index),
                        Field::ActivityRules,
                        Field::Index(rule_index),
                        field,
                    ]);
                    problems.push(FieldViolation::new(
                        path,
                        RuleCode::NotFound,
                        "no such activity type",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The existing stage each input stage keeps (by id, else by code), flagging ids that name no
/// stage of this workflow.
pub(super) fn match_stages(
    input: &SaveWorkflow,
    old_stages: &[stage::Model],
    problems: &mut Vec<FieldViolation>,
) -> Vec<Option<i64>> {
    let matched: Vec<Option<i64>> = input
        .stages
        .iter()
        .map(|s| {
            old_stages
                .iter()
                .find(|o| Some(o.id) == s.id || (s.id.is_none() && o.code == s.code))
                .map(|o| o.id)
        })
        .collect();
    for (index, stage_input) in input.stages.iter().enumerate() {
        if stage_input.id.is_some() && matched[index].is_none() {
            problems.push(FieldViolation::new(
                [Field::Stages, Field::Index(index), Field::Record],
                RuleCode::NotFound,
                "no such stage in this workflow",
            ));
        }
    }
    matched
}

/// Flags each stage left out of the input that is still in use.
pub(super) async fn check_removed(
    db: &impl InCompany,
    removed: &[&stage::Model],
    problems: &mut Vec<FieldViolation>,
) -> ServiceResult<()> {
    for old in removed {
        if stage_in_use(db, old.id).await? {
            problems.push(FieldViolation::new(
                Field::Stages,
                RuleCode::InvalidInput,
                format!("stage {} is in use and cannot be removed", old.code),
            ));
        }
    }
    Ok(())
}
