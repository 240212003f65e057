//! The `lookcoin-state` binary: parse the command line, run it, exit with its code.

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = lookcoin_state::cli::Cli::parse();
    // stderr is not locked for the whole run: the progress spinner draws on it from its own thread, and a lock
    // held here would make that thread, and the command waiting for it, wait forever at a terminal.
    let code = lookcoin_state::cli::run(cli, &mut std::io::stdout().lock(), &mut std::io::stderr());
    ExitCode::from(code)
}
