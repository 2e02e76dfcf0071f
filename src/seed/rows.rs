//! The rows of a demo contact's history: stage log rows, done activities (each with the
//! pending activity that announced it) and the open pending activity it waits on.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait};

use super::DemoIds;
use crate::domain::{StageChangeVia, WorkStatus};
use crate::entity::{activity, contact, pending_activity, todo};
use crate::service::ServiceResult;
use crate::service::writes::StageStep;

/// Appends a row to a demo contact's stage log: the entry into its first stage (`from` none,
/// `CREATE`) or a move from a stage entered at the given time (`MOVE`).
pub(super) async fn log(
    db: &impl ConnectionTrait,
    ids: &DemoIds,
    contact_id: i64,
    (from, to): (Option<(i64, DateTime<Utc>)>, i64),
    operator_id: i64,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    let step = StageStep {
        from,
        to,
        operator_id,
        note: None,
        via: if from.is_some() {
            StageChangeVia::Move
        } else {
            StageChangeVia::Create
        },
    };
    let mut row = step.row(contact_id, at);
    row.company_id = Set(ids.company_id);
    row.insert(db).await?;
    Ok(())
}

/// Records a done activity together with the (now DONE) pending activity that announced it.
pub(super) async fn record(
    db: &impl ConnectionTrait,
    ids: &DemoIds,
    contact_id: i64,
    stage: &str,
    type_code: &str,
    operator_id: i64,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    let done = activity::ActiveModel {
        id: NotSet,
        company_id: Set(ids.company_id),
        contact_id: Set(contact_id),
        activity_type_id: Set(ids.types[type_code]),
        stage_id: Set(ids.stages[stage]),
        operator_id: Set(operator_id),
        description: Set(Some(format!(
            "{} done",
            type_code.to_lowercase().replace('_', " ")
        ))),
        performed_at: Set(at),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    let since = at - Duration::hours(18);
    pending_activity::ActiveModel {
        id: NotSet,
        company_id: Set(ids.company_id),
        contact_id: Set(contact_id),
        activity_type_id: Set(ids.types[type_code]),
        description: Set(None),
        pending_since: Set(since),
        due_at: Set(Some(at + Duration::hours(2))),
        assignee_id: Set(operator_id),
        reminder_starts_at: Set(None),
        reminder_ends_at: Set(None),
        create_todo: Set(false),
        status: Set(WorkStatus::Done),
        completed_at: Set(Some(at)),
        completed_activity_id: Set(Some(done.id)),
        created_by_id: Set(operator_id),
        created_at: Set(since),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Schedules the open pending activity a demo contact waits on: some overdue, some with a
/// reminder showing now, some with a reminder later, half with a to-do.
pub(super) async fn schedule(
    db: &impl ConnectionTrait,
    ids: &DemoIds,
    contact: &contact::Model,
    stage: &str,
    type_code: &str,
    assignee_id: i64,
    index: usize,
) -> ServiceResult<()> {
    let now = ids.now;
    let due = now + Duration::days((index % 5) as i64 - 1) + Duration::hours(2);
    let (starts, ends) = match (index / 3) % 3 {
        0 => (
            Some(now - Duration::minutes(30)),
            Some(now + Duration::hours(4)),
        ),
        1 => (
            Some(due - Duration::hours(1)),
            Some(due + Duration::hours(1)),
        ),
        _ => (None, None),
    };
    let since = now - Duration::hours(6);
    let description = format!(
        "{} with {} ({})",
        type_code.to_lowercase().replace('_', " "),
        contact.name,
        stage.to_lowercase()
    );
    let pending = pending_activity::ActiveModel {
        id: NotSet,
        company_id: Set(ids.company_id),
        contact_id: Set(contact.id),
        activity_type_id: Set(ids.types[type_code]),
        description: Set(Some(description.clone())),
        pending_since: Set(since),
        due_at: Set(Some(due)),
        assignee_id: Set(assignee_id),
        reminder_starts_at: Set(starts),
        reminder_ends_at: Set(ends),
        create_todo: Set(index.is_multiple_of(2)),
        status: Set(WorkStatus::Open),
        completed_at: Set(None),
        completed_activity_id: Set(None),
        created_by_id: Set(assignee_id),
        created_at: Set(since),
        updated_at: Set(since),
    }
    .insert(db)
    .await?;
    if pending.create_todo {
        todo::ActiveModel {
            id: NotSet,
            company_id: Set(ids.company_id),
            operator_id: Set(assignee_id),
            title: Set(format!(
                "{}: {}",
                type_code.replace('_', " ").to_lowercase(),
                contact.name
            )),
            description: Set(Some(description)),
            activity_type_id: Set(Some(pending.activity_type_id)),
            contact_id: Set(Some(contact.id)),
            pending_activity_id: Set(Some(pending.id)),
            due_at: Set(pending.due_at),
            status: Set(WorkStatus::Open),
            completed_at: Set(None),
            created_at: Set(since),
            updated_at: Set(since),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
