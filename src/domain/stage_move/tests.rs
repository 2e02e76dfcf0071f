//! Unit tests of `stage_move`.

use super::*;
use crate::domain::workflow::fixtures::*;

fn recorded(types: &[i64]) -> HashSet<i64> {
    types.iter().copied().collect()
}

fn codes(result: Result<StageMove, Vec<Violation>>) -> Vec<RuleCode> {
    result
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.code)
        .collect()
}

#[test]
fn moving_along_a_transition_names_the_transition() {
    let workflow = demo_workflow();
    let planned = plan_stage_move(
        &workflow,
        START,
        QUALIFICATION,
        Role::Operator,
        &recorded(&[]),
    );
    let planned = planned.unwrap();
    assert_eq!(
        (planned.from_stage_id, planned.to_stage_id),
        (START, QUALIFICATION)
    );
    assert_eq!(
        Some(planned.transition_id),
        workflow
            .transition_between(START, QUALIFICATION)
            .map(|t| t.id)
    );
}

#[test]
fn skipping_a_stage_is_an_illegal_transition() {
    let workflow = demo_workflow();
    let result = plan_stage_move(&workflow, START, LEAD, Role::Admin, &recorded(&[]));
    assert_eq!(codes(result), vec![RuleCode::IllegalTransition]);
}

#[test]
fn a_stage_of_another_workflow_is_an_illegal_transition() {
    let workflow = demo_workflow();
    let result = plan_stage_move(&workflow, START, 999, Role::Admin, &recorded(&[]));
    assert_eq!(codes(result), vec![RuleCode::IllegalTransition]);
}

#[test]
fn moving_out_of_qualification_requires_a_discovery_call() {
    let workflow = demo_workflow();
    let without = plan_stage_move(
        &workflow,
        QUALIFICATION,
        PROSPECT,
        Role::Operator,
        &recorded(&[CALL]),
    );
    assert_eq!(codes(without), vec![RuleCode::MandatoryActivityMissing]);
    let with = plan_stage_move(
        &workflow,
        QUALIFICATION,
        PROSPECT,
        Role::Operator,
        &recorded(&[DISCOVERY_CALL]),
    );
    assert!(with.is_ok());
}

#[test]
fn the_mandatory_rule_binds_every_exit_including_closed() {
    let workflow = demo_workflow();
    let result = plan_stage_move(
        &workflow,
        QUALIFICATION,
        CLOSED,
        Role::Admin,
        &recorded(&[]),
    );
    assert_eq!(codes(result), vec![RuleCode::MandatoryActivityMissing]);
}

#[test]
fn only_managers_and_admins_turn_an_opportunity_into_a_customer() {
    let workflow = demo_workflow();
    let none = recorded(&[]);
    let operator = plan_stage_move(&workflow, OPPORTUNITY, CUSTOMER, Role::Operator, &none);
    assert_eq!(codes(operator), vec![RuleCode::TransitionForbidden]);
    assert!(plan_stage_move(&workflow, OPPORTUNITY, CUSTOMER, Role::Manager, &none).is_ok());
    assert!(plan_stage_move(&workflow, OPPORTUNITY, CUSTOMER, Role::Admin, &none).is_ok());
}

#[test]
fn forbidden_and_missing_mandatory_are_reported_together() {
    let mut workflow = demo_workflow();
    let transition = workflow
        .transitions
        .iter_mut()
        .find(|t| t.from_stage_id == QUALIFICATION && t.to_stage_id == PROSPECT)
        .unwrap();
    transition.allowed_roles = vec![Role::Manager];
    let result = plan_stage_move(
        &workflow,
        QUALIFICATION,
        PROSPECT,
        Role::Operator,
        &recorded(&[]),
    );
    assert_eq!(
        codes(result),
        vec![
            RuleCode::TransitionForbidden,
            RuleCode::MandatoryActivityMissing
        ]
    );
}

#[test]
fn blockers_explain_each_transition_for_the_caller() {
    let workflow = demo_workflow();
    let to_customer = workflow.transition_between(OPPORTUNITY, CUSTOMER).unwrap();
    assert_eq!(
        transition_blockers(&workflow, to_customer, Role::Operator, &recorded(&[])),
        vec![RuleCode::TransitionForbidden]
    );
    let to_prospect = workflow
        .transition_between(QUALIFICATION, PROSPECT)
        .unwrap();
    assert_eq!(
        transition_blockers(&workflow, to_prospect, Role::Manager, &recorded(&[])),
        vec![RuleCode::MandatoryActivityMissing]
    );
    assert!(
        transition_blockers(
            &workflow,
            to_prospect,
            Role::Manager,
            &recorded(&[DISCOVERY_CALL])
        )
        .is_empty()
    );
}
