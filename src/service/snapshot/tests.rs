//! The snapshot's look-ups and the cache's forgetting.

use std::sync::atomic::Ordering;

use super::cache::Kept;
use super::*;
use crate::domain::Role;
use crate::entity::{membership, operator, stage, workflow};

fn stage(id: i64, workflow_id: i64, position: i32) -> stage::Model {
    stage::Model {
        id,
        company_id: 1,
        workflow_id,
        code: format!("S{id}"),
        name: format!("Stage {id}"),
        position,
        is_initial: position == 0,
        is_final: false,
        color: None,
        stale_after_days: None,
    }
}

fn workflow(id: i64, is_default: bool) -> workflow::Model {
    workflow::Model {
        id,
        company_id: 1,
        code: format!("W{id}"),
        name: format!("Workflow {id}"),
        description: None,
        log_tab_visible: true,
        restrict_activity_types: false,
        is_default,
        created_at: chrono::Utc::now(),
    }
}

fn member(id: i64, active: bool) -> Member {
    Member {
        operator: operator::Model {
            id,
            login: format!("op{id}"),
            display_name: format!("Operator {id}"),
            email: None,
            time_zone: "UTC".into(),
            password_hash: String::new(),
            token_generation: 0,
            locale: "en".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        },
        membership: membership::Model {
            id,
            company_id: 1,
            operator_id: id,
            role: Role::Operator,
            active,
            token_generation: 0,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        },
    }
}

fn sample() -> Snapshot {
    Snapshot::of(
        1,
        Names::default(),
        vec![workflow(1, true), workflow(2, false)],
        Vec::new(),
        vec![stage(10, 1, 0), stage(11, 1, 1), stage(20, 2, 0)],
        Vec::new(),
        Vec::new(),
        vec![member(5, true), member(6, false)],
    )
    .unwrap()
}

#[test]
fn rows_are_found_by_id_and_grouped_by_their_parent() {
    let snapshot = sample();
    assert_eq!(snapshot.stage(11).map(|s| s.workflow_id), Some(1));
    assert!(snapshot.stage(12).is_none());
    let ids: Vec<i64> = snapshot.stages_of(1).iter().map(|s| s.id).collect();
    assert_eq!(ids, [10, 11]);
    assert_eq!(snapshot.default_workflow().map(|w| w.id), Some(1));
    assert_eq!(snapshot.member(6).map(Member::active), Some(false));
    assert!(snapshot.member(7).is_none());
}

#[test]
fn each_workflow_gets_its_own_rules() {
    let snapshot = sample();
    let rules = snapshot.workflow_rules(2).unwrap();
    let stages: Vec<i64> = rules.stages.iter().map(|s| s.id).collect();
    assert_eq!(stages, [20]);
    assert!(snapshot.workflow_rules(3).is_none());
}

#[tokio::test]
async fn forgetting_drops_the_snapshot_and_counts_a_change_so_a_read_begun_before_is_not_kept() {
    let kept = Kept::default();
    let before = kept.changes.load(Ordering::Acquire);
    kept.forget();
    assert_ne!(kept.changes.load(Ordering::Acquire), before);
    assert!(kept.kept().is_none());
}
