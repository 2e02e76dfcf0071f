//! Settings from command-line flags and environment variables, each declared once in
//! [`Settings`] or [`LimitSettings`] with its type, variable and default. A bad setting stops
//! the program with a message that names it (both the variable and the flag).

mod error;
mod limits;
mod settings;
mod values;

use clap::{Parser, Subcommand};

pub use error::{ConfigError, Invocation, parse};
pub use limits::LimitSettings;
pub use settings::Settings;
pub use values::{DatabaseUrl, LogFormat, Origins, Secret};

/// The `contactflow` command line.
#[derive(Debug, Parser)]
#[command(
    name = "contactflow",
    version,
    about = "GraphQL server for CRM contact workflows"
)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of `contactflow`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve the API.
    Serve {
        /// Load the demo data first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply migrations and exit.
    Migrate,
    /// Load data into the database: the demo, or generated contacts for load tests.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["demo", "contacts"])))]
    Seed {
        /// Load the demo data (operators, activity types, the CRM workflow, contacts).
        #[arg(long)]
        demo: bool,
        /// Generate this many contacts in bulk (each with a legal stage history, about five
        /// activities and an open pending activity), after the demo configuration.
        #[arg(long, value_name = "N")]
        contacts: Option<usize>,
    },
    /// Print a bearer token for an operator.
    Token {
        /// The operator's login.
        login: String,
        /// The code of the company the token works for; default: the operator's first by code.
        #[arg(long, value_name = "CODE")]
        company: Option<String>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

impl Settings {
    /// The settings given by the environment alone (no flag), every other one its default;
    /// exits like the program does when a variable is bad.
    pub fn from_env() -> Self {
        Cli::parse_from(["contactflow", "schema"]).settings
    }
}
