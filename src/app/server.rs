//! A running server: the schema, the operation pipeline and the routes built from the settings,
//! served in the background until it is stopped or signalled.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{AppError, migrate, token_keys};
use crate::config::{ConfigError, Settings};
use crate::events::EventHub;
use crate::events::webhooks::{DeliveryOptions, WebhookDispatcher};
use crate::graphql::{AppState, SchemaLimits, build_schema};
use crate::http::operation::{Parts, Reading};
use crate::http::{
    ConnectionLimits, DocumentLimits, Gate, HttpOptions, HttpState, Manifest, Metrics, Operations,
    PersistedQueries, router, serve,
};
use crate::reminders::ReminderEngine;
use crate::service::auth::SignInLimits;

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    sockets: tokio_util::sync::CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    /// Delivers to webhooks while the server runs.
    _webhooks: Arc<WebhookDispatcher>,
}

/// The trusted documents: those of the manifest the settings name, and the reference app's
/// while it is served.
fn trusted_documents(settings: &Settings) -> Result<Manifest, ConfigError> {
    let bad = |problem: String| ConfigError {
        variable: "CONTACTFLOW_PERSISTED_DOCUMENTS".to_owned(),
        flag: "persisted-documents".to_owned(),
        problem,
    };
    let app = if settings.app {
        Manifest::parse(crate::http::APP_DOCUMENTS)
            .map_err(|problem| bad(format!("the app's documents: {problem}")))?
    } else {
        Manifest::default()
    };
    let Some(path) = &settings.persisted_documents else {
        if settings.only_persisted_documents && !settings.app {
            return Err(ConfigError {
                variable: "CONTACTFLOW_ONLY_PERSISTED_DOCUMENTS".to_owned(),
                flag: "only-persisted-documents".to_owned(),
                problem: "true needs a manifest in CONTACTFLOW_PERSISTED_DOCUMENTS (or the app's, CONTACTFLOW_APP=true)".to_owned(),
            });
        }
        return Ok(app);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|error| bad(format!("cannot read {}: {error}", path.display())))?;
    let manifest =
        Manifest::parse(&text).map_err(|problem| bad(format!("{}: {problem}", path.display())))?;
    tracing::info!(
        documents = manifest.len(),
        only = settings.only_persisted_documents,
        "trusted documents loaded from {}",
        path.display()
    );
    Ok(manifest.with(app))
}

/// The operation pipeline the settings ask for.
fn operations(
    settings: &Settings,
    (app, queries_db): (&AppState, sea_orm::DatabaseConnection),
    metrics: &Arc<Metrics>,
    trusted: Manifest,
) -> Operations {
    let limits = &settings.limits;
    let schema_limits = SchemaLimits {
        complexity: limits.max_complexity,
        introspection: settings.introspection,
        suggestions: settings.suggestions,
    };
    let gate = Gate::new(DocumentLimits {
        max_tokens: limits.max_tokens,
        max_depth: limits.max_depth,
        max_aliases: limits.max_aliases,
        max_directives: limits.max_directives,
        max_selections: limits.max_selections,
        cache_entries: limits.document_cache_size,
        introspection: settings.introspection,
    });
    Operations::new(Parts {
        schema: build_schema(Some(app.clone()), schema_limits),
        gate,
        persisted: PersistedQueries::new(limits.persisted_queries)
            .trusting(trusted, settings.only_persisted_documents),
        reading: Reading {
            db: app.db().clone(),
            queries_db,
            keys: app.keys.clone(),
            company_filter: settings.company_filter,
            snapshots: app.store.snapshots.clone(),
        },
        metrics: metrics.clone(),
        timeout: limits.request_timeout,
    })
}

