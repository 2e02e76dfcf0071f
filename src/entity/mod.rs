//! sea-orm entities, one file per table. Rows only: rules live in `domain`, use cases in
//! `service`.

pub mod activity;
pub mod activity_type;
pub mod activity_type_name;
pub mod company;
pub mod contact;
pub mod contact_event;
pub mod idempotency_record;
pub mod membership;
pub mod operator;
pub mod pending_activity;
pub mod refresh_token;
pub mod reminder_state;
pub mod setting;
pub mod stage;
pub mod stage_activity_rule;
pub mod stage_change;
pub mod stage_name;
mod stored;
pub mod todo;
pub mod transition;
pub mod webhook;
pub mod webhook_delivery;
pub mod workflow;
