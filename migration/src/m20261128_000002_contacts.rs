//! Working tables: contacts, activities, pending activities, to-dos, stage changes, reminder
//! states and idempotency records, with an index for every list and filter of the API.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::{index, reference, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table("contacts")
                .col(integer("version").default(1))
                .col(string_len("name", 200))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 50))
                .col(big_integer_null("owner_id"))
                .col(big_integer("workflow_id"))
                .col(big_integer("stage_id"))
                .col(timestamp_with_time_zone("stage_entered_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut reference("contacts", "owner_id", "operators"))
                .foreign_key(&mut reference("contacts", "workflow_id", "workflows"))
                .foreign_key(&mut reference("contacts", "stage_id", "stages"))
                .to_owned(),
            table("activities")
                .col(big_integer("contact_id"))
                .col(big_integer("activity_type_id"))
                .col(big_integer("stage_id"))
                .col(big_integer("operator_id"))
                .col(text_null("description"))
                .col(timestamp_with_time_zone("performed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut reference("activities", "contact_id", "contacts"))
                .foreign_key(&mut reference(
                    "activities",
                    "activity_type_id",
                    "activity_types",
                ))
                .foreign_key(&mut reference("activities", "stage_id", "stages"))
                .foreign_key(&mut reference("activities", "operator_id", "operators"))
                .to_owned(),
            table("pending_activities")
                .col(big_integer("contact_id"))
                .col(big_integer("activity_type_id"))
                .col(text_null("description"))
                .col(timestamp_with_time_zone("pending_since"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(big_integer("assignee_id"))
                .col(timestamp_with_time_zone_null("reminder_starts_at"))
                .col(timestamp_with_time_zone_null("reminder_ends_at"))
                .col(boolean("create_todo").default(false))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(big_integer_null("completed_activity_id"))
                .col(big_integer("created_by_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut reference(
                    "pending_activities",
                    "contact_id",
                    "contacts",
                ))
                .foreign_key(&mut reference(
                    "pending_activities",
                    "activity_type_id",
                    "activity_types",
                ))
                .foreign_key(&mut reference(
                    "pending_activities",
                    "assignee_id",
                    "operators",
                ))
                .foreign_key(&mut reference(
                    "pending_activities",
                    "completed_activity_id",
                    "activities",
                ))
                .foreign_key(&mut reference(
                    "pending_activities",
                    "created_by_id",
                    "operators",
                ))
                .to_owned(),
            table("todos")
                .col(big_integer("operator_id"))
                .col(string_len("title", 200))
                .col(text_null("description"))
                .col(big_integer_null("activity_type_id"))
                .col(big_integer_null("contact_id"))
                .col(big_integer_null("pending_activity_id"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut reference("todos", "operator_id", "operators"))
                .foreign_key(&mut reference(
                    "todos",
                    "activity_type_id",
                    "activity_types",
                ))
                .foreign_key(&mut reference("todos", "contact_id", "contacts"))
                .foreign_key(&mut reference(
                    "todos",
                    "pending_activity_id",
                    "pending_activities",
                ))
                .to_owned(),
            table("stage_changes")
                .col(big_integer("contact_id"))
                .col(big_integer_null("from_stage_id"))
                .col(big_integer("to_stage_id"))
                .col(big_integer("operator_id"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(text_null("note"))
                .foreign_key(&mut reference("stage_changes", "contact_id", "contacts"))
                .foreign_key(&mut reference("stage_changes", "from_stage_id", "stages"))
                .foreign_key(&mut reference("stage_changes", "to_stage_id", "stages"))
                .foreign_key(&mut reference("stage_changes", "operator_id", "operators"))
                .to_owned(),
            table("reminder_states")
                .col(big_integer("pending_activity_id"))
                .col(timestamp_with_time_zone_null("snoozed_until"))
                .col(timestamp_with_time_zone_null("dismissed_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut reference(
                    "reminder_states",
                    "pending_activity_id",
                    "pending_activities",
                ))
                .to_owned(),
            table("idempotency_records")
                .col(big_integer("operator_id"))
                .col(string_len("operation", 64))
                .col(string_len("key", 200))
                .col(string_len("fingerprint", 64))
                .col(text("response"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut reference(
                    "idempotency_records",
                    "operator_id",
                    "operators",
                ))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            index("contacts", &["updated_at", "id"], false),
            index("contacts", &["created_at", "id"], false),
            index("contacts", &["name", "id"], false),
            index("contacts", &["stage_entered_at", "id"], false),
            index("contacts", &["stage_id", "updated_at"], false),
            index("contacts", &["workflow_id"], false),
            index("contacts", &["owner_id"], false),
            index("activities", &["contact_id", "performed_at", "id"], false),
            index(
                "activities",
                &["contact_id", "stage_id", "activity_type_id"],
                false,
            ),
            index("activities", &["operator_id"], false),
            index("pending_activities", &["contact_id", "status"], false),
            index(
                "pending_activities",
                &["assignee_id", "status", "due_at"],
                false,
            ),
            index("pending_activities", &["status", "due_at"], false),
            index(
                "pending_activities",
                &["status", "reminder_starts_at"],
                false,
            ),
            index("todos", &["operator_id", "status", "due_at"], false),
            index("todos", &["pending_activity_id"], false),
            index("todos", &["contact_id"], false),
            index("stage_changes", &["contact_id", "changed_at", "id"], false),
            index("reminder_states", &["pending_activity_id"], true),
            index(
                "idempotency_records",
                &["operator_id", "operation", "key"],
                true,
            ),
            index("idempotency_records", &["created_at"], false),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
