//! The `Mutation` root: each mutation takes one `input` and answers a payload with `userErrors`
//! (rule violations; nothing was written) beside the records it wrote.

mod admin;
mod auth;
mod bulk;
mod contact;
mod inputs;
mod reminders;
mod webhooks;
mod work;

use async_graphql::MergedObject;

/// Writes.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutation(
    auth::AuthMutation,
    contact::ContactMutation,
    bulk::BulkMutation,
    work::WorkMutation,
    reminders::ReminderMutation,
    admin::AdminMutation,
    webhooks::WebhookMutation,
);
