//! Reading the work around contacts: done activities, pending activities, to-dos and the stage
//! log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, Select};

use super::ServiceResult;
use super::pagination::{Counter, Ordering, Page, PageRequest, SortValue, fetch_page};
use crate::domain::WorkStatus;
use crate::entity::{activity, pending_activity, stage_change, todo};
use crate::service::company::{self, InCompany, Reads};

/// Sorts rows with no deadline after every dated row.
pub(crate) fn far_future() -> DateTime<Utc> {
    // 9999-12-31T00:00:00Z
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or_default()
}

fn newest_first<M>(
    name: &str,
    key: Expr,
    id: Expr,
    key_of: fn(&M) -> (SortValue, i64),
) -> Ordering<M> {
    Ordering {
        name: name.to_owned(),
        key,
        id,
        descending: true,
        key_of,
    }
}

/// A contact's done activities, newest first.
pub async fn activities_of_contact(
    db: &Reads,
    contact_id: i64,
    page: &PageRequest,
) -> ServiceResult<(Page<activity::Model>, Counter)> {
    let select =
        company::find::<activity::Entity>(db).filter(activity::Column::ContactId.eq(contact_id));
    let ordering = newest_first(
        "activities:performedAt",
        Expr::col((activity::Entity, activity::Column::PerformedAt)),
        Expr::col((activity::Entity, activity::Column::Id)),
        |a: &activity::Model| (SortValue::Time(a.performed_at), a.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// A contact's stage log, newest first.
pub async fn stage_log(
    db: &Reads,
    contact_id: i64,
    page: &PageRequest,
) -> ServiceResult<(Page<stage_change::Model>, Counter)> {
    let select = company::find::<stage_change::Entity>(db)
        .filter(stage_change::Column::ContactId.eq(contact_id));
    let ordering = newest_first(
        "stageLog:changedAt",
        Expr::col((stage_change::Entity, stage_change::Column::ChangedAt)),
        Expr::col((stage_change::Entity, stage_change::Column::Id)),
        |c: &stage_change::Model| (SortValue::Time(c.changed_at), c.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// A contact's pending activities with one of these statuses, soonest deadline first (those
/// without a deadline last).
pub async fn pending_of_contact(
    db: &impl InCompany,
    contact_id: i64,
    statuses: &[WorkStatus],
) -> ServiceResult<Vec<pending_activity::Model>> {
    let mut grouped = pending_of_contacts(db, &[contact_id], statuses).await?;
    Ok(grouped.remove(&contact_id).unwrap_or_default())
}

/// The pending activities of many contacts with one of these statuses, in one statement; each
/// contact's list ordered as [`pending_of_contact`] orders it.
pub async fn pending_of_contacts(
    db: &impl InCompany,
    contact_ids: &[i64],
    statuses: &[WorkStatus],
) -> ServiceResult<HashMap<i64, Vec<pending_activity::Model>>> {
    let rows = company::find::<pending_activity::Entity>(db)
        .filter(pending_activity::Column::ContactId.is_in(contact_ids.iter().copied()))
        .filter(pending_activity::Column::Status.is_in(statuses.iter().copied()))
        .order_by_asc(Expr::expr(Func::coalesce([
            Expr::col(pending_activity::Column::DueAt),
            Expr::val(far_future()),
        ])))
        .order_by_asc(pending_activity::Column::Id)
        .all(db)
        .await?;
    let mut grouped: HashMap<i64, Vec<pending_activity::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.contact_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The newest done activity of each of these contacts (by when it was done), in one
/// statement that walks the `(contact_id, performed_at, id)` index once per contact.
pub async fn last_activities(
    db: &impl InCompany,
    contact_ids: &[i64],
) -> ServiceResult<HashMap<i64, activity::Model>> {
    let newest = Expr::cust(
        "activities.id = (SELECT newest.id FROM activities AS newest \
         WHERE newest.contact_id = activities.contact_id \
         ORDER BY newest.performed_at DESC, newest.id DESC LIMIT 1)",
    );
    let rows = company::find::<activity::Entity>(db)
        .filter(activity::Column::ContactId.is_in(contact_ids.iter().copied()))
        .filter(newest)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.contact_id, row)).collect())
}

/// Which pending activities a list shows.
#[derive(Debug, Clone, Default)]
pub struct PendingFilter {
    /// Assigned to this operator.
    pub assignee_id: Option<i64>,
    /// With one of these statuses.
    pub statuses: Vec<WorkStatus>,
    /// Due strictly before this moment.
    pub due_before: Option<DateTime<Utc>>,
}

fn soonest_due<M>(
    name: &str,
    due: Expr,
    id: Expr,
    key_of: fn(&M) -> (SortValue, i64),
) -> Ordering<M> {
    Ordering {
        name: name.to_owned(),
        key: Expr::expr(Func::coalesce([due, Expr::val(far_future())])),
        id,
        descending: false,
        key_of,
    }
}

/// Pending activities, soonest deadline first (undated last).
pub async fn pending_activities(
    db: &Reads,
    filter: &PendingFilter,
    page: &PageRequest,
) -> ServiceResult<(Page<pending_activity::Model>, Counter)> {
    let mut condition = Condition::all()
        .add(pending_activity::Column::Status.is_in(filter.statuses.iter().cloned()));
    if let Some(assignee_id) = filter.assignee_id {
        condition = condition.add(pending_activity::Column::AssigneeId.eq(assignee_id));
    }
    if let Some(before) = filter.due_before {
        condition = condition.add(pending_activity::Column::DueAt.lt(before));
    }
    let select = company::find::<pending_activity::Entity>(db).filter(condition);
    let ordering = soonest_due(
        "pendingActivities:dueAt",
        Expr::col((pending_activity::Entity, pending_activity::Column::DueAt)),
        Expr::col((pending_activity::Entity, pending_activity::Column::Id)),
        |p: &pending_activity::Model| (SortValue::Time(p.due_at.unwrap_or_else(far_future)), p.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// To-dos of one operator with one of `statuses`, soonest deadline first (undated last).
pub async fn todos(
    db: &Reads,
    operator_id: i64,
    statuses: &[WorkStatus],
    page: &PageRequest,
) -> ServiceResult<(Page<todo::Model>, Counter)> {
    let select: Select<todo::Entity> = company::find::<todo::Entity>(db)
        .filter(todo::Column::OperatorId.eq(operator_id))
        .filter(todo::Column::Status.is_in(statuses.iter().cloned()));
    let ordering = soonest_due(
        "todos:dueAt",
        Expr::col((todo::Entity, todo::Column::DueAt)),
        Expr::col((todo::Entity, todo::Column::Id)),
        |t: &todo::Model| (SortValue::Time(t.due_at.unwrap_or_else(far_future)), t.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}
