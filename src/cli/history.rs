//! `lookcoin-state history LEVELDB [--key K] [--recover]`: every version of every key the files still hold.

use super::{exit, output_error, Format};
use crate::error::ToolError;
use crate::pipeline::history::{history, HistoryOptions};
use crate::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The LevelDB folder (never opened in place: a private copy is read).
    pub leveldb: PathBuf,
    /// Only the versions of this key (its UTF-8 text, e.g. `56-LookCoin`).
    #[arg(long)]
    pub key: Option<String>,
    /// Also list, per live record, the fields an older version held that the live one lacks or changed.
    #[arg(long)]
    pub recover: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let options = HistoryOptions { key: args.key.as_ref().map(|k| k.as_bytes().to_vec()), recover: args.recover };
    let report = history(&args.leveldb, &options)?;
    match args.format {
        Format::Human => report::human::history(out, &report),
        Format::Json => report::json::history(out, &report),
    }
    .map_err(output_error)?;
    Ok(exit::CLEAN)
}
