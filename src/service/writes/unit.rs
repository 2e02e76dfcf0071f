//! One write: a transaction (the write lock taken up front on SQLite), the pending activities it
//! changed, and the reminder engine told of them — inside the transaction for the other
//! instances, after the commit for this one. Dropped without [`Write::commit`], it rolls back
//! and tells nobody.

use std::ops::Deref;

use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::db::Writer;
use crate::service::{ServiceResult, Store};

/// A write in progress.
pub struct Write<'a> {
    txn: DatabaseTransaction,
    _writer: Writer,
    store: &'a Store,
    changed: Vec<i64>,
}

impl<'a> Write<'a> {
    /// Starts a write on the store's database.
    pub async fn begin(store: &'a Store) -> ServiceResult<Self> {
        let (txn, writer) = crate::db::begin_write(&store.db).await?;
        Ok(Self {
            txn,
            _writer: writer,
            store,
            changed: Vec::new(),
        })
    }

    /// Notes a pending activity whose reminder this write may change.
    pub fn reminder_changed(&mut self, pending_id: i64) {
        if !self.changed.contains(&pending_id) {
            self.changed.push(pending_id);
        }
    }

    /// Announces the changed reminders to the other instances, commits, then settles them here.
    pub async fn commit(self) -> ServiceResult<()> {
        let reminders = &self.store.reminders;
        if !self.changed.is_empty() {
            let backend = self.txn.get_database_backend();
            for statement in reminders.in_transaction(backend, &self.changed) {
                self.txn.execute_raw(statement).await?;
            }
        }
        self.txn.commit().await?;
        if !self.changed.is_empty() {
            reminders.committed(&self.changed);
        }
        Ok(())
    }

    /// Gives up: nothing is written and nobody is told.
    pub async fn rollback(self) -> ServiceResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
