//! `lookcoin-state demo`: the whole job on bundled demo data, in a temporary folder (or `--out`).
//!
//! The demo data is the `realistic` fixture's expected entries (embedded at compile time), written to a fresh
//! LevelDB with rusty-leveldb; then: inspect, migrate, validate, inspect the output, and check both inspections
//! are identical.

use super::{exit, migrate, output_error};
use crate::core::inspect::{rows_of_entries, rows_of_raw};
use crate::core::record::SourceEntries;
use crate::error::{ErrorCode, ToolError};
use crate::io::atomic::write_output;
use crate::io::documents::read_documents;
use crate::io::leveldb::read_leveldb;
use crate::report::{self, MigrateReport, WrittenFile};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The demo entries: `fixtures/leveldb/realistic.expected.json` (keys and values in hex).
const DEMO_ENTRIES: &str = include_str!("../../fixtures/leveldb/realistic.expected.json");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the demo's LevelDB and JSON output in this (new or empty) folder instead of a temporary one.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Decodes the embedded demo entries.
pub fn demo_entries() -> SourceEntries {
    let doc: Value = serde_json::from_str(DEMO_ENTRIES).expect("embedded demo data is JSON");
    let hex = |v: &Value, f: &str| alloy_primitives::hex::decode(v[f].as_str().expect("hex field")).expect("hex");
    doc["records"].as_array().expect("records").iter().map(|r| (hex(r, "keyHex"), hex(r, "valueHex"))).collect()
}

/// Writes entries into a new LevelDB folder with rusty-leveldb.
pub fn write_leveldb(dir: &Path, entries: &SourceEntries) -> Result<(), ToolError> {
    let fail = |e: rusty_leveldb::Status| {
        ToolError::new(ErrorCode::Migration004, dir.display().to_string(), "cannot create the demo LevelDB")
            .caused_by(e.err)
    };
    let mut db = rusty_leveldb::DB::open(dir, rusty_leveldb::Options::default()).map_err(fail)?;
    for (k, v) in entries {
        db.put(k, v).map_err(fail)?;
    }
    db.flush().map_err(fail)?;
    db.close().map_err(fail)
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let temp = tempfile::tempdir()
        .map_err(|e| ToolError::new(ErrorCode::Migration001, "temporary folder", "cannot create").caused_by(e))?;
    let base = args.out.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let (db_dir, json_dir) = (base.join("leveldb"), base.join("json"));
    let step = |err: &mut dyn Write, text: &str| writeln!(err, "demo: {text}").map_err(output_error);

    step(err, &format!("writing {} demo entries to {}", demo_entries().len(), db_dir.display()))?;
    write_leveldb(&db_dir, &demo_entries())?;
    let read = read_leveldb(&db_dir)?;
    let (migration, files) = migrate::migrate_to_files(&read.entries, "demo", migrate::migration_time()?)?;
    write_output(&json_dir, &files, false)?;
    let report = MigrateReport {
        source: db_dir.display().to_string(),
        out: json_dir.display().to_string(),
        dry_run: false,
        files_verified: read.files_verified,
        summary: crate::core::summary::summarize(&migration),
        files: files
            .iter()
            .map(|f| WrittenFile {
                name: f.name.clone(),
                bytes: f.bytes.len() as u64,
                sha256: crate::core::digest::sha256_hex(&f.bytes),
            })
            .collect(),
    };
    report::human::migrate(out, &report).map_err(output_error)?;

    step(err, "validating the written documents and reading them back")?;
    let docs = read_documents(&json_dir)?;
    let same = rows_of_entries(&docs.entries(&json_dir)?) == rows_of_raw(&read.entries);
    if !same {
        return Err(ToolError::new(
            ErrorCode::Migration002,
            json_dir.display().to_string(),
            "the migrated documents do not inspect like the LevelDB",
        ));
    }
    writeln!(
        out,
        "\ndemo: ok: `inspect` of the LevelDB and of its migration are identical ({} entries, {} files validated)",
        read.entries.len(),
        docs.files.len()
    )
    .map_err(output_error)?;
    Ok(exit::CLEAN)
}
