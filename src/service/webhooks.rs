//! Webhooks as the dispatcher and the API read them: a company's webhooks and their
//! deliveries; taking up the events a webhook has not seen yet as PENDING deliveries (their
//! CloudEvents bodies built once, in the order of the feed) a window ahead of the delivery
//! being made; the lease that lets one instance at a time deliver to a webhook; and what
//! became of attempts.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::company::{self, InCompany, Reads};
use super::pagination::{Counter, Ordering, Page, PageRequest, SortValue, fetch_page};
use super::writes::Write;
use super::writes::admin::webhooks::kinds_of;
use super::{ServiceResult, Store, clock, events};
use crate::domain::event::EventCursor;
use crate::domain::global_id::{encode, kind};
use crate::domain::webhook::{AHEAD, Outcome, outcome, taken, takes_up};
use crate::entity::{webhook, webhook_delivery};

/// Where a delivery stands (the stored names).
pub mod status {
    /// Not delivered yet; tried again later when it failed.
    pub const PENDING: &str = "PENDING";
    /// The receiver answered 2xx.
    pub const DELIVERED: &str = "DELIVERED";
    /// Every attempt failed for a day: given up.
    pub const FAILED: &str = "FAILED";
}

/// Events read per take-up.
const TAKE_UP_BATCH: u64 = 200;

