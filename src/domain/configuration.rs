//! Rules for the configuration an ADMIN saves: a workflow definition must be coherent before it
//! replaces the old one.

use std::collections::HashSet;

use super::field::{Field, FieldPath};
use super::limits::{COLOR_MAX, LABEL_MAX, NAME_MAX, TEXT_MAX, check_text};
use super::pipeline::{STALE_AFTER_DAYS_MAX, valid_stale_after_days};
use super::violation::{FieldViolation, RuleCode};

/// A stage as defined in a saved workflow.
#[derive(Debug, Clone)]
pub struct StageDefinition<'a> {
    /// Its code, unique in the workflow.
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its colour, if any.
    pub color: Option<&'a str>,
    /// Marked initial.
    pub is_initial: bool,
    /// The days its contacts may rest before they are stale; none: never.
    pub stale_after_days: Option<i32>,
    /// The activity types it lists, with whether each is mandatory.
    pub rule_types: Vec<i64>,
}

/// A transition as defined in a saved workflow, by stage codes.
#[derive(Debug, Clone)]
pub struct TransitionDefinition<'a> {
    /// Its name, if given.
    pub name: Option<&'a str>,
    /// Stage left.
    pub from: &'a str,
    /// Stage entered.
    pub to: &'a str,
}

fn problem(path: impl Into<FieldPath>, code: RuleCode, message: String) -> FieldViolation {
    FieldViolation::new(path, code, message)
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
    for (field, what, value, max) in [
        (Field::Code, "code", Some(code), LABEL_MAX),
        (Field::Name, "name", Some(name), NAME_MAX),
        (Field::Description, "description", description, TEXT_MAX),
    ] {
        if let Some(error) = value.and_then(|v| check_text(what, v, max).err()) {
            problems.push(FieldViolation::at(field, error));
        }
    }
    if code.trim().is_empty() {
        problems.push(problem(
            Field::Code,
            RuleCode::InvalidInput,
            "the code may not be blank".into(),
        ));
    }
    if stages.is_empty() {
        problems.push(problem(
            Field::Stages,
            RuleCode::InvalidInput,
            "a workflow needs at least one stage".into(),
        ));
    }
    let mut codes = HashSet::new();
    for (index, stage) in stages.iter().enumerate() {
        if stage.code.trim().is_empty() || !codes.insert(stage.code) {
            problems.push(problem(
                [Field::Stages, Field::Index(index), Field::Code],
                RuleCode::InvalidInput,
                format!("stage code {:?} is blank or used twice", stage.code),
            ));
        }
        let at = |field| [Field::Stages, Field::Index(index), field];
        for (field, what, value, max) in [
            (Field::Code, "stage code", Some(stage.code), LABEL_MAX),
            (Field::Name, "stage name", Some(stage.name), NAME_MAX),
            (Field::Color, "colour", stage.color, COLOR_MAX),
        ] {
            if let Some(error) = value.and_then(|v| check_text(what, v, max).err()) {
                problems.push(FieldViolation::at(at(field), error));
            }
        }
        if !valid_stale_after_days(stage.stale_after_days) {
            problems.push(problem(
                at(Field::StaleAfterDays),
                RuleCode::InvalidInput,
                format!("staleAfterDays must be between 1 and {STALE_AFTER_DAYS_MAX}, or null"),
            ));
        }
        let mut listed = HashSet::new();
        if stage.rule_types.iter().any(|t| !listed.insert(*t)) {
            problems.push(problem(
                [Field::Stages, Field::Index(index), Field::ActivityRules],
                RuleCode::InvalidInput,
                "an activity type is listed twice on the stage".into(),
            ));
        }
    }
    if stages.iter().filter(|s| s.is_initial).count() > 1 {
        problems.push(problem(
            Field::Stages,
            RuleCode::InvalidInput,
            "only one stage may be initial".into(),
        ));
    }
    let mut pairs = HashSet::new();
    for (index, transition) in transitions.iter().enumerate() {
        if let Some(error) = transition
            .name
            .and_then(|name| check_text("transition name", name, NAME_MAX).err())
        {
            let path = [Field::Transitions, Field::Index(index), Field::Name];
            problems.push(FieldViolation::at(path, error));
        }
        for (end, code) in [
            (Field::FromStage, transition.from),
            (Field::ToStage, transition.to),
        ] {
            if !codes.contains(code) {
                problems.push(problem(
                    [Field::Transitions, Field::Index(index), end],
                    RuleCode::NotFound,
                    format!("no stage {code:?} in this workflow"),
                ));
            }
        }
        if transition.from == transition.to {
            problems.push(problem(
                [Field::Transitions, Field::Index(index)],
                RuleCode::InvalidInput,
                "a transition must join two different stages".into(),
            ));
        } else if !pairs.insert((transition.from, transition.to)) {
            problems.push(problem(
                [Field::Transitions, Field::Index(index)],
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
            color: None,
            is_initial: initial,
            stale_after_days: None,
            rule_types: vec![1, 2],
        }
    }

    #[test]
    fn a_coherent_definition_passes() {
        let stages = [stage("A", true), stage("B", false)];
        let transitions = [
            TransitionDefinition {
                name: None,
                from: "A",
                to: "B",
            },
            TransitionDefinition {
                name: None,
                from: "B",
                to: "A",
            },
        ];
        assert!(check_workflow_definition("W", "W", None, &stages, &transitions).is_empty());
    }

    #[test]
    fn duplicate_codes_two_initials_and_dangling_transitions_are_all_reported() {
        let stages = [stage("A", true), stage("A", true)];
        let transitions = [
            TransitionDefinition {
                name: None,
                from: "A",
                to: "Z",
            },
            TransitionDefinition {
                name: None,
                from: "A",
                to: "A",
            },
        ];
        let fields: Vec<String> = check_workflow_definition("W", "W", None, &stages, &transitions)
            .into_iter()
            .map(|p| p.field.to_string())
            .collect();
        assert_eq!(
            fields,
            [
                "stages.1.code",
                "stages",
                "transitions.0.to_stage",
                "transitions.1"
            ]
        );
    }

    #[test]
    fn every_text_of_a_stage_and_a_transition_is_bounded_and_free_of_nul() {
        let long = "x".repeat(NAME_MAX + 1);
        let mut bad = stage("A\0", true);
        bad.name = &long;
        bad.color = Some("#ffffff ffffff ffffff ffffff ffffff");
        bad.stale_after_days = Some(0);
        let transitions = [TransitionDefinition {
            name: Some(&long),
            from: "A",
            to: "B",
        }];
        let fields: Vec<String> = check_workflow_definition("W", "W", None, &[bad], &transitions)
            .into_iter()
            .map(|p| p.field.to_string())
            .collect();
        for expected in [
            "stages.0.code",
            "stages.0.name",
            "stages.0.color",
            "stages.0.stale_after_days",
            "transitions.0.name",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} in {fields:?}"
            );
        }
    }

    #[test]
    fn a_workflow_needs_a_stage_and_a_code() {
        let problems = check_workflow_definition(" ", "W", None, &[], &[]);
        assert_eq!(problems.len(), 2);
    }
}
