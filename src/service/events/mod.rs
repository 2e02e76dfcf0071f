//! The outbox of contact events: a company's events after a cursor, in order; the rows they
//! name, read once per batch; the sequencer that gives committed events their place on
//! PostgreSQL; and pruning what is older than the retention.
//!
//! Order (see the migration): on SQLite the id. On PostgreSQL `seq`, given by [`sequence`]
//! after the commit — one sequencer at a time per company (a transaction-level advisory
//! lock) numbers the committed events without a place, in id order, after the last numbered
//! one. Every numbered event was committed before any later-numbered one became visible, so
//! what a reader sees of the numbered events is always a prefix: it never skips an event
//! that commits later. Events of concurrent writes may interleave; those of one contact keep
//! their order (its writes take its row lock one after the other).

use chrono::{DateTime, Utc};
use sea_orm::{DbBackend, FromQueryResult, Statement, Value};

use super::company::{self, InCompany};

mod advance;
mod load;
mod script;
mod sequence;

use super::{ServiceError, ServiceResult};
use crate::domain::event::{ContactEventKind, EventCursor};
pub use advance::advance;
pub use load::{LoadedEvent, load};
pub use sequence::{Sequenced, prune, prune_every_company, sequence};

/// How long events are kept: a client may resume from a cursor at least this old.
pub const RETENTION: chrono::Duration = chrono::Duration::days(7);

/// An event as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its place in the company's feed.
    pub cursor: EventCursor,
    /// The company.
    pub company_id: i64,
    /// What happened.
    pub kind: ContactEventKind,
    /// The contact.
    pub contact_id: i64,
    /// The contact's workflow.
    pub workflow_id: i64,
    /// Who did it.
    pub operator_id: i64,
    /// When (server time).
    pub at: DateTime<Utc>,
    /// The stage change it concerns.
    pub stage_change_id: Option<i64>,
    /// The activity it concerns.
    pub activity_id: Option<i64>,
    /// The pending activity it concerns.
    pub pending_activity_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct EventRecord {
    id: i64,
    seq: i64,
    company_id: i64,
    kind: ContactEventKind,
    contact_id: i64,
    workflow_id: i64,
    operator_id: i64,
    at: DateTime<Utc>,
    stage_change_id: Option<i64>,
    activity_id: Option<i64>,
    pending_activity_id: Option<i64>,
}

impl EventRecord {
    fn into_event(self) -> StoredEvent {
        StoredEvent {
            cursor: EventCursor {
                seq: self.seq,
                id: self.id,
            },
            company_id: self.company_id,
            kind: self.kind,
            contact_id: self.contact_id,
            workflow_id: self.workflow_id,
            operator_id: self.operator_id,
            at: self.at,
            stage_change_id: self.stage_change_id,
            activity_id: self.activity_id,
            pending_activity_id: self.pending_activity_id,
        }
    }
}

/// The column events are read in the order of.
fn order(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "seq",
        _ => "id",
    }
}

fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => crate::db::numbered(sql),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A batch of a company's numbered events after a cursor.
#[derive(Debug, Default)]
pub struct Batch {
    /// The events, in order.
    pub events: Vec<StoredEvent>,
    /// Whether the limit cut the batch short (read on at once).
    pub full: bool,
}

/// The company's numbered events after `after` and, when given, up to `until`, at most
/// `limit`.
pub async fn after(
    db: &impl InCompany,
    after: EventCursor,
    until: Option<EventCursor>,
    limit: u64,
) -> ServiceResult<Batch> {
    let backend = db.get_database_backend();
    let order = order(backend);
    let mut values: Vec<Value> = vec![db.company_id().into(), after.seq.into()];
    let bound = match until {
        Some(until) => {
            values.push(until.seq.into());
            format!(" AND {order} <= ?")
        }
        None => String::new(),
    };
    values.push(one_more(limit).into());
    let sql = format!(
        "SELECT {} FROM contact_events WHERE company_id = ? AND {order} > ?{bound} \
         ORDER BY {order} LIMIT ?",
        event_columns(order)
    );
    let rows = EventRecord::find_by_statement(statement(backend, &sql, values))
        .all(db)
        .await?;
    Ok(Batch::of(rows, limit))
}