/// The company's webhooks, oldest first.
pub async fn list(db: &impl InCompany) -> ServiceResult<Vec<webhook::Model>> {
    Ok(company::find::<webhook::Entity>(db)
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// The company's active webhooks.
pub async fn active(db: &impl InCompany) -> ServiceResult<Vec<webhook::Model>> {
    Ok(company::find::<webhook::Entity>(db)
        .filter(webhook::Column::Active.eq(true))
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// A webhook's deliveries, newest first.
pub async fn deliveries(
    db: &Reads,
    webhook_id: i64,
    page: &PageRequest,
) -> ServiceResult<(Page<webhook_delivery::Model>, Counter)> {
    let select = company::find::<webhook_delivery::Entity>(db)
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id));
    let ordering = Ordering {
        name: "deliveries:createdAt".to_owned(),
        key: Expr::col((
            webhook_delivery::Entity,
            webhook_delivery::Column::CreatedAt,
        )),
        id: Expr::col((webhook_delivery::Entity, webhook_delivery::Column::Id)),
        descending: true,
        key_of: |d: &webhook_delivery::Model| (SortValue::Time(d.created_at), d.id),
    };
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// The CloudEvents 1.0 body of an event: the cursor as its id, the contact as its subject,
/// and the contact's name and stage code with the event's own ids as its data.
fn cloud_event(event: &events::LoadedEvent, stage_code: Option<&str>) -> String {
    let stored = &event.event;
    let id_of = |kind: &str, id: Option<i64>| id.map(|id| encode(kind, id));
    let body = serde_json::json!({
        "specversion": "1.0",
        "id": stored.cursor.encode(),
        "source": format!("/contactflow/companies/{}", encode(kind::COMPANY, stored.company_id)),
        "type": stored.kind.cloud_event_type(),
        "time": stored.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "subject": encode(kind::CONTACT, stored.contact_id),
        "datacontenttype": "application/json",
        "data": {
            "contactId": encode(kind::CONTACT, stored.contact_id),
            "name": event.contact.name,
            "stageCode": stage_code,
            "operatorId": encode(kind::OPERATOR, stored.operator_id),
            "stageChangeId": id_of(kind::STAGE_CHANGE, stored.stage_change_id),
            "activityId": id_of(kind::ACTIVITY, stored.activity_id),
            "pendingActivityId": id_of(kind::PENDING_ACTIVITY, stored.pending_activity_id),
        },
    });
    body.to_string()
}

/// Takes up the events of the company after the webhook's position (`seen` as last read) as
/// PENDING deliveries of the kinds it lists, and moves its position past them, in one
/// transaction (the webhook row locked and read again, so two instances never take up the
/// same events); how many deliveries it made. Nothing is taken up while the webhook has its
/// window of deliveries waiting, unless the first event not taken up is old ([`takes_up`]).
pub async fn take_up(store: &Store, seen: &webhook::Model) -> ServiceResult<usize> {
    let company_id = seen.company_id;
    // Read first, write only when there is something to take up: a pass costs a webhook with
    // nothing new one read, and one whose window is full two, not a write transaction.
    let reads = Reads::per_statement(store.db.clone(), company_id);
    let since = EventCursor {
        seq: seen.position,
        id: 0,
    };
    let Some(first) = events::after(&reads, since, None, 1)
        .await?
        .events
        .into_iter()
        .next()
    else {
        return Ok(0);
    };
    if !takes_up(waiting(&reads, seen.id).await?, first.at, clock::now()) {
        return Ok(0);
    }
    let snapshot = store.snapshots.get(&store.db, company_id).await?;
    let write = Write::begin(store, company_id).await?;
    let Some(hook) = company::find_by_id::<webhook::Entity>(&*write, seen.id)
        .lock_exclusive()
        .one(&*write)
        .await?
    else {
        return Ok(0);
    };
    let after = EventCursor {
        seq: hook.position,
        id: 0,
    };
    let batch = events::after(&*write, after, None, TAKE_UP_BATCH).await?;
    let Some(last) = batch.events.last().map(|e| e.cursor.seq) else {
        return Ok(0);
    };
    let kinds = kinds_of(&hook.events);
    let wanted: Vec<_> = batch
        .events
        .into_iter()
        .filter(|event| kinds.contains(&event.kind))
        .collect();
    let loaded = events::load(&*write, wanted).await?;
    let now = clock::now();
    let rows: Vec<webhook_delivery::ActiveModel> = loaded
        .iter()
        .map(|event| {
            let stage = snapshot
                .stage(event.contact.stage_id)
                .map(|s| s.code.as_str());
            webhook_delivery::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                webhook_id: Set(hook.id),
                event_id: Set(event.event.cursor.id),
                event_cursor: Set(event.event.cursor.encode()),
                kind: Set(event.event.kind),
                body: Set(cloud_event(event, stage)),
                attempts: Set(0),
                status: Set(status::PENDING.to_owned()),
                response_status: Set(None),
                event_at: Set(event.event.at),
                last_attempt_at: Set(None),
                next_attempt_at: Set(None),
                created_at: Set(now),
            }
        })
        .collect();
    let made = rows.len();
    company::insert_many(&*write, rows).await?;
    company::update_many::<webhook::Entity>(&*write)
        .col_expr(webhook::Column::Position, Expr::val(last))
        .filter(webhook::Column::Id.eq(hook.id))
        .exec(&*write)
        .await?;
    write.commit().await?;
    Ok(made)
}

/// The webhook's PENDING deliveries in the order they are made (oldest first).
fn pending_in_order(db: &impl InCompany, webhook_id: i64) -> Select<webhook_delivery::Entity> {
    company::find::<webhook_delivery::Entity>(db)
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .filter(webhook_delivery::Column::Status.eq(status::PENDING))
        .order_by_asc(webhook_delivery::Column::Id)
}

/// How many PENDING deliveries the webhook has, [`AHEAD`] at most (counted through the index
/// of its deliveries).
async fn waiting(db: &impl InCompany, webhook_id: i64) -> ServiceResult<u64> {
    let ids: Vec<i64> = pending_in_order(db, webhook_id)
        .select_only()
        .column(webhook_delivery::Column::Id)
        .limit(AHEAD)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.len() as u64)
}

/// Whether the webhook's next delivery is due by `now`. Deliveries go in order, so the next
/// is its oldest PENDING one, found through the index of its deliveries in one probe however
/// long the queue behind it is.
pub async fn due(db: &impl InCompany, webhook_id: i64, now: DateTime<Utc>) -> ServiceResult<bool> {
    let next: Option<Option<DateTime<Utc>>> = pending_in_order(db, webhook_id)
        .select_only()
        .column(webhook_delivery::Column::NextAttemptAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(next.is_some_and(|at| at.is_none_or(|at| at <= now)))
}

/// Takes (or renews) the webhook's lease for `owner` until `until`, unless another owner holds
/// an unexpired one: whether `owner` holds it now.
pub async fn lease(
    store: &Store,
    company_id: i64,
    webhook_id: i64,
    owner: &str,
    (now, until): (DateTime<Utc>, DateTime<Utc>),
) -> ServiceResult<bool> {
    let write = Write::begin(store, company_id).await?;
    let taken = company::update_many::<webhook::Entity>(&*write)
        .col_expr(webhook::Column::LeaseOwner, Expr::val(owner))
        .col_expr(webhook::Column::LeaseUntil, Expr::val(until))
        .filter(webhook::Column::Id.eq(webhook_id))
        .filter(webhook::Column::Active.eq(true))
        .filter(
            webhook::Column::LeaseUntil
                .is_null()
                .or(webhook::Column::LeaseUntil.lt(now))
                .or(webhook::Column::LeaseOwner.eq(owner)),
        )
        .exec(&*write)
        .await?
        .rows_affected
        == 1;
    write.commit().await?;
    Ok(taken)
}

/// Gives the lease back.
pub async fn release(
    store: &Store,
    company_id: i64,
    webhook_id: i64,
    owner: &str,
) -> ServiceResult<()> {
    let write = Write::begin(store, company_id).await?;
    company::update_many::<webhook::Entity>(&*write)
        .col_expr(
            webhook::Column::LeaseOwner,
            Expr::val(Option::<String>::None),
        )
        .col_expr(
            webhook::Column::LeaseUntil,
            Expr::val(Option::<DateTime<Utc>>::None),
        )
        .filter(webhook::Column::Id.eq(webhook_id))
        .filter(webhook::Column::LeaseOwner.eq(owner))
        .exec(&*write)
        .await?;
    write.commit().await?;
    Ok(())
}

/// The webhook with its oldest PENDING deliveries, `limit` at most, oldest first (the next to
/// make: deliveries go in order).
pub async fn next_deliveries(
    db: &impl InCompany,
    webhook_id: i64,
    limit: u64,
) -> ServiceResult<Option<(webhook::Model, Vec<webhook_delivery::Model>)>> {
    let Some(hook) = company::find_by_id::<webhook::Entity>(db, webhook_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deliveries = pending_in_order(db, webhook_id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Some((hook, deliveries)))
}

/// What became of one attempt: the receiver's status code, if it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The HTTP status, when the receiver answered in time.
    pub status: Option<u16>,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
}

impl Attempt {
    /// Whether the receiver took the delivery (2xx).
    pub fn delivered(self) -> bool {
        taken(self.status)
    }
}

/// Records the attempts made of a company's deliveries in one transaction: the delivered ones
/// in one statement (each with its own status code and time), each other in its own.
pub async fn record(
    store: &Store,
    company_id: i64,
    made: &[(webhook_delivery::Model, Attempt)],
    first_retry: chrono::Duration,
) -> ServiceResult<()> {
    if made.is_empty() {
        return Ok(());
    }
    let write = Write::begin(store, company_id).await?;
    let (delivered, others): (Vec<_>, Vec<_>) =
        made.iter().partition(|(_, attempt)| attempt.delivered());
    if !delivered.is_empty() {
        let id = || Expr::col((webhook_delivery::Entity, webhook_delivery::Column::Id));
        let mut code = CaseStatement::new();
        let mut at = CaseStatement::new();
        for (delivery, attempt) in &delivered {
            code = code.case(
                id().eq(delivery.id),
                Expr::val(attempt.status.map(i32::from)),
            );
            at = at.case(id().eq(delivery.id), Expr::val(attempt.at));
        }
        company::update_many::<webhook_delivery::Entity>(&*write)
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                webhook_delivery::Column::Status,
                Expr::val(status::DELIVERED),
            )
            .col_expr(webhook_delivery::Column::ResponseStatus, code.into())
            .col_expr(webhook_delivery::Column::LastAttemptAt, at.into())
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::val(Option::<DateTime<Utc>>::None),
            )
            .filter(webhook_delivery::Column::Id.is_in(delivered.iter().map(|(d, _)| d.id)))
            .exec(&*write)
            .await?;
    }
    for (delivery, attempt) in others {
        let attempts = delivery.attempts.saturating_add(1);
        let times = (delivery.event_at, attempt.at);
        let (status, next) = match outcome(attempt.status, attempts, times, first_retry) {
            Outcome::Delivered => (status::DELIVERED, None),
            Outcome::Retry(next) => (status::PENDING, Some(next)),
            Outcome::Failed => (status::FAILED, None),
        };
        company::update_many::<webhook_delivery::Entity>(&*write)
            .col_expr(webhook_delivery::Column::Attempts, Expr::val(attempts))
            .col_expr(webhook_delivery::Column::Status, Expr::val(status))
            .col_expr(
                webhook_delivery::Column::ResponseStatus,
                Expr::val(attempt.status.map(i32::from)),
            )
            .col_expr(
                webhook_delivery::Column::LastAttemptAt,
                Expr::val(attempt.at),
            )
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::val(next))
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .exec(&*write)
            .await?;
    }
    write.commit().await?;
    Ok(())
}
