//! One write: a transaction (the write lock taken up front on SQLite), what it changed that
//! others must hear of, and the announcements made — inside the transaction for the other
//! instances, after the commit for this one. Dropped without [`Write::commit`], it rolls back
//! and tells nobody.

use std::ops::Deref;

use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::db::Writer;
use crate::service::{Changes, ServiceResult, Store};

/// A write in progress.
pub struct Write<'a> {
    txn: DatabaseTransaction,
    _writer: Writer,
    store: &'a Store,
    changes: Changes,
}

impl<'a> Write<'a> {
    /// Starts a write on the store's database.
    pub async fn begin(store: &'a Store) -> ServiceResult<Self> {
        let (txn, writer) = crate::db::begin_write(&store.db).await?;
        Ok(Self {
            txn,
            _writer: writer,
            store,
            changes: Changes::default(),
        })
    }

    /// Notes a pending activity whose reminder this write may change.
    pub fn reminder_changed(&mut self, pending_id: i64) {
        if !self.changes.reminders.contains(&pending_id) {
            self.changes.reminders.push(pending_id);
        }
    }

    /// Notes an operator who loses their access with this write.
    pub fn operator_revoked(&mut self, operator_id: i64) {
        if !self.changes.revoked_operators.contains(&operator_id) {
            self.changes.revoked_operators.push(operator_id);
        }
    }

    /// Announces the changes to the other instances, commits, then acts on them here.
    pub async fn commit(self) -> ServiceResult<()> {
        let announcements = &self.store.announcements;
        if !self.changes.is_empty() {
            let backend = self.txn.get_database_backend();
            for statement in announcements.in_transaction(backend, &self.changes) {
                self.txn.execute_raw(statement).await?;
            }
        }
        self.txn.commit().await?;
        if !self.changes.is_empty() {
            announcements.committed(&self.changes);
        }
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
