//! GraphQL object, input and enum types: thin wrappers over service rows.

pub mod company;
pub mod config;
pub mod connection;
pub mod contact;
pub mod contact_list;
pub mod event;
pub mod node;
pub mod pipeline;
pub mod reminder;
pub mod stage_change;
pub mod todo;
pub mod webhook;
pub mod work;
