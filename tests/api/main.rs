//! Integration tests: each starts the real server on a random port over its own fresh database
//! and talks HTTP to it like a client.

#![expect(clippy::unwrap_used, reason = "a test fails by panicking")]

mod crafted;
mod support;

mod admin;
mod app;
mod architecture;
mod auth;

mod batching;
mod browsers;
mod bulk;
mod cli;
mod clients;
mod codes;
mod companies;
mod completing;
mod concurrency;
mod configuration;
mod connections;
mod contacts;
mod descriptions;
mod events;
mod frontend;
mod graphiql;
mod hostile;
mod http;
mod insight;
mod isolation;
mod moving;
mod names;
mod outage;
mod paging;
mod pools;
mod reminders;
mod report;
mod rights;
mod saving;
mod sessions;
mod sign_in;
mod sse;
mod startup;
mod strings;
mod subscriptions;
mod upgrade;
mod webhooks;
mod websocket;
mod work;
