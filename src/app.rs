//! Running contactflow: each command of the command line, and a server that tests can start on
//! a random port and stop.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Cli, Command, ConfigError, LogFormat, Settings};
use crate::graphql::{AppState, SchemaLimits, build_schema, sdl};
use crate::http::{
    DocumentLimits, Gate, HttpOptions, HttpState, Metrics, PersistedQueries, router,
};
use crate::reminders::ReminderEngine;
use crate::service::auth::{self, TokenKeys};
use crate::service::{ServiceError, demo};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A setting is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A use case failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The database could not be reached.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// The address could not be bound or served.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs one command of the command line.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    if let Command::Schema = cli.command {
        print!("{}", sdl());
        return Ok(());
    }
    let settings = Settings::from_args(&cli.settings)?;
    init_logging(&settings);
    match cli.command {
        Command::Schema => {}
        Command::Migrate => {
            crate::db::prepare(&settings, false).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed { contacts, .. } => {
            crate::db::prepare(&settings, false).await?;
            let db = crate::db::connect(&settings).await?;
            match contacts {
                Some(count) => seed_contacts(&db, count).await?,
                None if demo::load_if_empty(&db).await? => println!(
                    "demo data loaded: 4 operators (password \"demo\"), 7 activity types, 1 workflow, {} contacts",
                    demo::DEMO_CONTACTS
                ),
                None => println!("the database already holds operators: demo data not loaded"),
            }
        }
        Command::Token { login } => {
            crate::db::prepare(&settings, false).await?;
            let db = crate::db::connect(&settings).await?;
            let secret = auth::token_secret(&db, settings.jwt_secret.as_deref()).await?;
            let keys = TokenKeys::new(&secret, settings.token_ttl);
            println!("{}", auth::token_for_login(&db, &keys, &login).await?);
        }
        Command::Serve { demo } => {
            let server = start(settings, demo).await?;
            tracing::info!(addr = %server.addr, "contactflow listening; GraphQL at http://{}/graphql", server.addr);
            server.wait_for_shutdown_signal().await?;
        }
    }
    Ok(())
}

/// `seed --contacts N`, with a progress bar on stderr and a summary line.
async fn seed_contacts(db: &sea_orm::DatabaseConnection, count: usize) -> Result<(), AppError> {
    let bar = indicatif::ProgressBar::new(count as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} contacts ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = demo::seed_contacts(db, count, |done| bar.set_position(done as u64)).await?;
    bar.finish_and_clear();
    println!(
        "seeded {} contacts: {} rows in {:.1} s ({:.0} rows/s)",
        report.contacts,
        report.rows,
        report.seconds,
        report.rows as f64 / report.seconds.max(f64::EPSILON)
    );
    Ok(())
}

fn init_logging(settings: &Settings) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(&settings.log).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    sockets: tokio_util::sync::CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
}

/// Migrates (and loads the demo data when asked and the database is empty), binds the
/// configured address and serves in the background.
pub async fn start(settings: Settings, load_demo: bool) -> Result<Server, AppError> {
    if crate::db::prepare(&settings, load_demo).await? {
        tracing::info!(
            "demo data loaded: sign in as admin, maria, alice or bob with password \"demo\""
        );
    }
    let metrics = Arc::new(Metrics::default());
    let mut db = crate::db::connect(&settings).await?;
    let counter = metrics.clone();
    db.set_metric_callback(move |info| counter.statement_run(info.failed));
    let secret = auth::token_secret(&db, settings.jwt_secret.as_deref()).await?;
    let app = AppState {
        reminders: ReminderEngine::start(db.clone()),
        db,
        keys: TokenKeys::new(&secret, settings.token_ttl),
    };
    let limits = &settings.limits;
    let schema_limits = SchemaLimits {
        complexity: limits.max_complexity,
        introspection: settings.introspection,
        suggestions: settings.suggestions,
    };
    let schema = build_schema(Some(app.clone()), schema_limits);
    let gate = Gate::new(DocumentLimits {
        max_tokens: limits.max_tokens,
        max_depth: limits.max_depth,
        max_aliases: limits.max_aliases,
        max_directives: limits.max_directives,
        max_selections: limits.max_selections,
        cache_entries: limits.document_cache_size,
        introspection: settings.introspection,
    });
    let options = HttpOptions {
        max_body_bytes: limits.max_body_bytes,
        request_timeout: limits.request_timeout,
        allowed_origins: settings.allowed_origins.clone(),
        graphiql: settings.graphiql,
        demo: load_demo,
    };
    let listener = TcpListener::bind(settings.addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let routes = router(HttpState {
        schema,
        app,
        options: Arc::new(options),
        gate: Arc::new(gate),
        persisted: Arc::new(PersistedQueries::new(limits.persisted_queries)),
        metrics,
        shutdown: shutdown.clone(),
    });
    let task = tokio::spawn(async move {
        axum::serve(listener, routes)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Server {
        addr,
        stop: Some(stop),
        sockets: shutdown,
        task,
    })
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
