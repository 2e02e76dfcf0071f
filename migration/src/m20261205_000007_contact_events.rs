//! The outbox of contact events: one row per change of a contact, written in the transaction
//! of the change itself, so that an event exists if and only if its change committed.
//!
//! Feeds read a company's events in commit order. On SQLite one writer at a time commits, so
//! ids are handed out in commit order and the id is the order. On PostgreSQL concurrent
//! transactions take ids in any order — a reader that saw id 12 could later see id 11 commit
//! — so a committed event gets its place, `seq`, after the commit: one sequencer at a time
//! per company numbers the committed events that have none yet, after every numbered one,
//! and readers read numbered events only (see `service::events`). No foreign keys but the
//! company's: the outbox is a log, and its rows outlive nothing they name.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{index, reference, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("contact_events")
                    .col(big_integer("company_id"))
                    .col(big_integer_null("seq"))
                    .col(string_len("kind", 24))
                    .col(big_integer("contact_id"))
                    .col(big_integer("workflow_id"))
                    .col(big_integer("operator_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(big_integer_null("stage_change_id"))
                    .col(big_integer_null("activity_id"))
                    .col(big_integer_null("pending_activity_id"))
                    .foreign_key(&mut reference("contact_events", "company_id", "companies"))
                    .to_owned(),
            )
            .await?;
        // Feeds read a company's events in order (and the sequencer finds those without a
        // place: NULLs are in the index too); pruning finds the old ones.
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let order = if postgres { "seq" } else { "id" };
        for columns in [&["company_id", order][..], &["company_id", "at"]] {
            manager
                .create_index(index("contact_events", columns, false))
                .await?;
        }
        crate::guard_company_tables(manager.get_connection(), &["contact_events"]).await?;
        Ok(())
    }
}