/// Migrates (and loads the demo data when asked and the database is empty), binds the
/// configured address and serves in the background.
pub async fn start(settings: Settings, load_demo: bool) -> Result<Server, AppError> {
    // HTTPS (webhook deliveries) through rustls with ring, the provider the database driver
    // brings too; reqwest is built without one of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusted = trusted_documents(&settings)?;
    if migrate(&settings, load_demo).await? {
        tracing::info!(
            "demo data loaded: sign in as admin, maria, alice, bob (ACME) or carla (GLOBEX) with password \"demo\""
        );
    }
    let metrics = Arc::new(Metrics::default());
    let counted = |mut db: sea_orm::DatabaseConnection| {
        let counter = metrics.clone();
        db.set_metric_callback(move |info| counter.statement_run(&info.statement.sql, info.failed));
        db
    };
    let db = counted(crate::db::connect_serving(&settings).await?);
    let background = async |connections| {
        crate::db::connect_background(&settings, &db, connections)
            .await
            .map(counted)
    };
    let keys = token_keys(&db, &settings).await?;
    let sign_ins = SignInLimits::allowing(
        settings.limits.sign_in_failures_per_login,
        settings.limits.sign_in_failures_per_address,
    );
    let queries_db = background(crate::db::query_connections(&settings)).await?;
    let events = EventHub::start(background(crate::db::EVENT_FEED_CONNECTIONS).await?);
    let deliveries_db = background(crate::db::WEBHOOK_CONNECTIONS).await?;
    let reminders = ReminderEngine::start(db.clone(), events.clone());
    let mut app = AppState::new(db, keys, sign_ins, (reminders, events));
    app.store.company_filter = settings.company_filter;
    app.webhook_allow_private = settings.webhook_allow_private;
    let delivery = DeliveryOptions {
        allow_private: settings.webhook_allow_private,
        timeout: settings.webhook_timeout,
        first_retry: settings.webhook_first_retry,
    };
    let mut deliveries = app.store.clone();
    deliveries.db = deliveries_db;
    let dispatcher = WebhookDispatcher::start(deliveries, delivery);
    app.events.deliver_to_webhooks(&dispatcher);
    app.store
        .snapshots
        .set_company_filter(settings.company_filter);
    let options = HttpOptions {
        max_body_bytes: settings.limits.max_body_bytes,
        allowed_origins: settings.allowed_origins.0.clone(),
        graphiql: settings.graphiql,
        app: settings.app,
        demo: load_demo,
        max_subscriptions_per_socket: settings.limits.max_subscriptions_per_socket,
    };
    raise_file_limit(&settings);
    let listener = TcpListener::bind(settings.addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let routes = router(HttpState {
        operations: Arc::new(operations(&settings, (&app, queries_db), &metrics, trusted)),
        app,
        options: Arc::new(options),
        metrics,
        shutdown: shutdown.clone(),
    });
    let limits = ConnectionLimits {
        header_read_timeout: settings.limits.header_read_timeout,
        max_connections: settings.limits.max_connections,
    };
    let task = tokio::spawn(serve(listener, routes, limits, async move {
        let _ = stopped.await;
    }));
    Ok(Server {
        addr,
        stop: Some(stop),
        sockets: shutdown,
        task,
        _webhooks: dispatcher,
    })
}

/// Lets the process open as many files (sockets) as the system allows it, not the soft limit
/// a shell starts with (often 1,024): every connection is a descriptor.
/// Raises the open files limit to what the system allows, and warns when that is too low for
/// the connection cap (past it, accepting backs off until descriptors are free).
fn raise_file_limit(settings: &Settings) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            // Descriptors besides the clients': the database pool, the listener, the runtime.
            let others = 3 * u64::from(settings.db_max_connections)
                + u64::from(crate::db::EVENT_FEED_CONNECTIONS + crate::db::WEBHOOK_CONNECTIONS)
                + u64::from(crate::db::query_connections(settings))
                + 32;
            let wanted = settings.limits.max_connections as u64 + others;
            if limit < wanted {
                tracing::warn!(
                    limit,
                    max_connections = settings.limits.max_connections,
                    "the open files limit is below CONTACTFLOW_MAX_CONNECTIONS and what the server needs besides; raise it (ulimit -n) or lower the cap"
                );
            } else {
                tracing::debug!(limit, "open files allowed");
            }
        }
        Err(error) => tracing::warn!(%error, "cannot raise the open files limit"),
    }
}

impl Server {
    /// Stops accepting, finishes in-flight requests and returns.
    pub async fn stop(mut self) -> Result<(), AppError> {
        self.sockets.cancel();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .map_err(|error| std::io::Error::other(error.to_string()))??;
        Ok(())
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn wait_for_shutdown_signal(self) -> Result<(), AppError> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
