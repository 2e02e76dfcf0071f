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
mod properties;
#[cfg(test)]
mod tests;
