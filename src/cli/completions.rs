//! `lookcoin-state completions bash|zsh|fish` and `lookcoin-state man`: a shell completion script and the man
//! page, both generated from the clap definition of the command line.

use super::{exit, output_error, Cli};
use crate::error::ToolError;
use clap::CommandFactory;
use std::io::Write;

/// The shells a completion script is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete in (e.g. `lookcoin-state completions bash > /etc/bash_completion.d/lookcoin-state`).
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    // clap_complete writes with `write_all` and panics on an error; the script is built in memory first so a
    // closed or full standard output is an error of the tool like any other.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "lookcoin-state", &mut script);
    out.write_all(&script).map_err(output_error)?;
    Ok(exit::CLEAN)
}

/// `lookcoin-state man`: the man page (roff) on stdout, e.g. `lookcoin-state man > lookcoin-state.1`.
pub fn man(out: &mut dyn Write) -> Result<u8, ToolError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page).map_err(output_error)?;
    out.write_all(&page).map_err(output_error)?;
    Ok(exit::CLEAN)
}
