//! PostgreSQL alters the tables in place: a `company_id` filled with the first company, the key
//! `(company_id, id)`, each single-column reference replaced by one inside the company, and every
//! index rebuilt led by `company_id`. Operators hand their role and activity to memberships.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::shape::{OWNED, create_index};
use super::{membership_indexes, memberships, memberships_from};

/// The names of the indexes (not the primary key) a table has now.
async fn indexes_of(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename = $1 AND indexname LIKE 'ix\\_%'",
            [table.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()
}

/// Moves every row into company `company` (0: the database is empty).
pub(super) async fn move_in(db: &impl ConnectionTrait, company: i64) -> Result<(), DbErr> {
    db.execute(&memberships()).await?;
    for statement in membership_indexes() {
        db.execute(&statement).await?;
    }
    db.execute_unprepared(&memberships_from("operators", company))
        .await?;
    for column in ["role", "active"] {
        db.execute_unprepared(&format!("ALTER TABLE operators DROP COLUMN {column}"))
            .await?;
    }
    for owned in OWNED {
        let table = owned.table;
        // A constant default is only recorded, not written into every row.
        db.execute_unprepared(&format!(
            "ALTER TABLE \"{table}\" ADD COLUMN company_id bigint NOT NULL DEFAULT {company}, \
             ADD CONSTRAINT \"fk_{table}_company_id\" FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE RESTRICT"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE \"{table}\" ALTER COLUMN company_id DROP DEFAULT"
        ))
        .await?;
        for old in indexes_of(db, table).await? {
            db.execute_unprepared(&format!("DROP INDEX \"{old}\""))
                .await?;
        }
        for (columns, unique) in owned.all_indexes() {
            db.execute_unprepared(&create_index(table, &columns, unique))
                .await?;
        }
        for reference in owned.references {
            let name = reference.name(table);
            db.execute_unprepared(&format!(
                "ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\", ADD CONSTRAINT \"{name}\" {}",
                reference.constraint()
            ))
            .await?;
        }
    }
    Ok(())
}
