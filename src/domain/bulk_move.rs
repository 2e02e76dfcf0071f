//! `moveContactsToStage`: many contacts moved to one stage, each by the very rules of a single
//! `moveContactToStage` (the same [`plan_save`]), the ids checked for size and repeats, and the
//! all-or-none choice made over the outcomes.

use std::collections::HashSet;

use super::field::Field;
use super::role::Role;
use super::save::{ContactFields, SaveRequest, plan_save};
use super::stage_move::StageMove;
use super::violation::{FieldViolation, RuleCode};
use super::workflow::WorkflowRules;

/// The most contacts one bulk move takes.
pub const BULK_MOVE_MAX: usize = 500;

/// Checks the number of ids: 1 to [`BULK_MOVE_MAX`].
pub fn check_count(count: usize) -> Result<(), FieldViolation> {
    if (1..=BULK_MOVE_MAX).contains(&count) {
        return Ok(());
    }
    Err(FieldViolation::new(
        Field::Contacts,
        RuleCode::InvalidInput,
        format!("a bulk move takes 1 to {BULK_MOVE_MAX} contacts, not {count}"),
    ))
}

/// For each id, whether an earlier one in the list is the same.
pub fn repeats(ids: &[i64]) -> Vec<bool> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().map(|id| !seen.insert(*id)).collect()
}

/// A contact of a bulk move as it stands.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    /// Its workflow's rules.
    pub workflow: &'a WorkflowRules,
    /// The stage it is in.
    pub current_stage: i64,
    /// The activity types recorded in that stage since it entered it.
    pub recorded_since_entry: &'a HashSet<i64>,
}

/// What a bulk move asks of every contact.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The stage to move to.
    pub to_stage: i64,
    /// The caller's role.
    pub role: Role,
    /// The note on each stage change.
    pub note: Option<&'a str>,
}

fn refused(code: RuleCode, message: &str) -> Vec<FieldViolation> {
    vec![FieldViolation::new(Field::Record, code, message)]
}

/// The move of one listed contact: `None` when the id names no contact of the caller's
/// company, `repeated` when the list named it before. Otherwise the single move's rules.
pub fn plan_one(
    standing: Option<Standing<'_>>,
    repeated: bool,
    target: Target<'_>,
) -> Result<StageMove, Vec<FieldViolation>> {
    if repeated {
        return Err(refused(
            RuleCode::InvalidInput,
            "this contact is listed more than once",
        ));
    }
    let Some(standing) = standing else {
        return Err(refused(RuleCode::NotFound, "no such contact"));
    };
    if standing.current_stage == target.to_stage {
        return Err(vec![FieldViolation::new(
            Field::TargetStage,
            RuleCode::IllegalTransition,
            "the contact is already in that stage",
        )]);
    }
    let request = SaveRequest {
        workflow: standing.workflow,
        current_stage: standing.current_stage,
        role: target.role,
        recorded_since_entry: standing.recorded_since_entry,
        creating: false,
        fields: ContactFields::default(),
        activity: None,
        to_stage: Some(target.to_stage),
        note: target.note,
        pending: None,
    };
    let plan = plan_save(&request)?;
    plan.stage_move.ok_or_else(|| {
        refused(
            RuleCode::IllegalTransition,
            "the contact is already in that stage",
        )
    })
}

/// Whether the passing moves are written: always, unless all-or-none and one failed.
pub fn writes(all_or_none: bool, passed: &[bool]) -> bool {
    !all_or_none || passed.iter().all(|ok| *ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::{ActivityRule, StageRules, TransitionRule};

    fn workflow() -> WorkflowRules {
        let stage = |id: i64, mandatory: Vec<i64>| StageRules {
            id,
            code: format!("S{id}"),
            is_initial: id == 1,
            rules: mandatory
                .into_iter()
                .map(|type_id| ActivityRule {
                    activity_type_id: type_id,
                    mandatory: true,
                    next_activity_type_id: None,
                    create_todo_for_next: false,
                })
                .collect(),
        };
        let transition = |id: i64, from: i64, to: i64, roles: Vec<Role>| TransitionRule {
            id,
            from_stage_id: from,
            to_stage_id: to,
            allowed_roles: roles,
        };
        WorkflowRules {
            id: 1,
            restrict_activity_types: true,
            stages: vec![stage(1, vec![]), stage(2, vec![7]), stage(3, vec![])],
            transitions: vec![
                transition(10, 1, 2, vec![]),
                transition(11, 2, 3, vec![]),
                transition(12, 1, 3, vec![Role::Manager]),
            ],
        }
    }

    fn target(to_stage: i64, role: Role) -> Target<'static> {
        Target {
            to_stage,
            role,
            note: None,
        }
    }

    #[test]
    fn the_count_is_one_to_five_hundred() {
        assert!(check_count(1).is_ok());
        assert!(check_count(BULK_MOVE_MAX).is_ok());
        for count in [0, BULK_MOVE_MAX + 1] {
            let refused = check_count(count).unwrap_err();
            assert_eq!(refused.violation.code, RuleCode::InvalidInput);
            assert_eq!(refused.field.fields(), &[Field::Contacts]);
        }
    }

    #[test]
    fn only_later_copies_of_an_id_are_repeats() {
        assert_eq!(
            repeats(&[4, 5, 4, 6, 5, 4]),
            vec![false, false, true, false, true, true]
        );
    }

    #[test]
    fn each_contact_gets_the_single_moves_rules() {
        let rules = workflow();
        let none = HashSet::new();
        let called = HashSet::from([7]);
        let at = |stage: i64, recorded: &'static str| Standing {
            workflow: &rules,
            current_stage: stage,
            recorded_since_entry: if recorded == "called" { &called } else { &none },
        };
        let moved = plan_one(Some(at(1, "none")), false, target(2, Role::Operator)).unwrap();
        assert_eq!((moved.from_stage_id, moved.to_stage_id), (1, 2));
        let code = |result: Result<StageMove, Vec<FieldViolation>>| {
            result
                .unwrap_err()
                .iter()
                .map(|p| p.violation.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            code(plan_one(
                Some(at(2, "none")),
                false,
                target(3, Role::Operator)
            )),
            vec![RuleCode::MandatoryActivityMissing]
        );
        assert!(plan_one(Some(at(2, "called")), false, target(3, Role::Operator)).is_ok());
        assert_eq!(
            code(plan_one(
                Some(at(1, "none")),
                false,
                target(3, Role::Operator)
            )),
            vec![RuleCode::TransitionForbidden]
        );
        assert!(plan_one(Some(at(1, "none")), false, target(3, Role::Manager)).is_ok());
        assert_eq!(
            code(plan_one(Some(at(3, "none")), false, target(1, Role::Admin))),
            vec![RuleCode::IllegalTransition]
        );
        assert_eq!(
            code(plan_one(Some(at(2, "none")), false, target(2, Role::Admin))),
            vec![RuleCode::IllegalTransition]
        );
        assert_eq!(
            code(plan_one(None, false, target(2, Role::Admin))),
            vec![RuleCode::NotFound]
        );
        assert_eq!(
            code(plan_one(Some(at(1, "none")), true, target(2, Role::Admin))),
            vec![RuleCode::InvalidInput]
        );
    }

    #[test]
    fn all_or_none_writes_only_when_everything_passed() {
        assert!(writes(false, &[true, false]));
        assert!(writes(true, &[true, true]));
        assert!(!writes(true, &[true, false]));
    }
}
