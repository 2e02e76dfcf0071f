//! A workflow's configuration as the rules see it: stages, their activity rules, transitions.

use super::role::Role;

/// One activity type listed on a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRule {
    /// The activity type the rule is about.
    pub activity_type_id: i64,
    /// The type scheduled next when a pending activity of this type is completed.
    pub next_activity_type_id: Option<i64>,
    /// The contact cannot leave the stage until an activity of this type was recorded in it.
    pub mandatory: bool,
    /// Whether the scheduled next activity gets a to-do.
    pub create_todo_for_next: bool,
}

/// A stage and the activity types it lists, in rule order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRules {
    /// The stage.
    pub id: i64,
    /// The stage's code, for messages.
    pub code: String,
    /// New contacts start here.
    pub is_initial: bool,
    /// The stage's activity rules, in their configured order.
    pub rules: Vec<ActivityRule>,
}

impl StageRules {
    /// The rule of this stage for an activity type, if the stage lists it.
    pub fn rule_for(&self, activity_type_id: i64) -> Option<&ActivityRule> {
        self.rules
            .iter()
            .find(|rule| rule.activity_type_id == activity_type_id)
    }

    /// The activity types that must be recorded before a contact leaves this stage.
    pub fn mandatory_types(&self) -> impl Iterator<Item = i64> + '_ {
        self.rules
            .iter()
            .filter(|rule| rule.mandatory)
            .map(|rule| rule.activity_type_id)
    }
}

/// A permitted move between two stages of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRule {
    /// The transition.
    pub id: i64,
    /// Stage left.
    pub from_stage_id: i64,
    /// Stage entered.
    pub to_stage_id: i64,
    /// Roles that may take it; empty means every role.
    pub allowed_roles: Vec<Role>,
}

/// Everything the rules need to know about one workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRules {
    /// The workflow.
    pub id: i64,
    /// Only the types listed on a stage may be recorded there.
    pub restrict_activity_types: bool,
    /// Its stages, in position order.
    pub stages: Vec<StageRules>,
    /// Its transitions.
    pub transitions: Vec<TransitionRule>,
}

impl WorkflowRules {
    /// The stage where new contacts start: the one marked initial, else the first by position.
    pub fn initial_stage(&self) -> Option<&StageRules> {
        self.stages
            .iter()
            .find(|stage| stage.is_initial)
            .or_else(|| self.stages.first())
    }

    /// A stage of this workflow by id.
    pub fn stage(&self, stage_id: i64) -> Option<&StageRules> {
        self.stages.iter().find(|stage| stage.id == stage_id)
    }

