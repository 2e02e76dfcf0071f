//! contactflow: a GraphQL server for CRM contact workflows.
//!
//! Layers, one direction only: `graphql → service → domain + entity`; `http` serves the
//! GraphQL schema; `main` parses the command line and calls [`app`].

pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod reminders;
pub mod service;
