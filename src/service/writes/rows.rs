//! The rows a write adds: activities, pending activities with their to-dos, stage changes.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, QueryFilter};

use crate::domain::WorkStatus;
use crate::domain::limits::{NAME_MAX, clip};
use crate::domain::reminder::ReminderWindow;
use crate::entity::{activity, activity_type, contact, pending_activity, stage_change, todo};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany};
use crate::service::members::Member;

/// Records a done activity: server time, the caller as operator.
pub async fn insert_activity(
    db: &impl InCompany,
    contact_id: i64,
    activity_type_id: i64,
    stage_id: i64,
    operator_id: i64,
    description: Option<String>,
    now: DateTime<Utc>,
) -> ServiceResult<activity::Model> {
    Ok(company::insert(
        db,
        activity::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            contact_id: Set(contact_id),
            activity_type_id: Set(activity_type_id),
            stage_id: Set(stage_id),
            operator_id: Set(operator_id),
            description: Set(description),
            performed_at: Set(now),
            created_at: Set(now),
        },
    )
    .await?)
}

/// Appends one row to a contact's stage log.
pub async fn insert_stage_change(
    db: &impl InCompany,
    contact_id: i64,
    from: Option<i64>,
    to: i64,
    operator_id: i64,
    note: Option<String>,
    now: DateTime<Utc>,
) -> ServiceResult<stage_change::Model> {
    Ok(company::insert(
        db,
        stage_change::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            contact_id: Set(contact_id),
            from_stage_id: Set(from),
            to_stage_id: Set(to),
            operator_id: Set(operator_id),
            changed_at: Set(now),
            note: Set(note),
        },
    )
    .await?)
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

/// Schedules a pending activity (server time, the caller as creator) and, when asked, the
/// assignee's to-do linked to it.
pub async fn insert_pending(
    db: &impl InCompany,
    contact: &contact::Model,
    row: PendingRow,
    created_by: i64,
    now: DateTime<Utc>,
) -> ServiceResult<(pending_activity::Model, Option<todo::Model>)> {
    let pending = company::insert(
        db,
        pending_activity::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            contact_id: Set(contact.id),
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
        },
    )
    .await?;
    if !row.create_todo {
        return Ok((pending, None));
    }
    let todo = company::insert(
        db,
        todo::ActiveModel {
            id: NotSet,
            company_id: NotSet,
            operator_id: Set(row.assignee.operator.id),
            title: Set(clip(
                format!("{}: {}", row.activity_type.name, contact.name),
                NAME_MAX,
            )),
            description: Set(row.description),
            activity_type_id: Set(Some(row.activity_type.id)),
            contact_id: Set(Some(contact.id)),
            pending_activity_id: Set(Some(pending.id)),
            due_at: Set(row.due_at),
            status: Set(WorkStatus::Open),
            completed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        },
    )
    .await?;
    Ok((pending, Some(todo)))
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
