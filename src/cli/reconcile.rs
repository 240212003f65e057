//! `lookcoin-state reconcile LEFT RIGHT --authority left|right [--apply --out DIR] [--prune]`.

use super::{exit, output_error, Format, Sources};
use crate::core::reconcile::Authority;
use crate::error::ToolError;
use crate::pipeline::migration_time;
use crate::pipeline::reconcile::{reconcile, ReconcileOptions};
use crate::report::{human, json};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthorityFlag {
    Left,
    Right,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub sources: Sources,
    /// The side that is right; the other side is made to agree with it.
    #[arg(long, value_enum)]
    pub authority: AuthorityFlag,
    /// Write the reconciled state as our JSON documents to --out (after a backup of what is there).
    #[arg(long, requires = "out")]
    pub apply: bool,
    /// Where --apply writes; never one of the two inputs.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Remove records only the non-authoritative side holds (kept by default).
    #[arg(long)]
    pub prune: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let options = ReconcileOptions {
        authority: match args.authority {
            AuthorityFlag::Left => Authority::Left,
            AuthorityFlag::Right => Authority::Right,
        },
        prune: args.prune,
        apply_to: if args.apply { args.out.as_deref() } else { None },
        at: migration_time()?,
    };
    let report = reconcile(args.sources.left(), args.sources.right(), options)?;
    match args.format {
        Format::Human => human::reconcile(out, &report),
        Format::Json => json::reconcile(out, &report),
    }
    .map_err(output_error)?;
    Ok(if report.changes { exit::FINDINGS } else { exit::CLEAN })
}
