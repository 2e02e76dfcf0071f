//! The `contactflow` binary: parse the command line, run the command.

use clap::Parser;
use contactflow::config::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match contactflow::app::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("contactflow: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
