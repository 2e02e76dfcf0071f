//! Rules for the configuration an ADMIN saves: a workflow definition must be coherent before it
//! replaces the old one.

use std::collections::HashSet;

use super::limits::{LABEL_MAX, NAME_MAX, TEXT_MAX, check_length};
use super::violation::{FieldViolation, RuleCode, Violation};

/// A stage as defined in a saved workflow.
#[derive(Debug, Clone)]
pub struct StageDefinition<'a> {
    /// Its code, unique in the workflow.
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Marked initial.
    pub is_initial: bool,
    /// The activity types it lists, with whether each is mandatory.
    pub rule_types: Vec<i64>,
}

/// A transition as defined in a saved workflow, by stage codes.
#[derive(Debug, Clone)]
pub struct TransitionDefinition<'a> {
    /// Stage left.
    pub from: &'a str,
    /// Stage entered.
    pub to: &'a str,
}

fn problem(path: Vec<String>, code: RuleCode, message: String) -> FieldViolation {
    FieldViolation {
        field: path,
        violation: Violation::new(code, message),
    }
}

fn path(parts: &[&str], index: Option<usize>, rest: &[&str]) -> Vec<String> {
    let mut full: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
    if let Some(index) = index {
        full.push(index.to_string());
    }
    full.extend(rest.iter().map(|p| (*p).to_owned()));
    full
}

/// Checks a workflow definition: at least one stage, unique stage codes, at most one initial
/// stage, each type listed once per stage, and transitions between distinct, defined stages,
/// each pair once.
pub fn check_workflow_definition(
    code: &str,
    name: &str,
    description: Option<&str>,
    stages: &[StageDefinition<'_>],
    transitions: &[TransitionDefinition<'_>],
) -> Vec<FieldViolation> {
    let mut problems = Vec::new();
    for (field, value, max) in [
        ("code", Some(code), LABEL_MAX),
        ("name", Some(name), NAME_MAX),
        ("description", description, TEXT_MAX),
    ] {
        if let Some(error) = value.and_then(|v| check_length(field, v, max).err()) {
            problems.push(FieldViolation::at(&["input", field], error));
        }
    }
    if code.trim().is_empty() {
        problems.push(problem(
            path(&["input", "code"], None, &[]),
            RuleCode::InvalidInput,
            "the code may not be blank".into(),
        ));
    }
    if stages.is_empty() {
        problems.push(problem(
            path(&["input", "stages"], None, &[]),
            RuleCode::InvalidInput,
            "a workflow needs at least one stage".into(),
        ));
    }
    let mut codes = HashSet::new();
    for (index, stage) in stages.iter().enumerate() {
        if stage.code.trim().is_empty() || !codes.insert(stage.code) {
            problems.push(problem(
                path(&["input", "stages"], Some(index), &["code"]),
                RuleCode::InvalidInput,
                format!("stage code {:?} is blank or used twice", stage.code),
            ));
        }
        if let Err(error) = check_length("stage name", stage.name, NAME_MAX) {
            problems.push(problem(
                path(&["input", "stages"], Some(index), &["name"]),
                error.code,
                error.message,
            ));
        }
        let mut listed = HashSet::new();
        if stage.rule_types.iter().any(|t| !listed.insert(*t)) {
            problems.push(problem(
                path(&["input", "stages"], Some(index), &["activityRules"]),
                RuleCode::InvalidInput,
                "an activity type is listed twice on the stage".into(),
            ));
        }
    }
    if stages.iter().filter(|s| s.is_initial).count() > 1 {
        problems.push(problem(
            path(&["input", "stages"], None, &[]),
            RuleCode::InvalidInput,
            "only one stage may be initial".into(),
        ));
    }
    let mut pairs = HashSet::new();
    for (index, transition) in transitions.iter().enumerate() {
        for (end, code) in [
            ("fromStageCode", transition.from),
            ("toStageCode", transition.to),
        ] {
            if !codes.contains(code) {
                problems.push(problem(
                    path(&["input", "transitions"], Some(index), &[end]),
                    RuleCode::NotFound,
                    format!("no stage {code:?} in this workflow"),
                ));
            }
        }
        if transition.from == transition.to {
            problems.push(problem(
                path(&["input", "transitions"], Some(index), &[]),
                RuleCode::InvalidInput,
                "a transition must join two different stages".into(),
            ));
        } else if !pairs.insert((transition.from, transition.to)) {
            problems.push(problem(
                path(&["input", "transitions"], Some(index), &[]),
                RuleCode::InvalidInput,
                format!("{} → {} is defined twice", transition.from, transition.to),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(code: &str, initial: bool) -> StageDefinition<'_> {
        StageDefinition {
            code,
            name: code,
            is_initial: initial,
            rule_types: vec![1, 2],
        }
    }

    #[test]
    fn a_coherent_definition_passes() {
        let stages = [stage("A", true), stage("B", false)];
        let transitions = [
            TransitionDefinition { from: "A", to: "B" },
            TransitionDefinition { from: "B", to: "A" },
        ];
        assert!(check_workflow_definition("W", "W", None, &stages, &transitions).is_empty());
    }

    #[test]
    fn duplicate_codes_two_initials_and_dangling_transitions_are_all_reported() {
        let stages = [stage("A", true), stage("A", true)];
        let transitions = [
            TransitionDefinition { from: "A", to: "Z" },
            TransitionDefinition { from: "A", to: "A" },
        ];
        let fields: Vec<String> = check_workflow_definition("W", "W", None, &stages, &transitions)
            .into_iter()
            .map(|p| p.field.join("."))
            .collect();
        assert_eq!(
            fields,
            [
                "input.stages.1.code",
                "input.stages",
                "input.transitions.0.toStageCode",
                "input.transitions.1"
            ]
        );
    }

    #[test]
    fn a_workflow_needs_a_stage_and_a_code() {
        let problems = check_workflow_definition(" ", "W", None, &[], &[]);
        assert_eq!(problems.len(), 2);
    }
}