    /// The transitions leaving a stage, in configured order.
    pub fn transitions_from(&self, stage_id: i64) -> impl Iterator<Item = &TransitionRule> + '_ {
        self.transitions
            .iter()
            .filter(move |transition| transition.from_stage_id == stage_id)
    }

    /// The transition from one stage to another, if the workflow has one.
    pub fn transition_between(&self, from: i64, to: i64) -> Option<&TransitionRule> {
        self.transitions_from(from)
            .find(|transition| transition.to_stage_id == to)
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! The demo workflow of API.md, as rules, for the domain's unit tests.
    use super::*;

    pub const CALL: i64 = 1;
    pub const DISCOVERY_CALL: i64 = 2;
    pub const EMAIL: i64 = 3;
    pub const MEETING: i64 = 4;
    pub const DEMO: i64 = 5;
    pub const QUOTE: i64 = 6;
    pub const FOLLOW_UP: i64 = 7;

    pub const START: i64 = 10;
    pub const QUALIFICATION: i64 = 11;
    pub const PROSPECT: i64 = 12;
    pub const LEAD: i64 = 13;
    pub const OPPORTUNITY: i64 = 14;
    pub const NOT_QUALIFIED: i64 = 15;
    pub const CUSTOMER: i64 = 16;
    pub const CLOSED: i64 = 17;

    fn rule(activity_type_id: i64, mandatory: bool) -> ActivityRule {
        ActivityRule {
            activity_type_id,
            next_activity_type_id: None,
            mandatory,
            create_todo_for_next: false,
        }
    }

    /// The demo workflow: the pipeline with backward twins, CLOSED from everywhere,
    /// OPPORTUNITY → CUSTOMER for managers only, DISCOVERY_CALL mandatory in QUALIFICATION.
    pub fn demo_workflow() -> WorkflowRules {
        let stage = |id, code: &str, own: &[(i64, bool)]| {
            let mut rules = vec![
                rule(CALL, false),
                rule(EMAIL, false),
                rule(FOLLOW_UP, false),
            ];
            rules.extend(own.iter().map(|&(t, m)| rule(t, m)));
            StageRules {
                id,
                code: code.to_owned(),
                is_initial: id == START,
                rules,
            }
        };
        let stages = vec![
            stage(START, "START", &[(DISCOVERY_CALL, false)]),
            stage(QUALIFICATION, "QUALIFICATION", &[(DISCOVERY_CALL, true)]),
            stage(PROSPECT, "PROSPECT", &[(MEETING, false), (DEMO, false)]),
            stage(LEAD, "LEAD", &[(MEETING, false), (DEMO, false)]),
            stage(
                OPPORTUNITY,
                "OPPORTUNITY",
                &[(MEETING, false), (DEMO, false), (QUOTE, false)],
            ),
            stage(NOT_QUALIFIED, "NOT_QUALIFIED", &[]),
            stage(CUSTOMER, "CUSTOMER", &[(QUOTE, false)]),
            stage(CLOSED, "CLOSED", &[]),
        ];
        let mut transitions = Vec::new();
        let mut add = |from, to, allowed_roles: Vec<Role>| {
            let id = 100 + transitions.len() as i64;
            transitions.push(TransitionRule {
                id,
                from_stage_id: from,
                to_stage_id: to,
                allowed_roles,
            });
        };
        let chain = [START, QUALIFICATION, PROSPECT, LEAD, OPPORTUNITY, CUSTOMER];
        for pair in chain.windows(2) {
            let forward_roles = if pair == [OPPORTUNITY, CUSTOMER] {
                vec![Role::Manager]
            } else {
                vec![]
            };
            add(pair[0], pair[1], forward_roles);
            add(pair[1], pair[0], vec![]);
        }
        add(QUALIFICATION, NOT_QUALIFIED, vec![]);
        add(NOT_QUALIFIED, QUALIFICATION, vec![]);
        for stage in &stages {
            if stage.id != CLOSED {
                add(stage.id, CLOSED, vec![]);
            }
        }
        WorkflowRules {
            id: 1,
            restrict_activity_types: true,
            stages,
            transitions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;

    #[test]
    fn new_contacts_start_in_the_stage_marked_initial() {
        assert_eq!(demo_workflow().initial_stage().map(|s| s.id), Some(START));
    }

    #[test]
    fn without_a_marked_stage_the_first_by_position_is_initial() {
        let mut workflow = demo_workflow();
        workflow
            .stages
            .iter_mut()
            .for_each(|s| s.is_initial = false);
        assert_eq!(workflow.initial_stage().map(|s| s.id), Some(START));
    }

    #[test]
    fn every_stage_but_closed_leads_to_closed_and_closed_leads_nowhere() {
        let workflow = demo_workflow();
        for stage in workflow.stages.iter().filter(|s| s.id != CLOSED) {
            assert!(workflow.transition_between(stage.id, CLOSED).is_some());
        }
        assert_eq!(workflow.transitions_from(CLOSED).count(), 0);
    }

    #[test]
    fn qualification_lists_discovery_call_as_its_only_mandatory_type() {
        let workflow = demo_workflow();
        let stage = workflow.stage(QUALIFICATION).unwrap();
        assert_eq!(
            stage.mandatory_types().collect::<Vec<_>>(),
            vec![DISCOVERY_CALL]
        );
    }
}
