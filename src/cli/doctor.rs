//! `lookcoin-state doctor`: health checks of the inputs, the output folder and the endpoints, and with
//! `--bundle` a tar.gz of the diagnostics (every URL redacted) to attach to an escalation.

use super::{exit, output_error, Format};
use crate::core::reports::doctor::Health;
use crate::error::ToolError;
use crate::io::bundle::write_bundle;
use crate::io::paths::refuse_overlap;
use crate::pipeline::doctor::{check_out, doctor, scrub_all, DoctorOptions};
use crate::pipeline::migration_time;
use crate::report::{human, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A LevelDB folder: readable, checksums, lock holder.
    #[arg(long)]
    pub leveldb: Option<PathBuf>,
    /// A folder of our JSON: valid, manifest fresh.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// A networks file: each endpoint's chain id, head block, latency, batches, older state.
    #[arg(long)]
    pub networks: Option<PathBuf>,
    /// The folder migrations will write to: free space, writable.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a tar.gz of the diagnostics here (the report and the environment; URLs redacted).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Seconds before one probe request is abandoned, 1 to 3600.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    if let Some(path) = &args.bundle {
        let inputs: Vec<&Path> =
            [&args.leveldb, &args.json, &args.networks].into_iter().filter_map(|p| p.as_deref()).collect();
        refuse_overlap("--bundle", path, &inputs)?;
    }
    if let Some(dir) = &args.out {
        check_out(dir)?;
    }
    let options = DoctorOptions {
        leveldb: args.leveldb.clone(),
        json: args.json.clone(),
        networks: args.networks.clone(),
        out: args.out.clone(),
        timeout: Duration::from_secs(args.timeout),
    };
    let (report, endpoints) = doctor(&options)?;
    if let Some(path) = &args.bundle {
        let report_json = serde_json::to_string_pretty(&json::doctor_value(&report)).unwrap_or_default();
        let environment: String = report.environment.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let files = vec![
            ("doctor.json".to_string(), scrub_all(&report_json, &endpoints).into_bytes()),
            ("environment.txt".to_string(), scrub_all(&environment, &endpoints).into_bytes()),
        ];
        write_bundle(path, &files, migration_time()?.0 / 1000)?;
    }
    match args.format {
        Format::Human => human::doctor(out, &report),
        Format::Json => json::doctor(out, &report),
    }
    .map_err(output_error)?;
    Ok(if report.worst() == Health::Fail { exit::FINDINGS } else { exit::CLEAN })
}
