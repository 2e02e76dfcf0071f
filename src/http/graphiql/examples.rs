//! The examples GraphiQL opens with, chosen from the default workflow's configuration so that
//! each one, run as it stands, is accepted by the rules: a save with a done activity and a
//! pending one in the initial stage, then a move along a transition open to every role.

use sea_orm::DatabaseConnection;

use crate::domain::WorkflowRules;
use crate::domain::activity_types::{ActivityTypeInfo, allowed_in_stage};
use crate::service::ServiceResult;
use crate::service::catalog::{activity_types, type_infos, workflow_rules, workflows};
use crate::service::companies;
use crate::service::company::Reads;

/// What the example operations refer to, as record ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplorerExample {
    /// The workflow the examples work in (the flow report's).
    pub workflow_id: i64,
    /// The stages listed by the "contacts by stage" example: the initial one and `move_to`.
    pub stage_ids: Vec<i64>,
    /// The stage a contact saved in the initial stage is moved to.
    pub move_to_stage_id: Option<i64>,
    /// The done activity recorded by the save example.
    pub activity_type_id: Option<i64>,
    /// The pending activity scheduled by the save example.
    pub pending_type_id: Option<i64>,
}

/// The example for the default workflow of the first company by code; `None` when there is no
/// workflow yet.
pub async fn default_example(db: &DatabaseConnection) -> ServiceResult<Option<ExplorerExample>> {
    let Some(first) = companies::first(db).await? else {
        return Ok(None);
    };
    let db = &Reads::per_statement(db.clone(), first.id);
    let Some(workflow) = workflows(db).await?.into_iter().next() else {
        return Ok(None);
    };
    let rules = workflow_rules(db, workflow.id).await?;
    let types = activity_types(db).await?;
    Ok(example(&rules, &type_infos(&types)))
}

/// The example for a workflow; `None` when it has no stage.
///
/// The done activity is the initial stage's first mandatory type (so the move that follows is
/// allowed), else its first allowed type. The pending activity is the type the done one's rule
/// schedules next, else the first other allowed type.
pub fn example(workflow: &WorkflowRules, types: &[ActivityTypeInfo]) -> Option<ExplorerExample> {
    let initial = workflow.initial_stage()?;
    let allowed: Vec<i64> = allowed_in_stage(workflow, initial.id, types)
        .iter()
        .map(|t| t.id)
        .collect();
    let activity_type_id = initial
        .rules
        .iter()
        .find(|rule| rule.mandatory && allowed.contains(&rule.activity_type_id))
        .map(|rule| rule.activity_type_id)
        .or_else(|| allowed.first().copied());
    let pending_type_id = activity_type_id
        .and_then(|done| initial.rule_for(done))
        .and_then(|rule| rule.next_activity_type_id)
        .filter(|next| allowed.contains(next))
        .or_else(|| {
            allowed
                .iter()
                .copied()
                .find(|&t| Some(t) != activity_type_id)
        })
        .or(activity_type_id);
    let move_to_stage_id = workflow
        .transitions_from(initial.id)
        .find(|transition| transition.allowed_roles.is_empty())
        .map(|transition| transition.to_stage_id);
    let stage_ids = std::iter::once(initial.id)
        .chain(move_to_stage_id)
        .collect();
    Some(ExplorerExample {
        workflow_id: workflow.id,
        stage_ids,
        move_to_stage_id,
        activity_type_id,
        pending_type_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::fixtures::*;
    use crate::domain::{ActivityRule, Role};

    fn types() -> Vec<ActivityTypeInfo> {
        [CALL, DISCOVERY_CALL, EMAIL, MEETING, DEMO, QUOTE, FOLLOW_UP]
            .into_iter()
            .map(|id| ActivityTypeInfo {
                id,
                code: format!("T{id}"),
                active: true,
            })
            .collect()
    }

    #[test]
    fn the_demo_example_saves_a_call_schedules_an_email_and_moves_to_qualification() {
        let example = example(&demo_workflow(), &types()).unwrap();
        assert_eq!(example.stage_ids, vec![START, QUALIFICATION]);
        assert_eq!(example.move_to_stage_id, Some(QUALIFICATION));
        assert_eq!(example.activity_type_id, Some(CALL));
        assert_eq!(example.pending_type_id, Some(EMAIL));
    }

    #[test]
    fn a_mandatory_type_of_the_initial_stage_is_the_one_recorded() {
        let mut workflow = demo_workflow();
        let start = workflow.stages.iter_mut().find(|s| s.id == START).unwrap();
        for rule in &mut start.rules {
            if rule.activity_type_id == DISCOVERY_CALL {
                rule.mandatory = true;
                rule.next_activity_type_id = Some(FOLLOW_UP);
            }
        }
        let example = example(&workflow, &types()).unwrap();
        assert_eq!(example.activity_type_id, Some(DISCOVERY_CALL));
        assert_eq!(example.pending_type_id, Some(FOLLOW_UP));
    }

    #[test]
    fn a_transition_reserved_to_a_role_is_not_the_example_move() {
        let mut workflow = demo_workflow();
        for transition in &mut workflow.transitions {
            if transition.from_stage_id == START && transition.to_stage_id == QUALIFICATION {
                transition.allowed_roles = vec![Role::Manager];
            }
        }
        let example = example(&workflow, &types()).unwrap();
        assert_eq!(example.move_to_stage_id, Some(CLOSED));
        assert_eq!(example.stage_ids, vec![START, CLOSED]);
    }

    #[test]
    fn a_stage_with_one_type_schedules_that_type_again_and_a_workflow_without_stages_has_none() {
        let mut workflow = demo_workflow();
        let start = workflow.stages.iter_mut().find(|s| s.id == START).unwrap();
        start.rules = vec![ActivityRule {
            activity_type_id: QUOTE,
            next_activity_type_id: None,
            mandatory: false,
            create_todo_for_next: false,
        }];
        let example = example(&workflow, &types()).unwrap();
        assert_eq!(example.activity_type_id, Some(QUOTE));
        assert_eq!(example.pending_type_id, Some(QUOTE));

        workflow.stages.clear();
        assert_eq!(super::example(&workflow, &types()), None);
    }
}
