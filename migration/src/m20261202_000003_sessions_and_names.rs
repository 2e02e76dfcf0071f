//! Sessions that outlive a bearer token and names in the operator's language: refresh tokens
//! (stored as hashes, grouped in families, one per sign-in), the generation of an operator's
//! tokens (raised by `logout(everywhere: true)`), the operator's locale, and localized names of
//! stages and activity types.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::{index, reference, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A foreign key to `target.id` whose rows go with the row they name.
fn owned_by(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    let mut key = reference(table, column, target);
    key.on_delete(ForeignKeyAction::Cascade);
    key
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds them one at a time.
        for column in [
            integer("token_generation").default(0).to_owned(),
            string_len("locale", 35).default("en").to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("operators")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let tables = [
            table("refresh_tokens")
                .col(big_integer("operator_id"))
                .col(string_len("family", 64))
                .col(string_len("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut owned_by("refresh_tokens", "operator_id", "operators"))
                .to_owned(),
            table("stage_names")
                .col(big_integer("stage_id"))
                .col(string_len("locale", 35))
                .col(string_len("name", 200))
                .foreign_key(&mut owned_by("stage_names", "stage_id", "stages"))
                .to_owned(),
            table("activity_type_names")
                .col(big_integer("activity_type_id"))
                .col(string_len("locale", 35))
                .col(string_len("name", 200))
                .foreign_key(&mut owned_by(
                    "activity_type_names",
                    "activity_type_id",
                    "activity_types",
                ))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            index("refresh_tokens", &["token_hash"], true),
            index("refresh_tokens", &["family"], false),
            index("refresh_tokens", &["operator_id"], false),
            index("stage_names", &["stage_id", "locale"], true),
            index("activity_type_names", &["activity_type_id", "locale"], true),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
