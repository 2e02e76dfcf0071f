//! What every resolver can reach: the shared application state, the request's credentials and
//! its data loader.

use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use super::guard::Caller;
use super::loaders::Loaders;
use crate::events::EventHub;
use crate::reminders::ReminderEngine;
use crate::service::Store;
use crate::service::auth::{SignInLimits, TokenKeys};
use crate::service::company::{InCompany, Reads};
use crate::service::snapshot::Snapshot;

/// Shared by every request: the store, the token keys, the sign-in limits and the reminder
/// engine.
#[derive(Clone)]
pub struct AppState {
    /// The database, and who hears of what writes change.
    pub store: Store,
    /// Signs and checks bearer tokens.
    pub keys: TokenKeys,
    /// Failed sign-ins per login and per client address.
    pub sign_ins: Arc<SignInLimits>,
    /// Schedules reminders and announces them to subscribers.
    pub reminders: Arc<ReminderEngine>,
    /// Pushes contact events to their subscribers.
    pub events: Arc<EventHub>,
    /// Whether webhooks may target private addresses.
    pub webhook_allow_private: bool,
    /// The reads of a request that came without a company (it sees nothing).
    no_company: Reads,
}

impl AppState {
    /// The state over `db`, whose writes tell the reminder engine.
    pub fn new(
        db: DatabaseConnection,
        keys: TokenKeys,
        sign_ins: SignInLimits,
        (reminders, events): (Arc<ReminderEngine>, Arc<EventHub>),
    ) -> Self {
        Self {
            no_company: Reads::per_statement(db.clone(), 0),
            store: Store::new(db, reminders.clone(), reminders.snapshots.clone()),
            keys,
            sign_ins: Arc::new(sign_ins),
            reminders,
            events,
            webhook_allow_private: false,
        }
    }

    /// The database pool.
    pub fn db(&self) -> &DatabaseConnection {
        &self.store.db
    }
}

/// The credentials a request came with, and where it came from; the caller is looked up once,
/// on first need.
pub struct RequestAuth {
    pub(super) token: Option<String>,
    pub(super) address: Option<IpAddr>,
    pub(super) caller: OnceCell<Option<Caller>>,
    pub(super) languages: Vec<String>,
    /// When the request came: the one "now" its fields compute with.
    pub(super) at: chrono::DateTime<chrono::Utc>,
}

impl Default for RequestAuth {
    fn default() -> Self {
        Self::new(None, None)
    }
}

impl RequestAuth {
    /// Credentials from a bearer token (or none), from a client at `address` (when known).
    pub fn new(token: Option<String>, address: Option<IpAddr>) -> Self {
        Self {
            token,
            address,
            caller: OnceCell::new(),
            languages: Vec::new(),
            at: crate::service::clock::now(),
        }
    }

    /// The same, from a client reading these languages, most wanted first (its
    /// `Accept-Language`).
    pub fn reading(mut self, languages: Vec<String>) -> Self {
        self.languages = languages;
        self
    }
}

/// The company's configuration and members, as this request sees them (taken once per query or
/// mutation; the latest for each event of a subscription).
pub async fn snapshot(ctx: &Context<'_>) -> async_graphql::Result<Arc<Snapshot>> {
    use super::errors::ApiResult;
    match ctx.data_opt::<DataLoader<Loaders>>() {
        Some(loader) => loader.loader().snapshot().await.api(),
        None => {
            let reads = db(ctx);
            let snapshots = &state(ctx).store.snapshots;
            snapshots.get(reads.pool(), reads.company_id()).await.api()
        }
    }
}

/// When the request came, for every field that compares with "now" (time in stage, staleness),
/// so that one answer agrees with itself.
pub fn request_time(ctx: &Context<'_>) -> chrono::DateTime<chrono::Utc> {
    // A subscription's answer computes with the moment its event is answered.
    if let Some(sharing) = ctx.data_opt::<Arc<super::sharing::Sharing>>() {
        return sharing.at();
    }
    ctx.data_opt::<RequestAuth>()
        .map_or_else(crate::service::clock::now, |auth| auth.at)
}

/// The locale whose name to show, of those `available`: the request's languages first, then the
/// caller's locale; none: the default name.
pub fn locale_for<'a>(ctx: &Context<'_>, available: &[&'a str]) -> Option<&'a str> {
    if available.is_empty() {
        return None;
    }
    let credentials = ctx.data_opt::<RequestAuth>();
    let requested = credentials.map_or(&[][..], |c| c.languages.as_slice());
    let own = credentials
        .and_then(|c| c.caller.get())
        .and_then(Option::as_ref)
        .map(|caller| caller.operator.locale.as_str());
    crate::domain::locale::choose(requested, own, available)
}

/// Where the request came from, when known.
pub fn client_address(ctx: &Context<'_>) -> Option<IpAddr> {
    ctx.data_opt::<RequestAuth>()
        .and_then(|credentials| credentials.address)
}

/// The application state.
pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// The store the write use cases run on.
pub fn store<'a>(ctx: &Context<'a>) -> &'a Store {
    &state(ctx).store
}

/// The request's reads: the database, working for the company of the request's token.
pub fn db<'a>(ctx: &Context<'a>) -> &'a Reads {
    ctx.data_opt::<Reads>()
        .unwrap_or_else(|| &state(ctx).no_company)
}

/// The database as the group's directory (companies, people, memberships), read outside any
/// company: which companies a person works for is not one company's to answer.
pub fn directory<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    state(ctx).db()
}

/// The request's data loader.
pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<Loaders> {
    ctx.data_unchecked::<DataLoader<Loaders>>()
}
