//! One write: a transaction (the write lock taken up front on SQLite), what it changed that
//! others must hear of, and the announcements made after it commits. Dropped without [`Write::commit`], it rolls back
//! and tells nobody.

use std::ops::Deref;

use sea_orm::DatabaseTransaction;

use crate::service::company::{CompanyDb, set_company};

use crate::db::Writer;
use crate::service::{Changes, Configuration, ServiceResult, Store};

/// A write in progress.
pub struct Write<'a> {
    txn: CompanyDb<DatabaseTransaction>,
    /// After `txn`, so that a write dropped undoes its own part first.
    writer: Writer,
    store: &'a Store,
    changes: Changes,
}

impl<'a> Write<'a> {
    /// Starts a write on the store's database, for company `company_id`.
    pub async fn begin(store: &'a Store, company_id: i64) -> ServiceResult<Self> {
        let (txn, writer) = crate::db::begin_write(&store.db).await?;
        set_company(&txn, company_id).await?;
        let txn = CompanyDb::new(txn, company_id);
        Ok(Self {
            txn: if store.company_filter {
                txn
            } else {
                txn.without_company_filter()
            },
            writer,
            store,
            changes: Changes::default(),
        })
    }

    /// Works for company `company_id` from now on: for signing in, which learns the company
    /// from the rows it reads.
    pub async fn switch_to(&mut self, company_id: i64) -> ServiceResult<()> {
        set_company(self.txn.unscoped(), company_id).await?;
        self.txn.switch_to(company_id);
        Ok(())
    }

    /// The transaction itself, for what belongs to no company (companies, operators).
    pub fn unscoped(&self) -> &DatabaseTransaction {
        self.txn.unscoped()
    }

    /// The company the write works for.
    pub fn company_id(&self) -> i64 {
        crate::service::company::InCompany::company_id(&self.txn)
    }

    /// Notes a pending activity whose reminder this write may change.
    pub fn reminder_changed(&mut self, pending_id: i64) {
        if !self.changes.reminders.contains(&pending_id) {
            self.changes.reminders.push(pending_id);
        }
    }

    /// Notes a pending activity this write creates: its reminder is known whole.
    pub fn reminder_created(&mut self, pending: &crate::entity::pending_activity::Model) {
        self.reminder_changed(pending.id);
        if let Some(reminder) = crate::service::reminders::Reminder::of(pending.clone(), None) {
            self.changes.known.push(reminder);
        }
    }

    /// Notes that this write adds contact events: after the commit, the company's feeds read
    /// them.
    pub fn events_written(&mut self) {
        let company_id = self.company_id();
        if !self.changes.events.contains(&company_id) {
            self.changes.events.push(company_id);
        }
    }

    /// Notes an operator who loses their access with this write.
    pub fn operator_revoked(&mut self, operator_id: i64) {
        if !self.changes.revoked_operators.contains(&operator_id) {
            self.changes.revoked_operators.push(operator_id);
        }
    }

    /// Notes that this write changes the company's configuration or members.
    pub fn configuration_changed(&mut self) {
        let company_id = self.company_id();
        self.changes.configuration.add(company_id);
    }

    /// Notes that this write changes a person (name, sessions), who may be a member of any
    /// company.
    pub fn person_changed(&mut self) {
        self.changes.configuration = Configuration::Everyone;
    }

    /// Commits, then acts on the changes here and announces them to the other instances.
    pub async fn commit(self) -> ServiceResult<()> {
        let Write {
            txn,
            writer,
            store,
            changes,
        } = self;
        txn.into_inner().commit().await?;
        writer.committed().await?;
        changes.configuration.forget_in(&store.snapshots);
        if !changes.is_empty() {
            store.announcements.committed(&changes);
        }
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = CompanyDb<DatabaseTransaction>;

    fn deref(&self) -> &CompanyDb<DatabaseTransaction> {
        &self.txn
    }
}
