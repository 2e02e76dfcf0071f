//! contactflow: a GraphQL server for CRM contact workflows.
//!
//! Layers, one direction only: `http → graphql → service → domain + entity`; `reminders`, `events` and
//! `seed` sit beside `graphql` above `service`; `main` parses the command line and calls
//! [`app`], which wires everything together. `docs/ARCHITECTURE.md` tells the whole story.

pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod events;
pub mod graphql;
pub mod http;
pub mod reminders;
pub mod seed;
pub mod service;
