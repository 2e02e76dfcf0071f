//! A feed's step: number what committed, then read the numbered events after a position with
//! the rows they name. On PostgreSQL the whole step is one script in one round trip: a step of
//! a dozen statements, each waiting for a core of a busy database, was most of the lag between
//! a commit and its subscribers. On SQLite, where nothing needs numbering, it is the read.

use sea_orm::{DatabaseConnection, DbBackend};

use super::load::{Named, assemble};
use super::sequence::{numbering, sequenced};
use super::{Batch, EventRecord, FeedRead, Sequenced, event_columns, one_more, read, script};
use crate::domain::event::EventCursor;
use crate::entity::{activity, contact, pending_activity, stage_change};
use crate::service::ServiceResult;
use crate::service::lookup::keyed;

/// Numbers the company's committed events without a place (unless another sequencer is at
/// work) and reads at most `limit` numbered events after `after` with the rows they name.
pub async fn advance(
    db: &DatabaseConnection,
    company_id: i64,
    after: EventCursor,
    limit: u64,
) -> ServiceResult<(Sequenced, FeedRead)> {
    if db.get_database_backend() != DbBackend::Postgres {
        let read = read(db, company_id, (after, None), limit).await?;
        return Ok((Sequenced::Done, read));
    }
    let [lock, numbered] = numbering(company_id);
    let [events, contacts, changes, activities, pendings] = reading(company_id, after.seq, limit);
    let statements = [
        lock, numbered, events, contacts, changes, activities, pendings,
    ];
    let [
        lock,
        numbered,
        events,
        contacts,
        changes,
        activities,
        pendings,
    ] = script::run(db, &statements).await?;
    let sequenced = sequenced(lock, &numbered)?;
    let batch = Batch::of(events.decode::<EventRecord>()?, limit);
    let named = Named {
        contacts: keyed(contacts.decode::<contact::Model>()?, |row| row.id),
        changes: keyed(changes.decode::<stage_change::Model>()?, |row| row.id),
        activities: keyed(activities.decode::<activity::Model>()?, |row| row.id),
        pendings: keyed(pendings.decode::<pending_activity::Model>()?, |row| row.id),
    };
    let events = assemble(batch.events, &named)?;
    Ok((
        sequenced,
        FeedRead {
            events,
            full: batch.full,
        },
    ))
}

/// The statements that read the company's numbered events after `after_seq` (one more than
/// `limit`, to tell a full batch) and the rows they name. They follow the numbering in its
/// transaction, so they see it and everything numbered before; the rows are read for the
/// events the same bounds select, which can only be the same events or, when another
/// sequencer committed in between, more after them.
fn reading(company_id: i64, after_seq: i64, limit: u64) -> [String; 5] {
    let take = one_more(limit);
    let events = |columns: &str| {
        format!(
            "SELECT {columns} FROM contact_events WHERE company_id = {company_id} \
             AND seq > {after_seq} ORDER BY seq LIMIT {take}"
        )
    };
    let named = |table: &str, column: &str| {
        format!(
            "SELECT named.* FROM {table} AS named WHERE named.company_id = {company_id} \
             AND named.id IN (SELECT {column} FROM ({}) AS batch)",
            events(column)
        )
    };
    [
        events(&event_columns("seq")),
        named("contacts", "contact_id"),
        named("stage_changes", "stage_change_id"),
        named("activities", "activity_id"),
        named("pending_activities", "pending_activity_id"),
    ]
}
