//! `moveContactsToStage`: up to 500 contacts moved to one stage in one transaction. The reads
//! and the writes go in batches — the contacts (locked, on PostgreSQL), the activities recorded
//! since they entered their stages, one `UPDATE` of every moved contact and one multi-row
//! `INSERT` of their stage changes — so the statements do not grow with the number of contacts.
//! Each contact is checked by the single move's rules (`domain::bulk_move`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::events::{EventRow, known_rows};
use super::idempotency::{self, Claim, Keyed};
use super::rows::StageStep;
use super::{Actor, Write, refuse};
use crate::domain::bulk_move::{Standing, Target, check_count, plan_one, repeats, writes};
use crate::domain::event::ContactEventKind;
use crate::domain::{Field, FieldPath, FieldViolation, RuleCode, StageChangeVia, WorkflowRules};
use crate::entity::{activity, contact, stage_change};
use crate::service::company::{self, InCompany, Key};
use crate::service::{ServiceError, ServiceResult, Store, clock};

/// A bulk move. Ids that name nothing are negative.
#[derive(Debug, Clone, Serialize)]
pub struct BulkMove {
    /// The contacts, in the order the results come back.
    pub contact_ids: Vec<i64>,
    /// The stage to move them to.
    pub to_stage_id: i64,
    /// A note on every stage change.
    pub note: Option<String>,
    /// Move all or none.
    pub all_or_none: bool,
    /// Makes retries safe.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// What became of one listed contact.
#[derive(Debug, Clone)]
pub struct MoveResult {
    /// The contact as it is after the move (or as it stays); none for an id that names none.
    pub contact: Option<contact::Model>,
    /// The stage change written; none when the contact did not move.
    pub stage_change: Option<stage_change::Model>,
    /// Why it did not move.
    pub problems: Vec<FieldViolation>,
}

/// What a bulk move did, a result per listed id, in input order.
#[derive(Debug, Clone)]
pub struct BulkMoved {
    /// The results.
    pub results: Vec<MoveResult>,
    /// How many contacts moved.
    pub moved_count: usize,
}

/// One result as kept for idempotent retries.
#[derive(Debug, Serialize, Deserialize)]
struct KeptResult {
    contact: Option<i64>,
    change: Option<i64>,
    problems: Vec<FieldViolation>,
}

const OPERATION: &str = "moveContactsToStage";

/// Moves the listed contacts: every rule applied to each, one transaction.
pub async fn move_contacts(
    store: &Store,
    actor: Actor,
    input: BulkMove,
) -> ServiceResult<BulkMoved> {
    check_count(input.contact_ids.len()).map_err(|v| ServiceError::Rules(vec![v]))?;
    let key = input.idempotency_key.as_deref();
    let keyed = Keyed::of(actor.operator_id, OPERATION, key, &input)?;
    let snapshot = store.snapshots.get(&store.db, actor.company_id).await?;
    if snapshot.stage(input.to_stage_id).is_none() {
        return Err(refuse(
            Field::TargetStage,
            RuleCode::NotFound,
            "no such stage",
        ));
    }
    let mut write = Write::begin(store, actor.company_id).await?;
    if let Some(keyed) = &keyed
        && let Claim::Used(record) = idempotency::claim(&*write, keyed, clock::now()).await?
    {
        let kept: Vec<KeptResult> = idempotency::first_answer(&record, keyed)?;
        let moved = replay(&*write, kept).await?;
        write.commit().await?;
        return Ok(moved);
    }
    let now = clock::now();
    let found = standing_of(&*write, &input.contact_ids).await?;
    let mut rules: HashMap<i64, Arc<WorkflowRules>> = HashMap::new();
    for contact in found.contacts.values() {
        if let Some(workflow) = snapshot.workflow_rules(contact.workflow_id) {
            rules.insert(contact.workflow_id, workflow);
        }
    }
    let empty = HashSet::new();
    let target = Target {
        to_stage: input.to_stage_id,
        role: actor.role,
        note: input.note.as_deref(),
    };
    let plans: Vec<_> = input
        .contact_ids
        .iter()
        .zip(repeats(&input.contact_ids))
        .map(|(id, repeated)| {
            let standing = found.contacts.get(id).and_then(|contact| {
                Some(Standing {
                    workflow: rules.get(&contact.workflow_id)?,
                    current_stage: contact.stage_id,
                    recorded_since_entry: found.recorded.get(id).unwrap_or(&empty),
                })
            });
            plan_one(standing, repeated, target)
        })
        .collect();
    let passed: Vec<bool> = plans.iter().map(Result::is_ok).collect();
    let moving = writes(input.all_or_none, &passed);
    let moved_ids: Vec<i64> = input
        .contact_ids
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| moving && plan.is_ok())
        .map(|(id, _)| *id)
        .collect();
    let changes = write_moves(&*write, actor, &input, &found.contacts, &moved_ids, now).await?;
    if !changes.is_empty() {
        write.events_written();
    }
    let results: Vec<MoveResult> = input
        .contact_ids
        .iter()
        .zip(plans)
        .enumerate()
        .map(|(index, (id, plan))| {
            // A contact moved answers as it is after the move, under each mention of its id.
            let mut contact = found.contacts.get(id).cloned();
            if let (Some(contact), Some(change)) = (contact.as_mut(), changes.get(id)) {
                contact.version += 1;
                contact.stage_id = change.to_stage_id;
                contact.stage_entered_at = now;
                contact.updated_at = now;
            }
            let change = plan.is_ok().then(|| changes.get(id).cloned()).flatten();
            MoveResult {
                contact,
                stage_change: change,
                problems: plan.err().map(|p| at_index(p, index)).unwrap_or_default(),
            }
        })
        .collect();
    let moved = BulkMoved {
        moved_count: changes.len(),
        results,
    };
    if let Some(keyed) = &keyed {
        let kept: Vec<KeptResult> = moved
            .results
            .iter()
            .map(|r| KeptResult {
                contact: r.contact.as_ref().map(|c| c.id),
                change: r.stage_change.as_ref().map(|c| c.id),
                problems: r.problems.clone(),
            })
            .collect();
        let response =
            serde_json::to_string(&kept).map_err(|e| ServiceError::Internal(e.to_string()))?;
        idempotency::answer(&*write, keyed, response, clock::now()).await?;
    }
    write.commit().await?;
    Ok(moved)
}

