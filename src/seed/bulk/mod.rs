//! Bulk contacts for load tests (`contactflow seed --contacts N`): each walks a legal chain of
//! stages (checked once per template against the real rules), with about five done activities,
//! at least three stage-log rows and one open pending activity with a reminder window, spread
//! over stages, owners and the coming month. Rows are written in multi-row inserts, thousands
//! of contacts per transaction, not through the API.

mod templates;

use std::time::Instant;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QuerySelect,
};

use self::templates::{Rows, check_templates};
use super::DemoIds;
use crate::entity::contact;
use crate::service::{ServiceResult, clock};

/// Contacts written per transaction.
const CONTACTS_PER_TRANSACTION: usize = 5_000;
/// Bind parameters per statement, under SQLite's limit of 32,766 and PostgreSQL's of 65,535.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// What `seed --contacts` wrote.
#[derive(Debug, Clone, Copy)]
pub struct SeedReport {
    /// Contacts written.
    pub contacts: usize,
    /// Rows written in every table.
    pub rows: u64,
    /// Seconds it took.
    pub seconds: f64,
}

/// Inserts rows in multi-row statements that stay under the bind-parameter limits.
async fn insert_chunked<E: EntityTrait>(
    db: &impl ConnectionTrait,
    rows: Vec<E::ActiveModel>,
    columns: usize,
) -> ServiceResult<()> {
    let per_statement = (PARAMETERS_PER_STATEMENT / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(per_statement).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Writes `count` generated contacts (loading the demo configuration first into an empty
/// database), reporting progress as contacts are written.
pub async fn seed_contacts(
    db: &DatabaseConnection,
    count: usize,
    progress: impl Fn(usize),
) -> ServiceResult<SeedReport> {
    let started = Instant::now();
    super::load_if_empty(db).await?;
    let ids = DemoIds::read(db).await?;
    check_templates(&ids)?;
    let now = clock::now();
    let highest: Option<i64> = contact::Entity::find()
        .select_only()
        .expr(contact::Column::Id.max())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let first_id = highest.unwrap_or(0) + 1;
    let mut rows_written = 0;
    let mut done = 0;
    while done < count {
        let chunk = CONTACTS_PER_TRANSACTION.min(count - done);
        let mut rows = Rows::default();
        for n in done..done + chunk {
            rows.add(&ids, n, first_id + n as i64, now);
        }
        rows_written += rows.count();
        let (txn, writer) = crate::db::begin_write(db).await?;
        rows.write(&txn).await?;
        txn.commit().await?;
        writer.committed().await?;
        if done == 0 && db.get_database_backend() == DbBackend::Postgres {
            // The foreign-key checks of the next chunks are planned once, on this connection's
            // statistics: planned on tables that held the demo's few rows, they picked an index
            // led by company_id alone and scanned the whole company for every row inserted (a
            // 100,000-contact load took minutes instead of seconds).
            db.execute_unprepared("ANALYZE").await?;
        }
        done += chunk;
        progress(done);
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // Ids were given explicitly: move the sequence past them.
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT MAX(id) FROM contacts))",
        )
        .await?;
    }
    // Until autovacuum gets to them, freshly loaded tables have no planner statistics, and
    // PostgreSQL then picks plans that scan: a page's last-activity statement took 221 ms at
    // 100,000 contacts right after the load, and 2 ms once analysed.
    db.execute_unprepared("ANALYZE").await?;
    Ok(SeedReport {
        contacts: count,
        rows: rows_written,
        seconds: started.elapsed().as_secs_f64(),
    })
}
