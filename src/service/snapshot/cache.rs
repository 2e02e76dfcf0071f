//! The snapshots kept, one per company, and how one is read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use sea_orm::DatabaseConnection;

use super::{KEPT_FOR, Snapshot};
use crate::service::ServiceResult;
use crate::service::company::{CompanyDb, begin_in_company};

/// The snapshots of every company, each kept on its own.
pub struct Snapshots {
    companies: RwLock<HashMap<i64, Arc<Kept>>>,
    /// Whether snapshots are read with the application's company filter (always, but in the
    /// test that shows row-level security alone isolates the companies).
    company_filter: AtomicBool,
}

impl Default for Snapshots {
    fn default() -> Self {
        Self::new(true)
    }
}

impl Snapshots {
    /// No snapshot yet; `company_filter` as the store's.
    pub fn new(company_filter: bool) -> Self {
        Self {
            companies: RwLock::default(),
            company_filter: AtomicBool::new(company_filter),
        }
    }

    /// Reads the snapshots from now on with (or, in one test, without) the application's
    /// company filter.
    pub fn set_company_filter(&self, company_filter: bool) {
        self.company_filter.store(company_filter, Ordering::Relaxed);
        self.forget_all();
    }

    /// The snapshot of company `company_id`, read from `pool` when none is kept or it is older
    /// than [`KEPT_FOR`]. One request at a time reads it; meanwhile the others go on with the
    /// one kept, and wait only when there is none (at start, or after a change).
    pub async fn get(
        &self,
        pool: &DatabaseConnection,
        company_id: i64,
    ) -> ServiceResult<Arc<Snapshot>> {
        self.of(company_id)
            .get(
                pool,
                company_id,
                self.company_filter.load(Ordering::Relaxed),
            )
            .await
    }

    /// Forgets the snapshot of a company: a write changed its configuration or members.
    pub fn forget(&self, company_id: i64) {
        self.of(company_id).forget();
    }

    /// Forgets every snapshot: a person changed, who may be a member of any company, or
    /// changes may have been missed.
    pub fn forget_all(&self) {
        let kept: Vec<Arc<Kept>> = self
            .companies
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .cloned()
            .collect();
        for company in kept {
            company.forget();
        }
    }

    fn of(&self, company_id: i64) -> Arc<Kept> {
        let known = self
            .companies
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&company_id)
            .cloned();
        known.unwrap_or_else(|| {
            self.companies
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .entry(company_id)
                .or_default()
                .clone()
        })
    }
}

/// The snapshot of one company last read, and when.
#[derive(Default)]
pub(super) struct Kept {
    read: RwLock<Option<(Instant, Arc<Snapshot>)>>,
    reading: tokio::sync::Mutex<()>,
    /// Raised by each change, so that a read that began before it is not kept.
    pub(super) changes: AtomicU64,
}

impl Kept {
    async fn get(
        &self,
        pool: &DatabaseConnection,
        company_id: i64,
        filtered: bool,
    ) -> ServiceResult<Arc<Snapshot>> {
        let kept = self.kept();
        if let Some((at, snapshot)) = &kept
            && at.elapsed() < KEPT_FOR
        {
            return Ok(snapshot.clone());
        }
        let _one_reader = match (&kept, self.reading.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some((_, snapshot)), Err(_)) => return Ok(snapshot.clone()),
            (None, Err(_)) => self.reading.lock().await,
        };
        if let Some((at, snapshot)) = self.kept()
            && at.elapsed() < KEPT_FOR
        {
            return Ok(snapshot);
        }
        let changes = self.changes.load(Ordering::Acquire);
        let snapshot = Arc::new(read(pool, company_id, filtered).await?);
        let mut kept = self.write();
        if self.changes.load(Ordering::Acquire) == changes {
            *kept = Some((Instant::now(), snapshot.clone()));
        }
        Ok(snapshot)
    }

    pub(super) fn forget(&self) {
        let mut kept = self.write();
        self.changes.fetch_add(1, Ordering::AcqRel);
        *kept = None;
    }

    pub(super) fn kept(&self) -> Option<(Instant, Arc<Snapshot>)> {
        let kept = self
            .read
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.clone()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<(Instant, Arc<Snapshot>)>> {
        self.read
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Reads one company's snapshot in a transaction of its own, working for that company.
async fn read(
    pool: &DatabaseConnection,
    company_id: i64,
    filtered: bool,
) -> ServiceResult<Snapshot> {
    let txn = begin_in_company(pool, company_id).await?;
    let db = CompanyDb::borrowing(&txn, company_id);
    let db = if filtered {
        db
    } else {
        db.without_company_filter()
    };
    let snapshot = Snapshot::read(&db).await?;
    drop(db);
    txn.commit().await?;
    Ok(snapshot)
}
