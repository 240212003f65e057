//! `lookcoin-state demo`: the whole job, end to end, on local chains it starts itself (see `pipeline::demo`).
//! Steps go to stderr, the two verification reports to stdout; exit 0 only when everything behaved as expected.

use super::exit;
use crate::error::ToolError;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the demo's LevelDB and JSON output in this (new or empty) folder instead of a temporary one.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    crate::pipeline::demo::run(args.out.as_deref(), out, err)?;
    Ok(exit::CLEAN)
}
