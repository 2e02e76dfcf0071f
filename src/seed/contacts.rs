//! Demo contacts: each walks a legal path through the pipeline (checked by the domain rules),
//! records activities in every stage it passes, and most wait on an open pending activity,
//! some with a reminder showing now and some with a to-do.

use std::collections::HashSet;

use chrono::Duration;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait};

use super::rows::{log, record, schedule};
use super::{DemoIds, PIPELINE};
use crate::domain::Role;
use crate::entity::contact;
use crate::service::ServiceResult;

const FIRST_NAMES: [&str; 12] = [
    "Giulia",
    "Marco",
    "Sofia",
    "Luca",
    "Elena",
    "Paolo",
    "Chiara",
    "Andrea",
    "Francesca",
    "Matteo",
    "Laura",
    "Davide",
];
const LAST_NAMES: [&str; 12] = [
    "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
    "Conti", "De Luca", "Costa",
];
const PATHS: [&[&str]; 9] = [
    PIPELINE.split_at(1).0,
    PIPELINE.split_at(2).0,
    PIPELINE.split_at(3).0,
    PIPELINE.split_at(4).0,
    PIPELINE.split_at(5).0,
    &PIPELINE,
    &["START", "QUALIFICATION", "NOT_QUALIFIED"],
    &["START", "QUALIFICATION", "PROSPECT", "CLOSED"],
    &["START", "QUALIFICATION", "PROSPECT", "LEAD", "PROSPECT"],
];
/// How many demo contacts ACME has.
pub const DEMO_CONTACTS: usize = 36;
/// How many demo contacts GLOBEX has.
pub const GLOBEX_CONTACTS: usize = 12;

/// The activities recorded in each stage a demo contact passes through.
fn activities_in(stage: &str) -> &'static [&'static str] {
    match stage {
        "START" => &["CALL"],
        "QUALIFICATION" => &["DISCOVERY_CALL", "EMAIL"],
        "PROSPECT" => &["MEETING"],
        "LEAD" => &["DEMO", "FOLLOW_UP"],
        "OPPORTUNITY" => &["QUOTE"],
        "CUSTOMER" => &["CALL"],
        "NOT_QUALIFIED" => &["EMAIL"],
        _ => &[],
    }
}

/// The next thing to do in a stage, if anything.
fn next_in(stage: &str) -> Option<&'static str> {
    match stage {
        "START" => Some("DISCOVERY_CALL"),
        "QUALIFICATION" => Some("DISCOVERY_CALL"),
        "PROSPECT" | "LEAD" => Some("MEETING"),
        "OPPORTUNITY" => Some("QUOTE"),
        "CUSTOMER" | "NOT_QUALIFIED" => Some("FOLLOW_UP"),
        _ => None,
    }
}

/// Loads the demo contacts of a company.
pub(crate) async fn load(db: &impl ConnectionTrait, ids: &DemoIds) -> ServiceResult<()> {
    for index in 0..ids.company.contacts {
        load_one(db, ids, index).await?;
    }
    Ok(())
}

async fn load_one(db: &impl ConnectionTrait, ids: &DemoIds, index: usize) -> ServiceResult<()> {
    let now = ids.now;
    let path = PATHS[index % PATHS.len()];
    let owners = ids.company.owners;
    let owner = owners[index % owners.len()];
    let owner_id = (index % 12 != 11).then(|| ids.operators[owner]);
    let step = Duration::days(3 + (index % 4) as i64);
    let created = now - step * path.len() as i32 - Duration::days(2 + (index % 10) as i64);
    let first = FIRST_NAMES[index % 12];
    let last = LAST_NAMES[(index * 5 + index / 12) % 12];
    let row = contact::ActiveModel {
        id: NotSet,
        company_id: Set(ids.company_id),
        version: Set(1),
        name: Set(format!("{first} {last}")),
        email: Set(Some(format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', "")
        ))),
        phone: Set(Some(format!(
            "+39 02 {:04} {:04}",
            1000 + index * 37,
            2000 + index * 91
        ))),
        owner_id: Set(owner_id),
        workflow_id: Set(ids.workflow.id),
        stage_id: Set(ids.stages[path[0]]),
        stage_entered_at: Set(created),
        created_at: Set(created),
        updated_at: Set(created),
    }
    .insert(db)
    .await?;
    let operator_id = owner_id.unwrap_or(ids.operators["admin"]);
    log(
        db,
        ids,
        row.id,
        (None, ids.stages[path[0]]),
        operator_id,
        created,
    )
    .await?;
    let mut writes = 0;
    let mut entered = created;
    // The last save, activity or stage change: what staleness counts from.
    let mut touched = created;
    for (position, stage) in path.iter().enumerate() {
        let mut recorded = HashSet::new();
        let is_current = position + 1 == path.len();
        // Half of the contacts waiting in QUALIFICATION have not had their discovery call yet.
        let waiting_for_call = is_current && *stage == "QUALIFICATION" && index % 2 == 1;
        for (n, type_code) in activities_in(stage).iter().enumerate() {
            if waiting_for_call && *type_code == "DISCOVERY_CALL" {
                continue;
            }
            let performed = entered + Duration::hours(20 + 5 * n as i64);
            if performed >= now {
                break;
            }
            record(db, ids, row.id, stage, type_code, operator_id, performed).await?;
            touched = touched.max(performed);
            recorded.insert(ids.types[type_code]);
            writes += 1;
        }
        if let Some(next) = path.get(position + 1) {
            let (closer, closer_role) = ids.company.closer;
            let role = if *next == "CUSTOMER" {
                closer_role
            } else {
                Role::Operator
            };
            ids.check_move(stage, next, role, &recorded)?;
            let mover = if *next == "CUSTOMER" {
                ids.operators[closer]
            } else {
                operator_id
            };
            let left = (ids.stages[stage], entered);
            entered += step;
            let change = (Some(left), ids.stages[next]);
            log(db, ids, row.id, change, mover, entered).await?;
            writes += 1;
        }
        if is_current && let Some(next_type) = next_in(stage) {
            schedule(db, ids, &row, stage, next_type, operator_id, index).await?;
            writes += 1;
        }
    }
    let mut updated: contact::ActiveModel = row.into();
    updated.version = Set(1 + writes);
    updated.stage_id = Set(ids.stages[path[path.len() - 1]]);
    updated.stage_entered_at = Set(entered);
    updated.updated_at = Set(touched.max(entered));
    updated.update(db).await?;
    Ok(())
}
