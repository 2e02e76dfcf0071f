//! Companies: one installation serves a group of companies. Operators become people with
//! memberships (company, role, active); every company-owned table gets a `company_id` leading
//! its keys and indexes, and references that cannot leave the row's company. A database made
//! before companies existed moves, whole, into a first company (`MAIN`, renamed at will).

mod postgres;
mod shape;
mod sqlite;

pub(crate) use shape::OWNED;

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

use crate::{index, reference, scalar, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The company an existing database's rows move into.
const FIRST_COMPANY: (&str, &str) = ("MAIN", "Main company");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // One transaction on one connection on every backend (SQLite's rebuild included).
        let db = manager.get_connection().begin().await?;
        let companies = table("companies")
            .col(string_len("code", 100))
            .col(string_len("name", 200))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned();
        db.execute(&companies).await?;
        db.execute(&index("companies", &["code"], true)).await?;
        let first = first_company(&db).await?;
        match backend {
            DbBackend::Sqlite => sqlite::move_in(&db, first).await?,
            _ => postgres::move_in(&db, first).await?,
        }
        db.commit().await
    }
}

/// The memberships table: who works for which company, in which role.
pub(crate) fn memberships() -> TableCreateStatement {
    table("memberships")
        .col(big_integer("company_id"))
        .col(big_integer("operator_id"))
        .col(string_len("role", 20))
        .col(boolean("active").default(true))
        .col(integer("token_generation").default(0))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut reference("memberships", "company_id", "companies"))
        .foreign_key(&mut reference("memberships", "operator_id", "operators"))
        .to_owned()
}

/// The indexes of memberships: one per company and operator, and an operator's companies.
pub(crate) fn membership_indexes() -> [IndexCreateStatement; 2] {
    [
        index("memberships", &["company_id", "operator_id"], true),
        index("memberships", &["operator_id", "company_id"], false),
    ]
}

/// Copies every operator's role and activity into a membership of the first company.
pub(crate) fn memberships_from(operators: &str, company: i64) -> String {
    format!(
        "INSERT INTO memberships (company_id, operator_id, role, active, created_at, updated_at) \
         SELECT {company}, id, role, active, created_at, updated_at FROM {operators}"
    )
}

/// Creates the first company when the database already holds rows (none on a fresh one).
async fn first_company(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let probe = "SELECT (SELECT COUNT(*) FROM operators) + (SELECT COUNT(*) FROM workflows) \
                 + (SELECT COUNT(*) FROM activity_types)";
    let rows: i64 = scalar(db, probe, "count of rows").await?;
    if rows == 0 {
        return Ok(0);
    }
    let (code, name) = FIRST_COMPANY;
    // Stamped like the oldest row it receives, in the format the backend keeps its times in.
    db.execute_unprepared(&format!(
        "INSERT INTO companies (code, name, created_at, updated_at) \
         SELECT '{code}', '{name}', first, first FROM (SELECT MIN(created_at) AS first FROM \
         (SELECT created_at FROM operators UNION ALL SELECT created_at FROM workflows \
          UNION ALL SELECT created_at FROM activity_types) AS every) AS oldest"
    ))
    .await?;
    let sql = format!("SELECT id FROM companies WHERE code = '{code}'");
    scalar(db, sql, "first company").await
}
