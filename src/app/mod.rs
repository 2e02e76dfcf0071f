//! Running contactflow: each command of the command line, and a server that tests can start on
//! a random port and stop ([`server`]).

mod server;

use sea_orm::DatabaseConnection;

pub use server::{Server, start};

use crate::config::{Cli, Command, ConfigError, LogFormat, Secret, Settings};
use crate::graphql::sdl;
use crate::service::ServiceError;
use crate::service::auth::{self, TokenKeys};

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
    /// A command that only reads found no database ready to read.
    #[error(transparent)]
    NotReady(#[from] crate::db::NotReady),
    /// The address could not be bound or served.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs one command of the command line.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    let settings = cli.settings;
    if let Command::Schema = cli.command {
        print!("{}", sdl());
        return Ok(());
    }
    init_logging(&settings);
    match cli.command {
        Command::Schema => {}
        Command::Migrate => {
            migrate(&settings, false).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed { contacts, .. } => {
            migrate(&settings, false).await?;
            let db = crate::db::connect(&settings).await?;
            match contacts {
                Some(count) => seed_contacts(&db, count).await?,
                None if crate::seed::load_if_empty(&db).await? => println!(
                    "demo data loaded: companies ACME ({} contacts) and GLOBEX ({} contacts), 5 operators (password \"demo\")",
                    crate::seed::DEMO_CONTACTS,
                    crate::seed::GLOBEX_CONTACTS
                ),
                None => println!("the database already holds operators: demo data not loaded"),
            }
        }
        Command::Token { login, company } => {
            let db = crate::db::connect_existing(&settings).await?;
            let keys = token_keys(&db, &settings).await?;
            let token = auth::token_for_login(&db, &keys, &login, company.as_deref()).await?;
            println!("{token}");
        }
        Command::Serve { demo } => {
            let server = start(settings, demo).await?;
            tracing::info!(addr = %server.addr, "contactflow listening; GraphQL at http://{}/graphql", server.addr);
            server.wait_for_shutdown_signal().await?;
        }
    }
    Ok(())
}

/// Applies the migrations and, when `load_demo` is set, loads the demo data into a database
/// without operators; whether it loaded them.
pub async fn migrate(settings: &Settings, load_demo: bool) -> Result<bool, AppError> {
    Ok(crate::db::prepare(settings, async |db| {
        if load_demo {
            crate::seed::load_if_empty(db).await
        } else {
            Ok::<_, ServiceError>(false)
        }
    })
    .await?)
}

/// The keys that sign and check tokens, with the configured secret or the stored one.
async fn token_keys(db: &DatabaseConnection, settings: &Settings) -> Result<TokenKeys, AppError> {
    let configured = settings.jwt_secret.as_ref().map(Secret::expose);
    let secret = auth::token_secret(db, configured).await?;
    Ok(TokenKeys::new(&secret, settings.token_ttl).refreshing_for(settings.refresh_token_ttl))
}

/// `seed --contacts N`, with a progress bar on stderr and a summary line.
async fn seed_contacts(db: &DatabaseConnection, count: usize) -> Result<(), AppError> {
    let bar = indicatif::ProgressBar::new(count as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} contacts ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report =
        crate::seed::seed_contacts(db, count, |done| bar.set_position(done as u64)).await?;
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
    // Colours only for a person at a terminal: a log file or collector gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
