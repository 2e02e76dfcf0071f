use chrono::TimeZone;

use super::*;
use crate::domain::workflow::fixtures::*;

fn info(id: i64, active: bool) -> ActivityTypeInfo {
    ActivityTypeInfo {
        id,
        code: format!("T{id}"),
        active,
    }
}

fn request<'a>(
    workflow: &'a WorkflowRules,
    recorded: &'a HashSet<i64>,
    stage: i64,
) -> SaveRequest<'a> {
    SaveRequest {
        workflow,
        current_stage: stage,
        role: Role::Operator,
        recorded_since_entry: recorded,
        creating: false,
        fields: ContactFields::default(),
        activity: None,
        to_stage: None,
        note: None,
        pending: None,
    }
}

fn codes(result: Result<SavePlan, Vec<FieldViolation>>) -> Vec<(RuleCode, String)> {
    result
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|v| (v.violation.code, v.field.to_string()))
        .collect()
}

#[test]
fn a_discovery_call_in_the_same_save_lets_the_contact_leave_qualification() {
    let workflow = demo_workflow();
    let none = HashSet::new();
    let discovery = info(DISCOVERY_CALL, true);
    let mut save = request(&workflow, &none, QUALIFICATION);
    save.to_stage = Some(PROSPECT);
    assert_eq!(
        codes(plan_save(&save)),
        vec![(RuleCode::MandatoryActivityMissing, "target_stage".into())]
    );
    save.activity = Some((&discovery, None));
    let plan = plan_save(&save).unwrap();
    assert_eq!(
        (plan.activity_stage, plan.stage_after),
        (QUALIFICATION, PROSPECT)
    );
}

#[test]
fn the_done_activity_is_checked_against_the_stage_being_left_and_the_pending_against_the_next() {
    let workflow = demo_workflow();
    let recorded = HashSet::from([DISCOVERY_CALL]);
    let discovery = info(DISCOVERY_CALL, true);
    let meeting = info(MEETING, true);
    let mut save = request(&workflow, &recorded, QUALIFICATION);
    save.to_stage = Some(PROSPECT);
    save.activity = Some((&discovery, None));
    save.pending = Some(PendingRequest {
        activity_type: &meeting,
        description: None,
        reminder_starts_at: None,
        reminder_ends_at: None,
        assignee_active: true,
    });
    assert!(
        plan_save(&save).is_ok(),
        "MEETING is listed on PROSPECT, DISCOVERY_CALL on QUALIFICATION"
    );
    save.to_stage = None;
    assert_eq!(
        codes(plan_save(&save)),
        vec![(
            RuleCode::ActivityTypeNotAllowedInStage,
            "pending.activity_type".into()
        )]
    );
}

#[test]
fn independent_problems_are_all_reported() {
    let workflow = demo_workflow();
    let none = HashSet::new();
    let quote = info(QUOTE, true);
    let inactive = info(CALL, false);
    let long = "x".repeat(201);
    let moment = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let mut save = request(&workflow, &none, START);
    save.fields.name = Some(&long);
    save.activity = Some((&quote, None));
    save.to_stage = Some(CUSTOMER);
    save.pending = Some(PendingRequest {
        activity_type: &inactive,
        description: None,
        reminder_starts_at: Some(moment),
        reminder_ends_at: None,
        assignee_active: false,
    });
    assert_eq!(
        codes(plan_save(&save)),
        vec![
            (RuleCode::TooLong, "name".into()),
            (
                RuleCode::ActivityTypeNotAllowedInStage,
                "activity.activity_type".into()
            ),
            (RuleCode::IllegalTransition, "target_stage".into()),
            (
                RuleCode::ActivityTypeInactive,
                "pending.activity_type".into()
            ),
            (RuleCode::AssigneeInactive, "pending.assignee".into()),
            (
                RuleCode::ReminderWindowIncomplete,
                "pending.reminder_end".into()
            ),
        ]
    );
}

#[test]
fn a_new_contact_needs_a_name_and_staying_in_the_stage_is_no_move() {
    let workflow = demo_workflow();
    let none = HashSet::new();
    let mut save = request(&workflow, &none, START);
    save.creating = true;
    assert_eq!(
        codes(plan_save(&save)),
        vec![(RuleCode::InvalidInput, "name".into())]
    );
    save.fields.name = Some("Ada");
    save.to_stage = Some(START);
    let plan = plan_save(&save).unwrap();
    assert_eq!((plan.stage_move, plan.stage_after), (None, START));
}

