//! Database migrations of contactflow, applied by the server on start and by `contactflow migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_configuration;
mod m20261128_000002_contacts;
mod m20261202_000003_sessions_and_names;
mod m20261203_000004_companies;
mod m20261203_000005_row_security;
mod m20261204_000006_pipeline_insight;
mod m20261205_000007_contact_events;
mod m20261205_000008_webhooks;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_configuration::Migration),
            Box::new(m20261128_000002_contacts::Migration),
            Box::new(m20261202_000003_sessions_and_names::Migration),
            Box::new(m20261203_000004_companies::Migration),
            Box::new(m20261203_000005_row_security::Migration),
            Box::new(m20261204_000006_pipeline_insight::Migration),
            Box::new(m20261205_000007_contact_events::Migration),
            Box::new(m20261205_000008_webhooks::Migration),
        ]
    }
}

/// The first column of the row a query answers; an error naming `what` when there is none.
pub(crate) async fn scalar<T: sea_orm_migration::sea_orm::TryGetable>(
    db: &impl sea_orm_migration::sea_orm::ConnectionTrait,
    sql: impl Into<String>,
    what: &str,
) -> Result<T, DbErr> {
    let statement =
        sea_orm_migration::sea_orm::Statement::from_string(db.get_database_backend(), sql);
    db.query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::Migration(format!("no {what}")))?
        .try_get_by_index(0)
}

/// A foreign key from `table.column` to `target.id`, named after both.
pub(crate) fn reference(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A (possibly unique) index on some columns of a table, named after them.
pub(crate) fn index(
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(table)
        .if_not_exists();
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    statement.to_owned()
}

/// On PostgreSQL, puts company-owned tables created after row-level security behind it as
/// the row-security migration did its own: the serving role may use them and their sequences,
/// and sees and writes only the rows of the company its transaction is set to.
pub(crate) async fn guard_company_tables(
    db: &impl sea_orm_migration::sea_orm::ConnectionTrait,
    tables: &[&str],
) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let role = m20261203_000005_row_security::ROLE;
    let company = m20261203_000005_row_security::COMPANY;
    for table in tables {
        for statement in [
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}"),
            format!("GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO {role}"),
            format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"),
            format!(
                "CREATE POLICY company_isolation ON {table} TO {role} \
                 USING (company_id = {company}) WITH CHECK (company_id = {company})"
            ),
        ] {
            db.execute_unprepared(&statement).await?;
        }
    }
    Ok(())
}

/// Creates a table whose `id` is an auto-incremented 64-bit key.
pub(crate) fn table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .if_not_exists()
        .col(sea_orm_migration::schema::big_pk_auto("id"))
        .to_owned()
}
