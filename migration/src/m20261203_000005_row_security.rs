//! Row-level security on PostgreSQL, the second wall between companies: the server works as the
//! role `contactflow_app`, which owns no table, and every company-owned table lets it see and
//! write only the rows of the company its transaction is set to
//! (`set_config('contactflow.company_id', …, true)`). A statement that forgot its company filter
//! therefore finds nothing. SQLite has no such thing: there the application's filter is the wall.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261203_000004_companies::OWNED;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The role the server takes on every connection (keep in step with `db::SERVING_ROLE`).
pub(crate) const ROLE: &str = "contactflow_app";

/// Tables read before their company is known (a refresh token, by its hash): guarded by the
/// application alone.
const WITHOUT_POLICY: [&str; 1] = ["refresh_tokens"];

/// The company a transaction is set to; NULL when none is.
pub(crate) const COMPANY: &str =
    "NULLIF(current_setting('contactflow.company_id', true), '')::bigint";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // Roles belong to the whole PostgreSQL server: several databases share this one.
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
                     CREATE ROLE {ROLE} NOLOGIN;
                 END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$"
        ))
        .await?;
        // The connecting user must be able to take the role (a superuser always can).
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
                 IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                    AND NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
                     EXECUTE 'GRANT {ROLE} TO ' || quote_ident(current_user);
                 END IF;
             END $$"
        ))
        .await?;
        let schema = current_schema(db).await?;
        for grant in [
            format!("GRANT USAGE ON SCHEMA {schema} TO {ROLE}"),
            format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {ROLE}"
            ),
            format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {ROLE}"),
            // Tables of later migrations are the role's to use too.
            format!(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}"
            ),
            format!(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {ROLE}"
            ),
        ] {
            db.execute_unprepared(&grant).await?;
        }
        for owned in OWNED {
            if WITHOUT_POLICY.contains(&owned.table) {
                continue;
            }
            let table = owned.table;
            db.execute_unprepared(&format!(
                "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE POLICY company_isolation ON \"{table}\" TO {ROLE} \
                 USING (company_id = {COMPANY}) WITH CHECK (company_id = {COMPANY})"
            ))
            .await?;
        }
        // Memberships are the group's directory: a sign-in reads a person's memberships before
        // any company is set, so with none set they are all readable; with a company set, only
        // that company's are.
        db.execute_unprepared("ALTER TABLE memberships ENABLE ROW LEVEL SECURITY")
            .await?;
        db.execute_unprepared(&format!(
            "CREATE POLICY company_isolation ON memberships TO {ROLE} \
             USING ({COMPANY} IS NULL OR company_id = {COMPANY}) \
             WITH CHECK ({COMPANY} IS NULL OR company_id = {COMPANY})"
        ))
        .await?;
        Ok(())
    }
}

/// The schema the tables are in, quoted for SQL.
async fn current_schema(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    crate::scalar(db, "SELECT quote_ident(current_schema())", "current schema").await
}
