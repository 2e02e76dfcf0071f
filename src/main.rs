//! The `contactflow` binary: read the command line, run the command.

use contactflow::config::{self, Invocation};

/// Answers allocate many small values (a page of 100 makes thousands): mimalloc spends about a
/// third of the CPU the system allocator did on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match config::parse(std::env::args_os()) {
        Invocation::Run(cli) => cli,
        Invocation::BadSetting(error) => {
            eprintln!("contactflow: {error}");
            return std::process::ExitCode::FAILURE;
        }
        Invocation::Clap(error) => error.exit(),
    };
    match contactflow::app::run(*cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("contactflow: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
