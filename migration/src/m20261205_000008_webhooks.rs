//! Webhooks: a company's subscriptions of an HTTP endpoint to kinds of contact event, and one
//! delivery per event and webhook. `position` is how far in the company's feed the webhook's
//! deliveries were made; `lease_owner` and `lease_until` let one instance at a time deliver to
//! a webhook (a lease in the database, not in memory, so at most one delivery is in flight per
//! webhook across all instances).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::{index, reference, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("webhooks")
                    .col(big_integer("company_id"))
                    .col(string_len("url", 2000))
                    .col(string_len("events", 200))
                    .col(string_len("secret", 200))
                    .col(boolean("active"))
                    .col(big_integer("position").default(0))
                    .col(string_len_null("lease_owner", 32))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut reference("webhooks", "company_id", "companies"))
                    .to_owned(),
            )
            .await?;
        let mut webhook = reference("webhook_deliveries", "webhook_id", "webhooks");
        webhook.on_delete(ForeignKeyAction::Cascade);
        manager
            .create_table(
                table("webhook_deliveries")
                    .col(big_integer("company_id"))
                    .col(big_integer("webhook_id"))
                    .col(big_integer("event_id"))
                    .col(string_len("event_cursor", 64))
                    .col(string_len("kind", 24))
                    .col(text("body"))
                    .col(integer("attempts").default(0))
                    .col(string_len("status", 16))
                    .col(integer_null("response_status"))
                    .col(timestamp_with_time_zone("event_at"))
                    .col(timestamp_with_time_zone_null("last_attempt_at"))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut reference(
                        "webhook_deliveries",
                        "company_id",
                        "companies",
                    ))
                    .foreign_key(&mut webhook)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("webhooks", &["company_id", "active"], false))
            .await?;
        // A webhook's deliveries in order, the pending ones first found.
        manager
            .create_index(index(
                "webhook_deliveries",
                &["company_id", "webhook_id", "status", "id"],
                false,
            ))
            .await?;
        let tables = ["webhooks", "webhook_deliveries"];
        crate::guard_company_tables(manager.get_connection(), &tables).await?;
        Ok(())
    }
}
