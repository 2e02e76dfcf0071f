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
