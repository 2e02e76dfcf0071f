//! Webhook delivery. A background task per instance takes up each active webhook's new events
//! as PENDING deliveries (in the order of the feed) and delivers each webhook's deliveries one
//! at a time, in order: an instance delivers to a webhook only while it holds the webhook's
//! lease in the database, so at most one delivery is in flight per webhook across all
//! instances; a lease left by an instance that died runs out and another takes over (the
//! delivery it was making is made again: at least once). A delivery is a POST of its
//! CloudEvents body, signed, answered within 10 s (the default) or retried with backoff for a
//! day. Saves
//! never wait for any of it: a slow or dead receiver holds up only its own webhook.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Utc;
use tokio::sync::{Notify, Semaphore};

use crate::domain::webhook::{check_target, reachable, signature};
use crate::entity::{webhook, webhook_delivery};
use crate::service::company::Reads;
use crate::service::webhooks::{self, Attempt};
use crate::service::{ServiceResult, Store, companies, events};

/// A pass runs at least this often, and at most this often when woken.
const PASS_EVERY: Duration = Duration::from_secs(1);
const PASS_GAP: Duration = Duration::from_millis(50);
/// How much longer than an attempt may take a lease lasts.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Deliveries in flight on one instance at most.
const IN_FLIGHT_MAX: usize = 32;

/// How deliveries are made (from the settings).
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    /// Whether private, loopback and link-local targets are allowed.
    pub allow_private: bool,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// The wait before a failed delivery's first retry.
    pub first_retry: Duration,
}

/// The running dispatcher.
pub struct WebhookDispatcher {
    store: Store,
    client: reqwest::Client,
    options: DeliveryOptions,
    /// This instance's name in the leases it takes.
    owner: String,
    wake: Notify,
    in_flight: Mutex<HashSet<i64>>,
    slots: Arc<Semaphore>,
}

/// Resolves a host only to the addresses deliveries may go to: a host name that resolves to a
/// private address now (DNS rebinding) is refused at connection time, not only when saved.
struct Guarded {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| reachable(address.ip(), allow_private))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no address deliveries may go to").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl WebhookDispatcher {
    /// Starts delivering in the background.
    pub fn start(store: Store, options: DeliveryOptions) -> Arc<Self> {
        let allow_private = options.allow_private;
        // HTTPS through rustls with ring, the provider the database driver brings too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("contactflow-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Guarded { allow_private })
            .build()
            .unwrap_or_else(|error| {
                tracing::error!(%error, "webhook client cannot be built; using the default");
                reqwest::Client::new()
            });
        let mut bytes = [0u8; 8];
        OsRng.fill_bytes(&mut bytes);
        let dispatcher = Arc::new(Self {
            store,
            client,
            options,
            owner: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            wake: Notify::new(),
            in_flight: Mutex::default(),
            slots: Arc::new(Semaphore::new(IN_FLIGHT_MAX)),
        });
        tokio::spawn(run(Arc::downgrade(&dispatcher)));
        dispatcher
    }

    /// New events committed: a pass soon.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One pass over every company: take up new events, start the deliveries that are due.
    async fn pass(self: &Arc<Self>) -> ServiceResult<()> {
        let db = &self.store.db;
        for company_id in companies::all_ids(db).await? {
            let reads = Reads::per_statement(db.clone(), company_id);
            let hooks = webhooks::active(&reads).await?;
            if hooks.is_empty() {
                continue;
            }
            while events::sequence(db, company_id).await? == events::Sequenced::More {}
            for hook in &hooks {
                webhooks::take_up(&self.store, company_id, hook.id).await?;
            }
            for webhook_id in webhooks::due(&reads, Utc::now()).await? {
                self.start_delivering(company_id, webhook_id);
            }
        }
        Ok(())
    }

    /// Delivers to one webhook in the background, unless this instance already does.
    fn start_delivering(self: &Arc<Self>, company_id: i64, webhook_id: i64) {
        let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
            return;
        };
        if !self.in_flight().insert(webhook_id) {
            return;
        }
        let dispatcher = Arc::clone(self);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(error) = dispatcher.deliver_all(company_id, webhook_id).await {
                tracing::warn!(%error, webhook_id, "webhook delivery interrupted; retrying later");
            }
            dispatcher.in_flight().remove(&webhook_id);
        });
    }

    /// Makes the webhook's due deliveries, in order, while it holds the lease.
    async fn deliver_all(&self, company_id: i64, webhook_id: i64) -> ServiceResult<()> {
        let reads = Reads::per_statement(self.store.db.clone(), company_id);
        loop {
            let now = Utc::now();
            let lease = self.options.timeout + LEASE_MARGIN;
            let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
            let leased = webhooks::lease(
                &self.store,
                company_id,
                webhook_id,
                &self.owner,
                (now, until),
            )
            .await?;
            if !leased {
                return Ok(());
            }
            let next = webhooks::next_delivery(&reads, webhook_id).await?;
            let due = next
                .as_ref()
                .is_some_and(|(_, d)| d.next_attempt_at.is_none_or(|at| at <= now));
            let Some((hook, delivery)) = next.filter(|_| due) else {
                return webhooks::release(&self.store, company_id, webhook_id, &self.owner).await;
            };
            let attempt = self.attempt(&hook, &delivery).await;
            let first_retry = chrono::Duration::from_std(self.options.first_retry)
                .unwrap_or_else(|_| chrono::Duration::seconds(10));
            webhooks::record(&self.store, &delivery, attempt, first_retry).await?;
            if !attempt.delivered() {
                return webhooks::release(&self.store, company_id, webhook_id, &self.owner).await;
            }
        }
    }

    /// POSTs one delivery.
    async fn attempt(&self, hook: &webhook::Model, delivery: &webhook_delivery::Model) -> Attempt {
        let at = Utc::now();
        if check_target(&hook.url, self.options.allow_private).is_err() {
            return Attempt { status: None, at };
        }
        let signed = signature(&hook.secret, at.timestamp(), &delivery.body);
        let sent = self
            .client
            .post(&hook.url)
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .header("contactflow-signature", signed)
            .body(delivery.body.clone())
            .send()
            .await;
        let status = match sent {
            Ok(response) => Some(response.status().as_u16()),
            Err(error) => {
                tracing::info!(%error, webhook_id = hook.id, "webhook receiver did not answer");
                None
            }
        };
        Attempt { status, at }
    }
}

/// Passes until the dispatcher is dropped.
async fn run(dispatcher: std::sync::Weak<WebhookDispatcher>) {
    loop {
        let Some(this) = dispatcher.upgrade() else {
            return;
        };
        if let Err(error) = this.pass().await {
            tracing::warn!(%error, "webhook pass failed; retrying");
        }
        tokio::time::sleep(PASS_GAP).await;
        let _ = tokio::time::timeout(PASS_EVERY, this.wake.notified()).await;
    }
}
