//! `lookcoin-state migrate --leveldb DIR --out DIR`: LevelDB -> enhanced JSON v2.0.0, checked before it is written.

use super::progress::Steps;
use super::{annotate, exit, output_error, Format};
use crate::error::ToolError;
use crate::pipeline::migrate::{migrate, MigrateOptions};
use crate::pipeline::migration_time;
use crate::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The LevelDB folder to migrate (never opened in place: a private copy is read).
    #[arg(long)]
    pub leveldb: PathBuf,
    /// The folder to write the documents to; must be new or empty unless --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Do everything but write.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace a non-empty output folder as a whole; its previous contents are kept as `<out>.backup-<time>`.
    #[arg(long)]
    pub force: bool,
    /// Also bring into each record the fields older versions still in the LevelDB's files held that the live
    /// version lacks (see `history --recover`), under `recovered`, each with its version's sequence number.
    #[arg(long)]
    pub recover_fields: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let options = MigrateOptions {
        leveldb: &args.leveldb,
        out: &args.out,
        dry_run: args.dry_run,
        force: args.force,
        recover_fields: args.recover_fields,
        at: migration_time()?,
        tool_version: crate::VERSION,
    };
    let steps = Steps::start("migrate");
    let report = migrate(&options, |message| steps.step(message));
    drop(steps);
    let report = report?;
    match args.format {
        Format::Human => report::human::migrate(out, &report),
        Format::Json => report::json::migrate(out, &report),
    }
    .map_err(output_error)?;
    annotate(err, "migrate", report.summary.annotations())?;
    Ok(if report.summary.has_findings() { exit::FINDINGS } else { exit::CLEAN })
}
