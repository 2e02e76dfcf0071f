//! The sequencer, which gives committed events their place on PostgreSQL, and pruning.

use chrono::{DateTime, Utc};
use sea_orm::{DbBackend, Value};

use super::script::{self, Done};
use super::{order, statement};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany};

/// Deletes the company's numbered events older than `before` but its last one (whose place
/// the next numbers follow); how many.
pub async fn prune(db: &impl InCompany, before: DateTime<Utc>) -> ServiceResult<u64> {
    let backend = db.get_database_backend();
    let order = order(backend);
    let sql = format!(
        "DELETE FROM contact_events WHERE company_id = ? AND at < ? AND {order} < \
         (SELECT MAX({order}) FROM contact_events WHERE company_id = ?)"
    );
    let company: Value = db.company_id().into();
    let values = vec![company.clone(), before.into(), company];
    let result = db.execute_raw(statement(backend, &sql, values)).await?;
    Ok(result.rows_affected())
}

/// Deletes the events older than `before` of every company, one transaction each; how many.
pub async fn prune_every_company(
    db: &sea_orm::DatabaseConnection,
    before: DateTime<Utc>,
) -> ServiceResult<u64> {
    let mut pruned = 0;
    for company_id in crate::service::companies::all_ids(db).await? {
        // Numbered first, so that a company nobody follows has its events pruned too.
        while sequence(db, company_id).await? == Sequenced::More {}
        let txn = company::begin_in_company(db, company_id).await?;
        let scoped = company::CompanyDb::new(txn, company_id);
        pruned += prune(&scoped, before).await?;
        scoped.into_inner().commit().await?;
    }
    Ok(pruned)
}

/// What a pass of the sequencer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequenced {
    /// Every committed event of the company has its place.
    Done,
    /// It numbered a batch, and more may wait.
    More,
    /// Another sequencer (of this instance or another) is at work: read again shortly.
    Busy,
}

/// Events numbered per pass.
const SEQUENCE_BATCH: u64 = 2_000;
/// The class of the advisory locks the sequencers take (the company is the other key).
const SEQUENCER_LOCK_CLASS: i32 = 0x0c0f_e7e5;

/// The statements that take the company's sequencer lock if it is free and, when taken,
/// number at most [`SEQUENCE_BATCH`] of its events without a place, in id order, after its
/// last numbered one (the first statement also sets the transaction's company). The lock's
/// outcome goes from the first to the second in a transaction-local setting, so that the
/// numbering's snapshot is taken once the lock is held: it must see what the previous holder
/// numbered.
pub(super) fn numbering(company_id: i64) -> [String; 2] {
    let key = (company_id % i64::from(i32::MAX)) as i32;
    [
        format!(
            "SELECT set_config('contactflow.company_id', '{company_id}', true), \
             set_config('contactflow.sequencing', \
             pg_try_advisory_xact_lock({SEQUENCER_LOCK_CLASS}, {key})::text, true)"
        ),
        format!(
            "UPDATE contact_events AS e SET seq = n.seq FROM ( \
                 SELECT id, (SELECT COALESCE(MAX(seq), 0) FROM contact_events \
                             WHERE company_id = {company_id} AND seq IS NOT NULL) \
                        + ROW_NUMBER() OVER (ORDER BY id) AS seq \
                 FROM (SELECT id FROM contact_events WHERE company_id = {company_id} \
                       AND seq IS NULL AND current_setting('contactflow.sequencing') = 'true' \
                       ORDER BY id LIMIT {SEQUENCE_BATCH}) AS waiting \
             ) AS n WHERE e.company_id = {company_id} AND e.id = n.id"
        ),
    ]
}

/// What the two [`numbering`] statements did.
pub(super) fn sequenced(lock: Done, numbered: &Done) -> ServiceResult<Sequenced> {
    let locked = lock
        .rows
        .into_iter()
        .next()
        .map(|row| sea_orm::QueryResult::from(row).try_get_by_index::<String>(1))
        .transpose()?
        .is_some_and(|held| held == "true");
    Ok(if !locked {
        Sequenced::Busy
    } else if numbered.affected >= SEQUENCE_BATCH {
        Sequenced::More
    } else {
        Sequenced::Done
    })
}

/// Gives the company's committed events without a place theirs, in id order, after the last
/// numbered one: on PostgreSQL, one sequencer at a time per company, in one round trip; on
/// SQLite the id is the place already.
pub async fn sequence(
    db: &sea_orm::DatabaseConnection,
    company_id: i64,
) -> ServiceResult<Sequenced> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(Sequenced::Done);
    }
    let [lock, numbered] = script::run(db, &numbering(company_id)).await?;
    sequenced(lock, &numbered)
}
