//! `saveContact` and `moveContactToStage`: the contact form saved in one transaction —
//! contact fields, the activity just done, a stage move and the next pending activity. The
//! records it names are looked up in [`lookup`], the rules asked and the rows written in
//! [`apply`]; here, rule 10 (idempotency keys, claimed before the work) wraps it.

mod apply;
mod lookup;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::idempotency::{self, Claim, Keyed};
use super::{Actor, Patch, Write};
use crate::entity::{activity, contact, idempotency_record, pending_activity, stage_change, todo};
use crate::service::company::{self, InCompany};
use crate::service::{ServiceError, ServiceResult, Store, clock};

/// A done activity to record.
#[derive(Debug, Clone, Serialize)]
pub struct NewActivity {
    /// Its type.
    pub activity_type_id: i64,
    /// What was done.
    pub description: Option<String>,
}

/// A pending activity to schedule.
#[derive(Debug, Clone, Serialize)]
pub struct NewPending {
    /// Its type.
    pub activity_type_id: i64,
    /// What is to be done.
    pub description: Option<String>,
    /// Deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Who must do it; default: the caller.
    pub assignee_id: Option<i64>,
    /// Start of the reminder window.
    pub reminder_starts_at: Option<DateTime<Utc>>,
    /// End of the reminder window.
    pub reminder_ends_at: Option<DateTime<Utc>>,
    /// Put a to-do on the assignee's list.
    pub create_todo: bool,
}

/// A save of the contact form. Ids that name nothing are negative.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SaveContact {
    /// The contact; none: create.
    pub id: Option<i64>,
    /// Required with `id`.
    pub expected_version: Option<i32>,
    /// Makes retries safe.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
    /// Name; required on create.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Patch<String>,
    /// Phone number.
    pub phone: Patch<String>,
    /// Owner.
    pub owner_id: Patch<i64>,
    /// Workflow (create only; default: the default workflow).
    pub workflow_id: Option<i64>,
    /// A stage to move to in the same save.
    pub to_stage_id: Option<i64>,
    /// A note on the stage change.
    pub note: Option<String>,
    /// The activity just done.
    pub activity: Option<NewActivity>,
    /// The next pending activity.
    pub pending: Option<NewPending>,
    /// `moveContactToStage`: the save must move the contact.
    #[serde(skip)]
    pub must_move: bool,
}

/// What a save wrote.
#[derive(Debug, Clone)]
pub struct SavedContact {
    /// The contact after the save.
    pub contact: contact::Model,
    /// The recorded activity.
    pub activity: Option<activity::Model>,
    /// The scheduled pending activity.
    pub pending: Option<pending_activity::Model>,
    /// Its to-do.
    pub todo: Option<todo::Model>,
    /// The stage change.
    pub stage_change: Option<stage_change::Model>,
}

/// The ids of what a save wrote, as kept for idempotent retries.
#[derive(Debug, Serialize, Deserialize)]
struct SavedIds {
    contact: i64,
    activity: Option<i64>,
    pending: Option<i64>,
    todo: Option<i64>,
    stage_change: Option<i64>,
}

impl SavedIds {
    fn of(saved: &SavedContact) -> Self {
        Self {
            contact: saved.contact.id,
            activity: saved.activity.as_ref().map(|a| a.id),
            pending: saved.pending.as_ref().map(|p| p.id),
            todo: saved.todo.as_ref().map(|t| t.id),
            stage_change: saved.stage_change.as_ref().map(|c| c.id),
        }
    }
}

const OPERATION: &str = "saveContact";

/// Saves the contact form: every rule applied, one transaction, all or nothing.
pub async fn save_contact(
    store: &Store,
    actor: Actor,
    input: SaveContact,
) -> ServiceResult<SavedContact> {
    let key = input.idempotency_key.as_deref();
    let keyed = Keyed::of(actor.operator_id, OPERATION, key, &input)?;
    // The rules, types and members come from memory, read before the transaction.
    let snapshot = store.snapshots.get(&store.db, actor.company_id).await?;
    let mut write = Write::begin(store, actor.company_id).await?;
    if let Some(keyed) = &keyed
        && let Claim::Used(record) = idempotency::claim(&*write, keyed, clock::now()).await?
    {
        let saved = replay(&*write, &record, keyed).await?;
        write.commit().await?;
        return Ok(saved);
    }
    let saved = apply::apply(&*write, &snapshot, actor, &input, clock::now()).await?;
    write.events_written();
    if let Some(pending) = &saved.pending {
        write.reminder_created(pending);
    }
    if let Some(keyed) = &keyed {
        let response = serde_json::to_string(&SavedIds::of(&saved))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        idempotency::answer(&*write, keyed, response, clock::now()).await?;
    }
    write.commit().await?;
    Ok(saved)
}

/// The first answer to a keyed save, when its record was made for the same input.
async fn replay(
    db: &impl InCompany,
    record: &idempotency_record::Model,
    keyed: &Keyed<'_>,
) -> ServiceResult<SavedContact> {
    let ids: SavedIds = idempotency::first_answer(record, keyed)?;
    reload(db, &ids).await
}

/// The row with this id, when there is an id.
async fn find_some<E>(db: &impl InCompany, id: Option<i64>) -> ServiceResult<Option<E::Model>>
where
    E: company::Owned,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    Ok(match id {
        Some(id) => company::find_by_id::<E>(db, id).one(db).await?,
        None => None,
    })
}

async fn reload(db: &impl InCompany, ids: &SavedIds) -> ServiceResult<SavedContact> {
    let missing = || ServiceError::Internal("a remembered save points at missing rows".to_owned());
    Ok(SavedContact {
        contact: find_some::<contact::Entity>(db, Some(ids.contact))
            .await?
            .ok_or_else(missing)?,
        activity: find_some::<activity::Entity>(db, ids.activity).await?,
        pending: find_some::<pending_activity::Entity>(db, ids.pending).await?,
        todo: find_some::<todo::Entity>(db, ids.todo).await?,
        stage_change: find_some::<stage_change::Entity>(db, ids.stage_change).await?,
    })
}
