//! The rows a write adds: activities, pending activities with their to-dos, stage changes,
//! each added to an [`Inserts`] so that a write's rows go to the database together.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, QueryFilter};

use crate::domain::limits::{NAME_MAX, clip};
use crate::domain::pipeline::seconds_between;
use crate::domain::reminder::ReminderWindow;
use crate::domain::{StageChangeVia, WorkStatus};
use crate::entity::{activity, activity_type, pending_activity, stage_change, todo};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany, Inserts, Key, Slot};
use crate::service::members::Member;

/// A done activity to record.
pub struct ActivityRow {
    /// Its type.
    pub activity_type_id: i64,
    /// The stage it was done in.
    pub stage_id: i64,
    /// Who did it: the caller.
    pub operator_id: i64,
    /// What was done.
    pub description: Option<String>,
}

/// Adds a done activity to `rows`: server time, the caller as operator.
pub fn add_activity(
    rows: &mut Inserts,
    db: &impl InCompany,
    contact: Key,
    done: ActivityRow,
    now: DateTime<Utc>,
) -> Slot<activity::Model> {
    let (contact_id, links) = linked(contact, activity::Column::ContactId);
    let row = activity::ActiveModel {
        id: NotSet,
        company_id: NotSet,
        contact_id: Set(contact_id),
        activity_type_id: Set(done.activity_type_id),
        stage_id: Set(done.stage_id),
        operator_id: Set(done.operator_id),
        description: Set(done.description),
        performed_at: Set(now),
        created_at: Set(now),
    };
    rows.add(db, row, &links)
}

/// A stage change to log: from where (none: the entry into the first stage) to where, by whom,
/// how, and since when the contact had been in the stage it leaves.
pub struct StageStep {
    /// The stage left, and when the contact had entered it.
    pub from: Option<(i64, DateTime<Utc>)>,
    /// The stage entered.
    pub to: i64,
    /// Who moved the contact.
    pub operator_id: i64,
    /// The note on the move.
    pub note: Option<String>,
    /// How the change came about.
    pub via: StageChangeVia,
}

impl StageStep {
    /// The row of this change at `now`, for contact `contact_id`.
    pub fn row(self, contact_id: i64, now: DateTime<Utc>) -> stage_change::ActiveModel {
        stage_change::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            contact_id: Set(contact_id),
            from_stage_id: Set(self.from.map(|(stage, _)| stage)),
            to_stage_id: Set(self.to),
            operator_id: Set(self.operator_id),
            changed_at: Set(now),
            note: Set(self.note),
            seconds_in_previous_stage: Set(self
                .from
                .map(|(_, entered)| seconds_between(entered, now))),
            via: Set(self.via),
        }
    }
}

/// Adds one row of a contact's stage log to `rows`.
pub fn add_stage_change(
    rows: &mut Inserts,
    db: &impl InCompany,
    contact: Key,
    step: StageStep,
    now: DateTime<Utc>,
) -> Slot<stage_change::Model> {
    let (contact_id, links) = linked(contact, stage_change::Column::ContactId);
    rows.add(db, step.row(contact_id, now), &links)
}

/// A pending activity to write.
pub struct PendingRow {
    /// Its type.
    pub activity_type: activity_type::Model,
    /// Its description.
    pub description: Option<String>,
    /// Its deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Who must do it.
    pub assignee: Member,
    /// Its reminder window.
    pub reminder: Option<ReminderWindow>,
    /// Whether to put a to-do on the assignee's list.
    pub create_todo: bool,
}

/// The rows of a scheduled pending activity and of its to-do, if it asks for one.
pub type PendingSlots = (Slot<pending_activity::Model>, Option<Slot<todo::Model>>);

/// Adds to `rows` a pending activity (server time, the caller as creator) and, when asked, the
/// assignee's to-do linked to it, titled with the type and `contact_name`.
pub fn add_pending(
    rows: &mut Inserts,
    db: &impl InCompany,
    (contact, contact_name): (Key, &str),
    row: PendingRow,
    created_by: i64,
    now: DateTime<Utc>,
) -> PendingSlots {
    let (contact_id, links) = linked(contact, pending_activity::Column::ContactId);
    let pending = pending_activity::ActiveModel {
        id: NotSet,
        company_id: NotSet,
        contact_id: Set(contact_id),
        activity_type_id: Set(row.activity_type.id),
        description: Set(row.description.clone()),
        pending_since: Set(now),
        due_at: Set(row.due_at),
        assignee_id: Set(row.assignee.operator.id),
        reminder_starts_at: Set(row.reminder.map(|w| w.starts_at)),
        reminder_ends_at: Set(row.reminder.map(|w| w.ends_at)),
        create_todo: Set(row.create_todo),
        status: Set(WorkStatus::Open),
        completed_at: Set(None),
        completed_activity_id: Set(None),
        created_by_id: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let pending = rows.add(db, pending, &links);
    if !row.create_todo {
        return (pending, None);
    }
    let (contact_id, mut links) = linked(contact, todo::Column::ContactId);
    links.push((todo::Column::PendingActivityId, pending.key()));
    let todo = todo::ActiveModel {
        id: NotSet,
        company_id: NotSet,
        operator_id: Set(row.assignee.operator.id),
        title: Set(clip(
            format!("{}: {}", row.activity_type.name, contact_name),
            NAME_MAX,
        )),
        description: Set(row.description),
        activity_type_id: Set(Some(row.activity_type.id)),
        contact_id: Set(Some(contact_id)),
        pending_activity_id: Set(None),
        due_at: Set(row.due_at),
        status: Set(WorkStatus::Open),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    (pending, Some(rows.add(db, todo, &links)))
}

/// The contact id to write now (a placeholder for a new contact) and the link that sets it.
fn linked<C: Copy>(contact: Key, column: C) -> (i64, Vec<(C, Key)>) {
    match contact {
        Key::Known(id) => (id, Vec::new()),
        Key::New(_) => (0, vec![(column, contact)]),
    }
}

/// Closes the open to-dos of a pending activity with `status` (DONE or CANCELLED).
pub async fn close_todos_of(
    db: &impl InCompany,
    pending_id: i64,
    status: WorkStatus,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    company::update_many::<todo::Entity>(db)
        .col_expr(todo::Column::Status, sea_orm::sea_query::Expr::val(status))
        .col_expr(
            todo::Column::CompletedAt,
            sea_orm::sea_query::Expr::val(now),
        )
        .col_expr(todo::Column::UpdatedAt, sea_orm::sea_query::Expr::val(now))
        .filter(todo::Column::PendingActivityId.eq(pending_id))
        .filter(todo::Column::Status.eq(WorkStatus::Open))
        .exec(db)
        .await?;
    Ok(())
}
