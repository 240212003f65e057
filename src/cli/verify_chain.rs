//! `lookcoin-state verify-chain SOURCE`: proves the records match the live contracts (EIP-1967 slot, code,
//! normalised code hash, proxiableUUID), every network at one pinned block, all networks concurrently.

use super::{annotate, exit, output_error, ChainArgs, Format, FormatFlag};
use crate::core::onchain::verify::Verdict;
use crate::error::ToolError;
use crate::io::atomic::write_report_file;
use crate::io::paths::refuse_overlap;
use crate::pipeline::verify::verify;
use crate::report::{human, json, junit};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The records to verify: a LevelDB folder or our JSON (any format the tool reads).
    pub source: PathBuf,
    /// Read SOURCE in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub source_format: Option<FormatFlag>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Also write a JUnit XML report (one test case per record, one failure per finding).
    #[arg(long)]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    if let Some(path) = &args.junit {
        let inputs: Vec<&Path> =
            [Some(args.source.as_path()), args.chain.networks.as_deref(), args.chain.artifacts.as_deref()]
                .into_iter()
                .flatten()
                .collect();
        refuse_overlap("--junit", path, &inputs)?;
    }
    let report = verify(&args.source, args.source_format.map(FormatFlag::format), &args.chain.options())?;
    if let Some(path) = &args.junit {
        write_report_file(path, junit::verify_xml(&report).as_bytes())?;
    }
    match args.format {
        Format::Human => human::verify(out, &report),
        Format::Json => json::verify(out, &report),
    }
    .map_err(output_error)?;
    annotate(err, "verify-chain", report.annotations())?;
    Ok(match report.verdict {
        Verdict::Drift => exit::FINDINGS,
        Verdict::Unverifiable => exit::INCOMPLETE,
        Verdict::Partial | Verdict::Verified => exit::CLEAN,
    })
}
