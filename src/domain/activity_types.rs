//! Rule 3: which activity types may be recorded or scheduled in a stage.

use super::violation::{RuleCode, Violation};
use super::workflow::WorkflowRules;

/// What the rules need to know about an activity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityTypeInfo {
    /// The activity type.
    pub id: i64,
    /// Its code, for messages.
    pub code: String,
    /// Switched-off types may not be recorded or scheduled.
    pub active: bool,
}

/// The activity types the rules accept in a stage, in the order a client should offer them:
/// the stage's listed types in rule order, then (only when the workflow does not restrict
/// types) every other active type in the order given. Inactive types never appear.
pub fn allowed_in_stage<'a>(
    workflow: &WorkflowRules,
    stage_id: i64,
    all_types: &'a [ActivityTypeInfo],
) -> Vec<&'a ActivityTypeInfo> {
    let listed: Vec<i64> = workflow
        .stage(stage_id)
        .map(|stage| stage.rules.iter().map(|r| r.activity_type_id).collect())
        .unwrap_or_default();
    let by_id = |id: i64| all_types.iter().find(|t| t.id == id && t.active);
    let mut allowed: Vec<&ActivityTypeInfo> = listed.iter().filter_map(|&id| by_id(id)).collect();
    if !workflow.restrict_activity_types {
        allowed.extend(
            all_types
                .iter()
                .filter(|t| t.active && !listed.contains(&t.id)),
        );
    }
    allowed
}

/// Checks that an activity of `activity_type` may be recorded (or scheduled) in a stage.
pub fn check_allowed_in_stage(
    workflow: &WorkflowRules,
    stage_id: i64,
    activity_type: &ActivityTypeInfo,
) -> Result<(), Violation> {
    if !activity_type.active {
        return Err(Violation::new(
            RuleCode::ActivityTypeInactive,
            format!("activity type {} is inactive", activity_type.code),
        ));
    }
    let listed = workflow
        .stage(stage_id)
        .is_some_and(|stage| stage.rule_for(activity_type.id).is_some());
    if workflow.restrict_activity_types && !listed {
        let stage = workflow
            .stage(stage_id)
            .map_or("this stage", |s| s.code.as_str());
        return Err(Violation::new(
            RuleCode::ActivityTypeNotAllowedInStage,
            format!(
                "activity type {} may not be recorded in {stage}",
                activity_type.code
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::fixtures::*;

    fn types() -> Vec<ActivityTypeInfo> {
        [
            (CALL, "CALL"),
            (DISCOVERY_CALL, "DISCOVERY_CALL"),
            (EMAIL, "EMAIL"),
            (MEETING, "MEETING"),
            (DEMO, "DEMO"),
            (QUOTE, "QUOTE"),
            (FOLLOW_UP, "FOLLOW_UP"),
        ]
        .into_iter()
        .map(|(id, code)| ActivityTypeInfo {
            id,
            code: code.into(),
            active: true,
        })
        .collect()
    }

    fn ids(list: Vec<&ActivityTypeInfo>) -> Vec<i64> {
        list.into_iter().map(|t| t.id).collect()
    }

    #[test]
    fn a_restricted_stage_offers_exactly_its_listed_types_in_rule_order() {
        let all = types();
        let allowed = allowed_in_stage(&demo_workflow(), OPPORTUNITY, &all);
        assert_eq!(
            ids(allowed),
            vec![CALL, EMAIL, FOLLOW_UP, MEETING, DEMO, QUOTE]
        );
    }

    #[test]
    fn an_unrestricted_workflow_offers_listed_types_first_then_the_other_active_ones() {
        let mut workflow = demo_workflow();
        workflow.restrict_activity_types = false;
        let mut all = types();
        all.iter_mut().find(|t| t.id == QUOTE).unwrap().active = false;
        let allowed = allowed_in_stage(&workflow, START, &all);
        assert_eq!(
            ids(allowed),
            vec![CALL, EMAIL, FOLLOW_UP, DISCOVERY_CALL, MEETING, DEMO]
        );
    }

    #[test]
    fn opportunity_refuses_a_discovery_call() {
        let all = types();
        let discovery = all.iter().find(|t| t.id == DISCOVERY_CALL).unwrap();
        let refused = check_allowed_in_stage(&demo_workflow(), OPPORTUNITY, discovery);
        assert_eq!(
            refused.unwrap_err().code,
            RuleCode::ActivityTypeNotAllowedInStage
        );
        assert!(check_allowed_in_stage(&demo_workflow(), QUALIFICATION, discovery).is_ok());
    }

    #[test]
    fn an_inactive_type_is_refused_even_where_listed() {
        let mut call = types().remove(0);
        call.active = false;
        let refused = check_allowed_in_stage(&demo_workflow(), START, &call);
        assert_eq!(refused.unwrap_err().code, RuleCode::ActivityTypeInactive);
        assert!(allowed_in_stage(&demo_workflow(), START, &[call]).is_empty());
    }

    #[test]
    fn what_the_lookup_offers_is_exactly_what_the_check_accepts() {
        let all = types();
        for restrict in [true, false] {
            let mut workflow = demo_workflow();
            workflow.restrict_activity_types = restrict;
            for stage in workflow.stages.iter().map(|s| s.id) {
                let offered = ids(allowed_in_stage(&workflow, stage, &all));
                for t in &all {
                    let accepted = check_allowed_in_stage(&workflow, stage, t).is_ok();
                    assert_eq!(
                        accepted,
                        offered.contains(&t.id),
                        "stage {stage} type {}",
                        t.code
                    );
                }
            }
        }
    }
}