#[test]
fn a_reminder_window_ending_first_points_at_its_end() {
    let workflow = demo_workflow();
    let none = HashSet::new();
    let call = info(CALL, true);
    let nine = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let mut save = request(&workflow, &none, START);
    save.pending = Some(PendingRequest {
        activity_type: &call,
        description: None,
        reminder_starts_at: Some(nine),
        reminder_ends_at: Some(nine),
        assignee_active: true,
    });
    assert_eq!(
        codes(plan_save(&save)),
        vec![(
            RuleCode::ReminderEndBeforeStart,
            "pending.reminder_end".into()
        )]
    );
    save.pending.as_mut().unwrap().reminder_ends_at = Some(nine + chrono::Duration::hours(1));
    assert!(plan_save(&save).unwrap().reminder.is_some());
}

mod properties {
    //! Random sequences of saves (an activity, a move, or both) against the demo workflow.
    use super::*;
    use proptest::prelude::*;

    const TYPES: [i64; 7] = [CALL, DISCOVERY_CALL, EMAIL, MEETING, DEMO, QUOTE, FOLLOW_UP];

    /// Rules 2 and 3 stated on their own, as an oracle for `plan_save`.
    fn acceptable(
        workflow: &WorkflowRules,
        stage: i64,
        role: Role,
        recorded: &HashSet<i64>,
        activity: Option<i64>,
        to: Option<i64>,
    ) -> bool {
        let mut recorded = recorded.clone();
        if let Some(kind) = activity {
            let listed = workflow
                .stage(stage)
                .is_some_and(|s| s.rules.iter().any(|r| r.activity_type_id == kind));
            if !listed {
                return false;
            }
            recorded.insert(kind);
        }
        match to.filter(|to| *to != stage) {
            None => true,
            Some(to) => {
                let Some(transition) = workflow
                    .transitions
                    .iter()
                    .find(|t| t.from_stage_id == stage && t.to_stage_id == to)
                else {
                    return false;
                };
                let role_ok = role == Role::Admin
                    || transition.allowed_roles.is_empty()
                    || transition.allowed_roles.contains(&role);
                let mandatory = workflow
                    .stage(stage)
                    .map(|s| {
                        s.rules
                            .iter()
                            .filter(|r| r.mandatory)
                            .all(|r| recorded.contains(&r.activity_type_id))
                    })
                    .unwrap_or(true);
                role_ok && mandatory
            }
        }
    }

    proptest! {
        #[test]
        fn saves_accept_exactly_what_the_rules_allow_and_keep_the_log_a_chain(
            steps in proptest::collection::vec((proptest::option::of(0usize..7), proptest::option::of(0usize..8), 0usize..3), 1..80)
        ) {
            let workflow = demo_workflow();
            let stages: Vec<i64> = workflow.stages.iter().map(|s| s.id).collect();
            let infos: Vec<ActivityTypeInfo> = TYPES.iter().map(|&id| info(id, true)).collect();
            let mut stage = workflow.initial_stage().unwrap().id;
            let mut recorded: HashSet<i64> = HashSet::new();
            let mut log: Vec<(Option<i64>, i64)> = vec![(None, stage)];
            for (activity, target, role) in steps {
                let role = Role::ALL[role];
                let activity = activity.map(|i| &infos[i]);
                let to = target.map(|i| stages[i]);
                let expected = acceptable(&workflow, stage, role, &recorded, activity.map(|a| a.id), to);
                let mut save = request(&workflow, &recorded, stage);
                save.role = role;
                save.activity = activity.map(|a| (a, None));
                save.to_stage = to;
                match plan_save(&save) {
                    Ok(plan) => {
                        prop_assert!(expected, "accepted a save the rules refuse");
                        prop_assert_eq!(plan.activity_stage, stage, "the activity is recorded in the stage being left");
                        if let Some(a) = activity {
                            recorded.insert(a.id);
                        }
                        if let Some(planned) = plan.stage_move {
                            prop_assert_eq!(planned.from_stage_id, stage);
                            log.push((Some(planned.from_stage_id), planned.to_stage_id));
                            stage = planned.to_stage_id;
                            recorded.clear();
                        }
                        prop_assert_eq!(plan.stage_after, stage);
                    }
                    Err(problems) => {
                        prop_assert!(!expected, "refused a save the rules allow: {:?}", problems);
                        prop_assert!(!problems.is_empty());
                    }
                }
            }
            prop_assert_eq!(log[0].0, None);
            for pair in log.windows(2) {
                prop_assert_eq!(pair[1].0, Some(pair[0].1));
            }
            prop_assert_eq!(log.last().map(|row| row.1), Some(stage));
        }
    }
}
