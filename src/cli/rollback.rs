//! `lookcoin-state rollback --json DIR --out LEVELDB`: our documents back to a LevelDB the deploy scripts read.

use super::{exit, output_error, Format};
use crate::error::ToolError;
use crate::pipeline::migration_time;
use crate::pipeline::rollback::{rollback, RollbackOptions};
use crate::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A folder of our JSON documents (as `migrate` wrote it, possibly edited since), or one document.
    #[arg(long)]
    pub json: PathBuf,
    /// The new LevelDB folder; must be new or empty unless --force. Never inside or a parent of --json.
    #[arg(long)]
    pub out: PathBuf,
    /// Do every check and build every entry, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace an existing --out; the current folder is kept as `<out>.backup-<time>` (see `restore`).
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let options = RollbackOptions { dry_run: args.dry_run, force: args.force, at: migration_time()? };
    let report = rollback(&args.json, &args.out, options)?;
    match args.format {
        Format::Human => report::human::rollback(out, &report),
        Format::Json => report::json::rollback(out, &report),
    }
    .map_err(output_error)?;
    Ok(exit::CLEAN)
}
