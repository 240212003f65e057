//! `migrate`'s steps: read the LevelDB (private copy, checksums), migrate on every core, prove the files, write
//! them. Reads the source folder; writes only the output folder.

use super::history::{history, HistoryOptions};
use super::{parallel, proof};
use crate::core::document::SourceInfo;
use crate::core::history::{bring_into, live_entries, Recovery};
use crate::core::migrate::{migrate_parsed, source_digest, MigrationContext};
use crate::core::network::NetworkTable;
use crate::core::output::{render_migration, OutputFile};
use crate::core::primitives::TimestampMs;
use crate::core::record::SourceEntries;
use crate::core::reports::migrate::{MigrateReport, WrittenFile};
use crate::core::summary::{summarize, MigrationSummary};
use crate::error::{ErrorKind, ToolError};
use crate::io::atomic::{refuse_non_empty, write_output};
use crate::io::backup::{clear_leftovers, lock_out, replace_with_backup};
use crate::io::leveldb::read_leveldb;
use crate::io::paths::refuse_overlap;
use std::path::{Path, PathBuf};

/// What to migrate, where to, and how.
#[derive(Debug, Clone)]
pub struct MigrateOptions<'a> {
    pub leveldb: &'a Path,
    pub out: &'a Path,
    pub dry_run: bool,
    pub force: bool,
    /// Bring the fields older versions held that the live record lacks into the documents (`recovered`).
    pub recover_fields: bool,
    pub at: TimestampMs,
    /// What the documents record as `toolVersion`: [`crate::VERSION`] for a real run.
    pub tool_version: &'a str,
}

/// Migrates entries and renders the files, then proves the files before anyone writes them: each parses,
/// validates against the schema, and the set reads back to exactly the source entries. Returns what the
/// migration found and the files; each intermediate structure is dropped as soon as it has served, which keeps
/// the peak memory (and the page faults that fill it) down.
pub fn migrate_to_files(
    entries: &SourceEntries,
    label: &str,
    at: TimestampMs,
    tool_version: &str,
) -> Result<(MigrationSummary, Vec<OutputFile>), ToolError> {
    migrate_to_files_recovering(entries, label, at, tool_version, &[])
}

/// [`migrate_to_files`], bringing `recovered` fields (from `history --recover`) into the documents. They are not
/// part of the records, so the proof (the files read back to exactly the source entries) is unchanged.
pub fn migrate_to_files_recovering(
    entries: &SourceEntries,
    label: &str,
    at: TimestampMs,
    tool_version: &str,
    recovered: &[Recovery],
) -> Result<(MigrationSummary, Vec<OutputFile>), ToolError> {
    let table = NetworkTable::builtin();
    let ctx = MigrationContext {
        networks: &table,
        source: SourceInfo { kind: "leveldb".into(), label: label.to_string() },
        tool_version: tool_version.to_string(),
        migrated_at: at,
    };
    let parsed = parallel::parse_entries(entries);
    // The digest of the whole source (46 MB at 100,000 records) is hashed on a second core while the documents
    // are assembled. (A thread per chain document was tried and measured slower: copying records is bound by
    // memory, not by a core.)
    let (digest, migration) = parallel::join(|| source_digest(entries), || migrate_parsed(entries, &parsed, &ctx));
    let mut migration = migration.with_source_digest(digest);
    if !recovered.is_empty() {
        bring_into(&mut migration, recovered);
    }
    let (summary, files) = parallel::join(|| summarize(&migration, &table), || render_migration(&migration));
    parallel::drop_in_background(migration);
    proof::prove_files(&parsed, &files)?;
    parallel::drop_in_background(parsed);
    Ok((summary, files))
}

/// Writes the files to `--out`: into a new or empty folder; with `--force`, as a set in place of what is there,
/// which is kept as a backup (returned). Whatever a killed earlier run left beside `--out` is cleared first.
fn write(options: &MigrateOptions<'_>, files: &[OutputFile]) -> Result<Option<PathBuf>, ToolError> {
    if options.force {
        return replace_with_backup(options.out, files, options.at, &[options.leveldb]);
    }
    refuse_non_empty(options.out)?;
    let _lock = lock_out(options.out)?;
    clear_leftovers(options.out, options.at, &[options.leveldb])?;
    write_output(options.out, files)?;
    Ok(None)
}

/// The whole `migrate` command: read, migrate, prove, write (unless a dry run).
pub fn migrate(options: &MigrateOptions<'_>, mut step: impl FnMut(&str)) -> Result<MigrateReport, ToolError> {
    if !options.dry_run {
        refuse_overlap("--out", options.out, &[options.leveldb])?;
    }
    step("copying, verifying and reading the LevelDB");
    let read = super::phase!("migrate", "read the LevelDB", read_leveldb(options.leveldb))?;
    let recovered = if options.recover_fields {
        step("reading every version the LevelDB's files still hold");
        recoverable_fields(options.leveldb, &read.entries)?
    } else {
        Vec::new()
    };
    step("migrating, validating and reading back the documents");
    let (summary, files) = super::phase!(
        "migrate",
        "migrate and prove",
        migrate_to_files_recovering(&read.entries, &read.label, options.at, options.tool_version, &recovered)
    )?;
    parallel::drop_in_background(read.entries);
    let mut backup = None;
    if !options.dry_run {
        step("writing");
        backup = super::phase!("migrate", "write", write(options, &files))?;
    }
    Ok(MigrateReport {
        source: options.leveldb.display().to_string(),
        out: options.out.display().to_string(),
        dry_run: options.dry_run,
        backup: backup.map(|p| p.display().to_string()),
        files_verified: read.files_verified,
        summary,
        files: files
            .iter()
            .map(|f| WrittenFile { name: f.name.clone(), bytes: f.bytes.len() as u64, sha256: f.sha256.clone() })
            .collect(),
    })
}

/// The fields older versions of the live records held (`history --recover`). A second private copy is read: it
/// must show the same live records as the first (`live`), else a writer came between the two reads.
fn recoverable_fields(leveldb: &Path, live: &SourceEntries) -> Result<Vec<Recovery>, ToolError> {
    let found = history(leveldb, &HistoryOptions { key: None, recover: true })?;
    if live_entries(&found.versions) != *live {
        return Err(ToolError::new(
            ErrorKind::LevelDbBusy,
            leveldb.display().to_string(),
            "the live records of the table and log files differ from what the LevelDB reader returned",
        )
        .with_hint("another process may have written to the folder between the two reads; run again"));
    }
    Ok(found.recovered.unwrap_or_default())
}
