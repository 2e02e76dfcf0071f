//! Configuration tables: operators, activity types, workflows, stages, stage activity rules,
//! transitions and settings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::{index, reference, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table("operators")
                .col(string_len("login", 100))
                .col(string_len("display_name", 200))
                .col(string_len_null("email", 254))
                .col(string_len("role", 20))
                .col(boolean("active").default(true))
                .col(string_len("time_zone", 64).default("UTC"))
                .col(string_len("password_hash", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
            table("activity_types")
                .col(string_len("code", 100))
                .col(string_len("name", 200))
                .col(boolean("active").default(true))
                .col(integer("position").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
            table("workflows")
                .col(string_len("code", 100))
                .col(string_len("name", 200))
                .col(text_null("description"))
                .col(boolean("log_tab_visible").default(true))
                .col(boolean("restrict_activity_types").default(false))
                .col(boolean("is_default").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
            table("stages")
                .col(big_integer("workflow_id"))
                .col(string_len("code", 100))
                .col(string_len("name", 200))
                .col(integer("position"))
                .col(boolean("is_initial").default(false))
                .col(boolean("is_final").default(false))
                .col(string_len_null("color", 32))
                .foreign_key(&mut reference("stages", "workflow_id", "workflows"))
                .to_owned(),
            table("stage_activity_rules")
                .col(big_integer("stage_id"))
                .col(big_integer("activity_type_id"))
                .col(big_integer_null("next_activity_type_id"))
                .col(boolean("mandatory").default(false))
                .col(boolean("create_todo_for_next").default(false))
                .col(boolean("highlighted").default(false))
                .col(integer("position"))
                .foreign_key(&mut reference("stage_activity_rules", "stage_id", "stages"))
                .foreign_key(&mut reference(
                    "stage_activity_rules",
                    "activity_type_id",
                    "activity_types",
                ))
                .foreign_key(&mut reference(
                    "stage_activity_rules",
                    "next_activity_type_id",
                    "activity_types",
                ))
                .to_owned(),
            table("transitions")
                .col(big_integer("workflow_id"))
                .col(string_len("name", 200))
                .col(big_integer("from_stage_id"))
                .col(big_integer("to_stage_id"))
                .col(string_len("allowed_roles", 100).default(""))
                .col(integer("position").default(0))
                .foreign_key(&mut reference("transitions", "workflow_id", "workflows"))
                .foreign_key(&mut reference("transitions", "from_stage_id", "stages"))
                .foreign_key(&mut reference("transitions", "to_stage_id", "stages"))
                .to_owned(),
            Table::create()
                .table("settings")
                .if_not_exists()
                .col(string_len("key", 100).primary_key())
                .col(text("value"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            index("operators", &["login"], true),
            index("activity_types", &["code"], true),
            index("workflows", &["code"], true),
            index("stages", &["workflow_id", "code"], true),
            index("stages", &["workflow_id", "position"], false),
            index(
                "stage_activity_rules",
                &["stage_id", "activity_type_id"],
                true,
            ),
            index("stage_activity_rules", &["activity_type_id"], false),
            index("transitions", &["from_stage_id", "to_stage_id"], true),
            index("transitions", &["workflow_id"], false),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