/// The columns of an [`EventRecord`], its place read from `order`.
fn event_columns(order: &str) -> String {
    format!(
        "id, {order} AS seq, company_id, kind, contact_id, workflow_id, operator_id, at, \
         stage_change_id, activity_id, pending_activity_id"
    )
}

/// The rows a read of at most `limit` events asks for: one more tells a full batch.
fn one_more(limit: u64) -> i64 {
    i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX)
}

impl Batch {
    /// The first `limit` of `rows`, read with a limit of [`one_more`].
    fn of(rows: Vec<EventRecord>, limit: u64) -> Self {
        let full = rows.len() as u64 > limit;
        let events = rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(EventRecord::into_event)
            .collect();
        Self { events, full }
    }
}

/// The company's last numbered event (none: the start of the feed).
pub async fn head(db: &impl InCompany) -> ServiceResult<EventCursor> {
    let backend = db.get_database_backend();
    let order = order(backend);
    let sql = format!(
        "SELECT {order}, id FROM contact_events WHERE company_id = ? AND {order} IS NOT NULL \
         ORDER BY {order} DESC LIMIT 1"
    );
    let values = vec![db.company_id().into()];
    let found = db.query_one_raw(statement(backend, &sql, values)).await?;
    Ok(match found {
        Some(row) => EventCursor {
            seq: row.try_get_by_index(0)?,
            id: row.try_get_by_index(1)?,
        },
        None => EventCursor::default(),
    })
}

/// Whether `cursor` names an event the company still keeps.
pub async fn kept(db: &impl InCompany, cursor: EventCursor) -> ServiceResult<bool> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT 1 FROM contact_events WHERE company_id = ? AND id = ? AND {} = ?",
        order(backend)
    );
    let values = vec![db.company_id().into(), cursor.id.into(), cursor.seq.into()];
    Ok(db
        .query_one_raw(statement(backend, &sql, values))
        .await?
        .is_some())
}

/// The cursor a client sent, when it names an event the company still keeps.
pub async fn resume_from(db: &impl InCompany, text: &str) -> ServiceResult<EventCursor> {
    let refused = || {
        ServiceError::BadInput(format!(
            "`after` is not a cursor of this feed, or its event is older than the {} days events are kept",
            RETENTION.num_days()
        ))
    };
    let cursor = EventCursor::decode(text).ok_or_else(refused)?;
    if kept(db, cursor).await? {
        Ok(cursor)
    } else {
        Err(refused())
    }
}

/// A read of the feed: the numbered events after `after` (up to `until`, at most `limit`) with
/// the rows they name, in one transaction of the company.
#[derive(Debug, Default)]
pub struct FeedRead {
    /// The events, in order.
    pub events: Vec<LoadedEvent>,
    /// Whether the limit cut the read short.
    pub full: bool,
}

/// Reads the company's numbered events after `after` with what they name.
pub async fn read(
    db: &sea_orm::DatabaseConnection,
    company_id: i64,
    (after_cursor, until): (EventCursor, Option<EventCursor>),
    limit: u64,
) -> ServiceResult<FeedRead> {
    let txn = company::begin_in_company(db, company_id).await?;
    let scoped = company::CompanyDb::new(txn, company_id);
    let batch = after(&scoped, after_cursor, until, limit).await?;
    let events = if batch.events.is_empty() {
        Vec::new()
    } else {
        load(&scoped, batch.events).await?
    };
    scoped.into_inner().commit().await?;
    Ok(FeedRead {
        events,
        full: batch.full,
    })
}

/// The company's last numbered event, read in a transaction of the company.
pub async fn head_of(
    db: &sea_orm::DatabaseConnection,
    company_id: i64,
) -> ServiceResult<EventCursor> {
    let txn = company::begin_in_company(db, company_id).await?;
    let scoped = company::CompanyDb::new(txn, company_id);
    let head = head(&scoped).await?;
    scoped.into_inner().commit().await?;
    Ok(head)
}
