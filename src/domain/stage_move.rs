//! Rule 2: moving a contact between stages — transitions, rights and mandatory activities.

use std::collections::HashSet;

use super::role::Role;
use super::violation::{RuleCode, Violation};
use super::workflow::{TransitionRule, WorkflowRules};

/// What a permitted stage move writes: exactly one stage change along `transition_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageMove {
    /// The transition taken.
    pub transition_id: i64,
    /// The stage left.
    pub from_stage_id: i64,
    /// The stage entered.
    pub to_stage_id: i64,
}

/// Why a transition cannot be taken now by a role, given the activity types recorded in the
/// current stage since the contact entered it. Empty: it may be taken.
pub fn transition_blockers(
    workflow: &WorkflowRules,
    transition: &TransitionRule,
    role: Role,
    recorded_since_entry: &HashSet<i64>,
) -> Vec<RuleCode> {
    let mut blockers = Vec::new();
    if !role.may_take(&transition.allowed_roles) {
        blockers.push(RuleCode::TransitionForbidden);
    }
    if !missing_mandatory(workflow, transition.from_stage_id, recorded_since_entry).is_empty() {
        blockers.push(RuleCode::MandatoryActivityMissing);
    }
    blockers
}

/// The mandatory activity types of a stage not yet recorded since the contact entered it.
pub fn missing_mandatory(
    workflow: &WorkflowRules,
    stage_id: i64,
    recorded_since_entry: &HashSet<i64>,
) -> Vec<i64> {
    workflow
        .stage(stage_id)
        .map(|stage| {
            stage
                .mandatory_types()
                .filter(|type_id| !recorded_since_entry.contains(type_id))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks a move from `from` to `to` and returns what it writes, or every reason it is refused.
/// `recorded_since_entry` holds the activity types recorded in `from` since the contact entered
/// it, including an activity recorded in the same save.
pub fn plan_stage_move(
    workflow: &WorkflowRules,
    from: i64,
    to: i64,
    role: Role,
    recorded_since_entry: &HashSet<i64>,
) -> Result<StageMove, Vec<Violation>> {
    let Some(transition) = workflow.transition_between(from, to) else {
        let message = match (workflow.stage(from), workflow.stage(to)) {
            (Some(a), Some(b)) => format!("no transition leads from {} to {}", a.code, b.code),
            _ => "the target stage is not part of the contact's workflow".to_owned(),
        };
        return Err(vec![Violation::new(RuleCode::IllegalTransition, message)]);
    };
    let mut violations = Vec::new();
    if !role.may_take(&transition.allowed_roles) {
        violations.push(Violation::new(
            RuleCode::TransitionForbidden,
            format!(
                "this transition is reserved to {}",
                Role::format_list(&transition.allowed_roles).replace(',', ", ")
            ),
        ));
    }
    let missing = missing_mandatory(workflow, from, recorded_since_entry);
    if !missing.is_empty() {
        violations.push(Violation::new(
            RuleCode::MandatoryActivityMissing,
            format!(
                "the stage cannot be left before its mandatory activities are recorded \
                 (activity types {missing:?})"
            ),
        ));
    }
    if violations.is_empty() {
        Ok(StageMove {
            transition_id: transition.id,
            from_stage_id: from,
            to_stage_id: to,
        })
    } else {
        Err(violations)
    }
}

#[cfg(test)]
mod tests {
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
}

#[cfg(test)]
mod properties {
    //! Random sequences of moves against the demo workflow: the invariants of DESIGN.md.
    use super::*;
    use crate::domain::workflow::fixtures::*;
    use proptest::prelude::*;

    /// A contact as the rules see it: where it is and its stage log.
    struct ContactModel {
        stage: i64,
        log: Vec<(Option<i64>, i64)>,
        recorded: HashSet<i64>,
    }

    /// The rule stated independently of `plan_stage_move`: a move is legal when a transition
    /// joins the stages, the role may take it and the stage's mandatory types were recorded.
    fn legal(
        workflow: &WorkflowRules,
        from: i64,
        to: i64,
        role: Role,
        recorded: &HashSet<i64>,
    ) -> bool {
        let Some(transition) = workflow
            .transitions
            .iter()
            .find(|t| t.from_stage_id == from && t.to_stage_id == to)
        else {
            return false;
        };
        let role_ok = role == Role::Admin
            || transition.allowed_roles.is_empty()
            || transition.allowed_roles.contains(&role);
        let mandatory_ok = workflow.stage(from).is_none_or(|s| {
            s.rules
                .iter()
                .filter(|r| r.mandatory)
                .all(|r| recorded.contains(&r.activity_type_id))
        });
        role_ok && mandatory_ok
    }

    fn step() -> impl Strategy<Value = (usize, usize, Option<usize>)> {
        (0usize..8, 0usize..3, proptest::option::of(0usize..7))
    }

    proptest! {
        #[test]
        fn no_illegal_move_is_accepted_and_the_log_stays_a_chain(steps in proptest::collection::vec(step(), 1..60)) {
            let workflow = demo_workflow();
            let stages: Vec<i64> = workflow.stages.iter().map(|s| s.id).collect();
            let types = [CALL, DISCOVERY_CALL, EMAIL, MEETING, DEMO, QUOTE, FOLLOW_UP];
            let initial = workflow.initial_stage().unwrap().id;
            let mut contact = ContactModel { stage: initial, log: vec![(None, initial)], recorded: HashSet::new() };
            for (target, role, activity) in steps {
                let role = Role::ALL[role];
                if let Some(activity) = activity {
                    // A save that records an activity in the current stage.
                    contact.recorded.insert(types[activity]);
                                    }
                let recorded = contact.recorded.clone();
                let to = stages[target];
                let expected = legal(&workflow, contact.stage, to, role, &recorded);
                match plan_stage_move(&workflow, contact.stage, to, role, &recorded) {
                    Ok(planned) => {
                        prop_assert!(expected, "accepted an illegal move {} → {to} as {role}", contact.stage);
                        prop_assert_eq!(planned.from_stage_id, contact.stage);
                        contact.log.push((Some(planned.from_stage_id), planned.to_stage_id));
                        contact.stage = planned.to_stage_id;
                                                contact.recorded.clear();
                    }
                    Err(violations) => {
                        prop_assert!(!expected, "refused a legal move {} → {to} as {role}: {violations:?}", contact.stage);
                        prop_assert!(!violations.is_empty());
                    }
                }
            }
            prop_assert_eq!(contact.log[0].0, None);
            for pair in contact.log.windows(2) {
                prop_assert_eq!(pair[1].0, Some(pair[0].1), "each log row starts where the previous ended");
            }
            prop_assert_eq!(contact.log.last().map(|row| row.1), Some(contact.stage));
        }
    }
}
