//! `lookcoin-state restore BACKUP`: puts a backup made by `reconcile --apply` back where it came from.

use super::{exit, output_error};
use crate::error::ToolError;
use crate::io::backup::restore;
use crate::pipeline::migration_time;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `<out>.backup-<time>` folder.
    pub backup: PathBuf,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let done = restore(&args.backup, migration_time()?)?;
    writeln!(out, "restored {} to {}", args.backup.display(), done.restored_to.display()).map_err(output_error)?;
    if let Some(aside) = done.replaced_backup {
        writeln!(out, "what was there is now the backup {} (restore it to undo)", aside.display())
            .map_err(output_error)?;
    }
    Ok(exit::CLEAN)
}
