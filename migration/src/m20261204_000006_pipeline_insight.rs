//! Pipeline insight: how many days a stage lets its contacts rest before they are stale, and,
//! on every row of the stage log, how long the contact had been in the stage it left and how the
//! change came about — written with the change, so that the flow report reads them instead of
//! pairing log rows. Rows logged before this migration get their stay worked out from the log
//! once, here, and the origin `CREATE` for entries and `MOVE` for the rest (which of a save or a
//! move wrote them was not kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stage-log row before row `stage_changes` of the same contact: its `changed_at`.
const PREVIOUS: &str = "(SELECT p.changed_at FROM stage_changes p \
    WHERE p.company_id = stage_changes.company_id AND p.contact_id = stage_changes.contact_id \
    AND (p.changed_at < stage_changes.changed_at \
         OR (p.changed_at = stage_changes.changed_at AND p.id < stage_changes.id)) \
    ORDER BY p.changed_at DESC, p.id DESC LIMIT 1)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds them one at a time.
        let columns = [
            ("stages", integer_null("stale_after_days").to_owned()),
            (
                "stage_changes",
                big_integer_null("seconds_in_previous_stage").to_owned(),
            ),
            (
                "stage_changes",
                string_len("via", 16).default("MOVE").to_owned(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE stage_changes SET via = 'CREATE' WHERE from_stage_id IS NULL",
        )
        .await?;
        // Whole seconds, rounded down, as the server computes them for new rows.
        let seconds = match manager.get_database_backend() {
            DbBackend::Postgres => {
                format!("FLOOR(EXTRACT(EPOCH FROM (changed_at - {PREVIOUS})))::bigint")
            }
            _ => format!(
                "CAST(ROUND((julianday(changed_at) - julianday({PREVIOUS})) * 86400000) AS INTEGER) / 1000"
            ),
        };
        db.execute_unprepared(&format!(
            "UPDATE stage_changes SET seconds_in_previous_stage = {seconds} \
             WHERE from_stage_id IS NOT NULL"
        ))
        .await?;
        // The flow report reads a company's stage changes of a period.
        manager
            .create_index(index("stage_changes", &["company_id", "changed_at"], false))
            .await?;
        Ok(())
    }
}
