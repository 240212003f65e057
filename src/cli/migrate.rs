//! `lookcoin-state migrate --leveldb DIR --out DIR`: LevelDB -> enhanced JSON v2.0.0, checked before it is written.

use super::progress::Steps;
use super::{exit, output_error, Format};
use crate::core::document::SourceInfo;
use crate::core::history::{bring_into, live_entries, Recovery};
use crate::core::migrate::{migrate_parsed, MigrationContext};
use crate::core::network::NetworkTable;
use crate::core::output::{render_migration, OutputFile};
use crate::core::primitives::TimestampMs;
use crate::core::record::SourceEntries;
use crate::core::summary::{summarize, MigrationSummary};
use crate::error::{ErrorCode, ToolError};
use crate::io::atomic::write_output;
use crate::io::leveldb::read_leveldb;
use crate::parallel;
use crate::pipeline::history::{history, HistoryOptions};
use crate::report::{self, MigrateReport, WrittenFile};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// Replace the files of a non-empty output folder.
    #[arg(long)]
    pub force: bool,
    /// Also bring into each record the fields older versions still in the LevelDB's files held that the live
    /// version lacks (see `history --recover`), under `recovered`, each with its version's sequence number.
    #[arg(long)]
    pub recover_fields: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The migration time: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible output; else the clock.
pub fn migration_time() -> Result<TimestampMs, ToolError> {
    if let Ok(text) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: u64 = text.trim().parse().map_err(|_| {
            ToolError::new(ErrorCode::Migration001, "SOURCE_DATE_EPOCH", format!("`{text}` is not a number of seconds"))
                .with_hint("unset it, or set it to whole seconds since 1970")
        })?;
        let at = TimestampMs(secs.saturating_mul(1000));
        if at > TimestampMs::MAX_RFC3339 {
            return Err(ToolError::new(
                ErrorCode::Migration001,
                "SOURCE_DATE_EPOCH",
                format!("{secs} is after year 9999"),
            )
            .with_hint("set it to whole seconds since 1970 before year 10000"));
        }
        return Ok(at);
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok(TimestampMs(now.as_millis() as u64))
}

/// Migrates entries and renders the files, then proves the files before anyone writes them: each parses,
/// validates against the schema, and the set reads back to exactly the source entries. Returns what the
/// migration found and the files; each intermediate structure is dropped as soon as it has served, which keeps
/// the peak memory (and the page faults that fill it) down.
pub fn migrate_to_files(
    entries: &SourceEntries,
    label: &str,
    at: TimestampMs,
) -> Result<(MigrationSummary, Vec<OutputFile>), ToolError> {
    migrate_to_files_recovering(entries, label, at, &[])
}

/// [`migrate_to_files`], bringing `recovered` fields (from `history --recover`) into the documents.
pub fn migrate_to_files_recovering(
    entries: &SourceEntries,
    label: &str,
    at: TimestampMs,
    recovered: &[Recovery],
) -> Result<(MigrationSummary, Vec<OutputFile>), ToolError> {
    let table = NetworkTable::builtin();
    let ctx = MigrationContext {
        networks: &table,
        source: SourceInfo { kind: "leveldb".into(), label: label.to_string() },
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        migrated_at: at,
    };
    let parsed = parallel::parse_entries(entries);
    let mut migration = migrate_parsed(entries, &parsed, &ctx);
    if !recovered.is_empty() {
        bring_into(&mut migration, recovered);
    }
    let (summary, files) = parallel::join(|| summarize(&migration, &table), || render_migration(&migration));
    parallel::drop_in_background(migration);
    crate::proof::prove_files(&parsed, &files)?;
    parallel::drop_in_background(parsed);
    Ok((summary, files))
}

pub fn run(args: &Args, out: &mut dyn Write, _err: &mut dyn Write) -> Result<u8, ToolError> {
    let steps = Steps::start("migrate");
    steps.step("copying, verifying and reading the LevelDB");
    let read = read_leveldb(&args.leveldb)?;
    let at = migration_time()?;
    steps.step("migrating, validating and reading back the documents");
    let recovered = if args.recover_fields {
        steps.step("reading every version the LevelDB's files still hold");
        let options = HistoryOptions { key: None, recover: true };
        let found = history(&args.leveldb, &options)?;
        // Two private copies were read: they must show the same live records (a writer may have come between).
        if live_entries(&found.versions) != read.entries {
            return Err(ToolError::new(
                ErrorCode::LevelDb002,
                args.leveldb.display().to_string(),
                "the live records of the table and log files differ from what the LevelDB reader returned",
            )
            .with_hint("another process may have written to the folder between the two reads; run again"));
        }
        found.recovered.unwrap_or_default()
    } else {
        Vec::new()
    };
    let (summary, files) = migrate_to_files_recovering(&read.entries, &read.label, at, &recovered)?;
    parallel::drop_in_background(read.entries);
    if !args.dry_run {
        steps.step("writing");
        write_output(&args.out, &files, args.force)?;
    }
    drop(steps);
    let report = MigrateReport {
        source: shown(&args.leveldb),
        out: shown(&args.out),
        dry_run: args.dry_run,
        files_verified: read.files_verified,
        summary,
        files: files
            .iter()
            .map(|f| WrittenFile { name: f.name.clone(), bytes: f.bytes.len() as u64, sha256: f.sha256.clone() })
            .collect(),
    };
    match args.format {
        Format::Human => report::human::migrate(out, &report),
        Format::Json => report::json::migrate(out, &report),
    }
    .map_err(output_error)?;
    Ok(if report.summary.has_findings() { exit::FINDINGS } else { exit::CLEAN })
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
