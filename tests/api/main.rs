//! Integration tests: each starts the real server on a random port over its own fresh database
//! and talks HTTP to it like a client.

mod support;

mod auth;
mod cli;
mod configuration;
mod contacts;
mod http;
mod paging;
mod saving;
mod startup;
mod work;