/// One result's problems, those about the contact itself pointed at its place in the list.
fn at_index(problems: Vec<FieldViolation>, index: usize) -> Vec<FieldViolation> {
    problems
        .into_iter()
        .map(|mut problem| {
            if problem.field.fields() == [Field::Record] {
                problem.field = FieldPath(vec![Field::Contacts, Field::Index(index)]);
            }
            problem
        })
        .collect()
}

/// The listed contacts that exist (locked until the commit, on PostgreSQL, in id order so that
/// two bulk moves never wait on each other in a circle), and the activity types recorded in
/// each one's stage since it entered it: two statements.
struct Found {
    contacts: HashMap<i64, contact::Model>,
    recorded: HashMap<i64, HashSet<i64>>,
}

async fn standing_of(db: &impl InCompany, ids: &[i64]) -> ServiceResult<Found> {
    let wanted: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| *id > 0)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut found = Found {
        contacts: HashMap::new(),
        recorded: HashMap::new(),
    };
    if wanted.is_empty() {
        return Ok(found);
    }
    let contacts = company::find::<contact::Entity>(db)
        .filter(contact::Column::Id.is_in(wanted))
        .order_by_asc(contact::Column::Id)
        .lock_exclusive()
        .all(db)
        .await?;
    found.contacts = contacts.into_iter().map(|c| (c.id, c)).collect();
    if found.contacts.is_empty() {
        return Ok(found);
    }
    let earliest = found
        .contacts
        .values()
        .map(|c| c.stage_entered_at)
        .min()
        .unwrap_or_else(clock::now);
    let pairs: Vec<(i64, i64)> = found
        .contacts
        .values()
        .map(|c| (c.id, c.stage_id))
        .collect();
    let rows: Vec<(i64, i64, DateTime<Utc>)> = company::find::<activity::Entity>(db)
        .select_only()
        .column(activity::Column::ContactId)
        .column(activity::Column::ActivityTypeId)
        .column(activity::Column::PerformedAt)
        .filter(
            Expr::tuple([
                Expr::col((activity::Entity, activity::Column::ContactId)),
                Expr::col((activity::Entity, activity::Column::StageId)),
            ])
            .in_tuples(pairs),
        )
        .filter(activity::Column::PerformedAt.gte(earliest))
        .into_tuple()
        .all(db)
        .await?;
    for (contact_id, type_id, performed_at) in rows {
        if found.contacts[&contact_id].stage_entered_at <= performed_at {
            found
                .recorded
                .entry(contact_id)
                .or_default()
                .insert(type_id);
        }
    }
    Ok(found)
}

