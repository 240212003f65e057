//! The `lookcoin-state` binary: parse the command line, run it, exit with its code.

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = lookcoin_state::cli::Cli::parse();
    let code = lookcoin_state::cli::run(cli, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    ExitCode::from(code)
}
