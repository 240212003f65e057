//! `lookcoin-state preflight --leveldb DIR --json DIR`: the pre-cutover and CI gate, every check in one report
//! with one verdict (go 0, no-go 1, incomplete 3).

use super::{annotate, exit, github_step_summary, in_github_actions, output_error, ChainArgs};
use crate::core::reports::preflight::GateVerdict;
use crate::error::ToolError;
use crate::io::atomic::{append_report_file, write_report_file};
use crate::io::paths::refuse_overlap;
use crate::pipeline::migration_time;
use crate::pipeline::preflight::{preflight, PreflightOptions};
use crate::report::{human, json, junit, markdown};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `--format` of `preflight`: also Markdown, for pull request comments and job summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum GateFormat {
    #[default]
    Human,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The LevelDB folder the deploy scripts write.
    #[arg(long)]
    pub leveldb: PathBuf,
    /// The folder of our JSON documents that should hold the same records.
    #[arg(long)]
    pub json: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: GateFormat,
    /// Also write a JUnit XML report (one test case per step).
    #[arg(long)]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let inputs: Vec<&Path> = [
        Some(args.leveldb.as_path()),
        Some(args.json.as_path()),
        args.chain.networks.as_deref(),
        args.chain.artifacts.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(path) = &args.junit {
        refuse_overlap("--junit", path, &inputs)?;
    }
    let summary = if in_github_actions() { github_step_summary() } else { None };
    if let Some(path) = &summary {
        refuse_overlap("GITHUB_STEP_SUMMARY", path, &inputs)?;
    }
    let options = PreflightOptions {
        leveldb: &args.leveldb,
        json: &args.json,
        verify: args.chain.options(),
        at: migration_time()?,
    };
    let report = preflight(&options)?;
    if let Some(path) = &args.junit {
        write_report_file(path, junit::preflight_xml(&report).as_bytes())?;
    }
    match args.format {
        GateFormat::Human => human::preflight(out, &report),
        GateFormat::Json => json::preflight(out, &report),
        GateFormat::Markdown => markdown::preflight(out, &report),
    }
    .map_err(output_error)?;
    annotate(err, "preflight", report.annotations())?;
    if let Some(path) = &summary {
        let mut text = Vec::new();
        markdown::preflight(&mut text, &report).map_err(output_error)?;
        text.push(b'\n');
        append_report_file(path, &text)?;
    }
    Ok(match report.verdict {
        GateVerdict::Go => exit::CLEAN,
        GateVerdict::NoGo => exit::FINDINGS,
        GateVerdict::Incomplete => exit::INCOMPLETE,
    })
}