/// Moves the contacts `moved` (one `UPDATE`) and logs their stage changes (one `INSERT`); the
/// stage changes by contact.
async fn write_moves(
    db: &impl InCompany,
    actor: Actor,
    input: &BulkMove,
    contacts: &HashMap<i64, contact::Model>,
    moved: &[i64],
    now: DateTime<Utc>,
) -> ServiceResult<HashMap<i64, stage_change::Model>> {
    if moved.is_empty() {
        return Ok(HashMap::new());
    }
    company::update_many::<contact::Entity>(db)
        .col_expr(
            contact::Column::Version,
            Expr::col(contact::Column::Version).add(1),
        )
        .col_expr(contact::Column::StageId, Expr::val(input.to_stage_id))
        .col_expr(contact::Column::StageEnteredAt, Expr::val(now))
        .col_expr(contact::Column::UpdatedAt, Expr::val(now))
        .filter(contact::Column::Id.is_in(moved.iter().copied()))
        .exec(db)
        .await?;
    let rows = moved.iter().map(|id| {
        let contact = &contacts[id];
        let step = StageStep {
            from: Some((contact.stage_id, contact.stage_entered_at)),
            to: input.to_stage_id,
            operator_id: actor.operator_id,
            note: input.note.clone(),
            via: StageChangeVia::BulkMove,
        };
        step.row(*id, now)
    });
    let logged = company::insert_many_returning(db, rows.collect()).await?;
    let events = logged.iter().map(|change| EventRow {
        stage_change: Some(Key::Known(change.id)),
        ..EventRow::of(
            ContactEventKind::StageChanged,
            Key::Known(change.contact_id),
            contacts[&change.contact_id].workflow_id,
            actor.operator_id,
        )
    });
    company::insert_many(db, known_rows(events, now)).await?;
    Ok(logged
        .into_iter()
        .map(|row| (row.contact_id, row))
        .collect())
}

/// The first answer to a keyed bulk move, read back.
async fn replay(db: &impl InCompany, kept: Vec<KeptResult>) -> ServiceResult<BulkMoved> {
    let contact_ids: Vec<i64> = kept.iter().filter_map(|k| k.contact).collect();
    let change_ids: Vec<i64> = kept.iter().filter_map(|k| k.change).collect();
    let contacts: HashMap<i64, contact::Model> = company::find::<contact::Entity>(db)
        .filter(contact::Column::Id.is_in(contact_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let changes: HashMap<i64, stage_change::Model> = company::find::<stage_change::Entity>(db)
        .filter(stage_change::Column::Id.is_in(change_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let results: Vec<MoveResult> = kept
        .into_iter()
        .map(|k| MoveResult {
            contact: k.contact.and_then(|id| contacts.get(&id).cloned()),
            stage_change: k.change.and_then(|id| changes.get(&id).cloned()),
            problems: k.problems,
        })
        .collect();
    Ok(BulkMoved {
        moved_count: results.iter().filter(|r| r.stage_change.is_some()).count(),
        results,
    })
}
