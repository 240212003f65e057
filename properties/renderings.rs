//! Snapshots of what users read (the spec of every rendering): the migrated documents, `inspect` and `migrate`
//! reports in both formats, `validate` of a tampered folder, and the text of every error code. Rendered
//! in-process into a `Vec<u8>`; reads fixture copies, writes temporary folders and `snapshots/*.snap` (only with
//! `INSTA_UPDATE=always`). Update: `INSTA_UPDATE=always cargo test --test properties renderings`, then review
//! `git diff snapshots/`.

use crate::support::{self, LockHolder, LockKind};
use lookcoin_state::core::digest::sha256_hex;
use lookcoin_state::core::inspect::rows_of_raw;
use lookcoin_state::core::output::OutputFile;
use lookcoin_state::core::primitives::TimestampMs;
use lookcoin_state::core::reports::migrate::{MigrateReport, WrittenFile};
use lookcoin_state::error::{ErrorCode, ErrorKind, ToolError};
use lookcoin_state::io::leveldb::{read_leveldb, LevelDbRead};
use lookcoin_state::pipeline::migrate::migrate_to_files;
use lookcoin_state::report;
use std::path::Path;

/// The migration time of every snapshot (2025-08-05T13:20:00.000Z).
const AT: TimestampMs = TimestampMs(1_754_400_000_000);

/// The `toolVersion` of every snapshot: a build's real one names its commit (`lookcoin_state::VERSION`), which
/// would change the documents' bytes and hashes with every commit; the binary's tests check the real one.
const TOOL_VERSION: &str = "0.1.0 (0123abc)";

/// Asserts `text` against `snapshots/<name>.snap`. Temporary paths become `[TEMP]`; control characters are shown
/// as Unicode control pictures (U+2400 + code) so that a snapshot stays a text file.
fn assert_rendering(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(support::root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let text = visible_controls(&redact_temp_paths(text));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Replaces `<tmp>/.tmpXXXXXX` and `<tmp>/lookcoin-state-snapshot-XXXXXX` (tempfile's 6 random characters).
fn redact_temp_paths(text: &str) -> String {
    let mut text = text.to_string();
    for tmp in [std::env::temp_dir().display().to_string(), "/tmp".to_string()] {
        for prefix in [format!("{tmp}/.tmp"), format!("{tmp}/lookcoin-state-snapshot-")] {
            while let Some(start) = text.find(&prefix) {
                let end = start + prefix.len() + 6;
                text.replace_range(start..end.min(text.len()), "[TEMP]");
            }
        }
    }
    text
}

fn visible_controls(text: &str) -> String {
    let picture = |c: char| match c {
        '\n' => c,
        '\u{7f}' => '\u{2421}',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).expect("control picture"),
        c => c,
    };
    text.chars().map(picture).collect()
}

/// Replaces the text between `start` and the next `end` (both kept) with `with`.
fn redact_between(text: &str, start: &str, end: &str, with: &str) -> String {
    let Some(from) = text.find(start).map(|i| i + start.len()) else { return text.to_string() };
    let to = text[from..].find(end).map_or(text.len(), |i| from + i);
    format!("{}{with}{}", &text[..from], &text[to..])
}

fn read_fixture(name: &str) -> LevelDbRead {
    let copy = support::fixture_copy(name);
    read_leveldb(copy.path()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).expect("render into memory");
    String::from_utf8(out).expect("renderings are UTF-8")
}

// ---------------------------------------------------------------------------------------------------------------
// migrate: the documents and the report

fn documents(name: &str) -> String {
    let (_, files) = migrate_to_files(&read_fixture(name).entries, name, AT, TOOL_VERSION).expect("migrates");
    let text = |f: &OutputFile| String::from_utf8(f.bytes.clone()).expect("documents are UTF-8");
    files.iter().map(|f| format!("=== {} ===\n{}", f.name, text(f))).collect()
}

#[test]
fn migrated_documents_of_realistic() {
    assert_rendering("migrate__realistic__documents", &documents("realistic"));
}

#[test]
fn migrated_documents_of_log_tail() {
    assert_rendering("migrate__log-tail__documents", &documents("log-tail"));
}

#[test]
fn migrated_documents_of_hostile() {
    assert_rendering("migrate__hostile__documents", &documents("hostile"));
}

fn migrate_report(name: &str) -> MigrateReport {
    let read = read_fixture(name);
    let (summary, files) = migrate_to_files(&read.entries, name, AT, TOOL_VERSION).expect("migrates");
    MigrateReport {
        source: name.to_string(),
        out: format!("{name}-json"),
        dry_run: false,
        backup: None,
        files_verified: read.files_verified,
        summary,
        files: files
            .iter()
            .map(|f| WrittenFile { name: f.name.clone(), bytes: f.bytes.len() as u64, sha256: sha256_hex(&f.bytes) })
            .collect(),
    }
}

#[test]
fn migrate_report_of_realistic_in_both_formats() {
    let report = migrate_report("realistic");
    assert_rendering("migrate__realistic__human", &render(|out| report::human::migrate(out, &report)));
    assert_rendering("migrate__realistic__json", &render(|out| report::json::migrate(out, &report)));
}

#[test]
fn migrate_report_of_hostile_lists_every_quarantine_reason() {
    let report = migrate_report("hostile");
    assert_rendering("migrate__hostile__human", &render(|out| report::human::migrate(out, &report)));
}

// ---------------------------------------------------------------------------------------------------------------
// inspect

/// The report formats a command prints.
#[derive(Clone, Copy)]
enum Format {
    Human,
    Json,
}

fn inspect(name: &str, format: Format) -> String {
    let rows = rows_of_raw(&read_fixture(name).entries);
    match format {
        Format::Human => render(|out| report::human::inspect(out, name, &rows)),
        Format::Json => render(|out| report::json::inspect(out, &rows)),
    }
}

#[test]
fn inspect_of_realistic_in_both_formats() {
    assert_rendering("inspect__realistic__human", &inspect("realistic", Format::Human));
    assert_rendering("inspect__realistic__json", &inspect("realistic", Format::Json));
}

#[test]
fn inspect_of_hostile_in_both_formats() {
    assert_rendering("inspect__hostile__human", &inspect("hostile", Format::Human));
    assert_rendering("inspect__hostile__json", &inspect("hostile", Format::Json));
}

#[test]
fn inspect_of_log_tail_in_human_format() {
    assert_rendering("inspect__log-tail__human", &inspect("log-tail", Format::Human));
}

// ---------------------------------------------------------------------------------------------------------------
// validate

#[test]
fn validate_of_a_tampered_migration_in_both_formats() {
    // Under /tmp itself (not $TMPDIR): the path's length sets the table's column width.
    let work = tempfile::tempdir_in("/tmp").expect("temp dir");
    let out = work.path().join("out");
    let (_, files) =
        migrate_to_files(&read_fixture("realistic").entries, "realistic", AT, TOOL_VERSION).expect("migrates");
    lookcoin_state::io::atomic::write_output(&out, &files).expect("written");
    let file = out.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("\"networkName\": \"bsc\"", "\"networkName\": \"bscmainnet\"", 1))
        .expect("write");
    for (format, name) in [(Format::Human, "validate__tampered__human"), (Format::Json, "validate__tampered__json")] {
        let validated = lookcoin_state::pipeline::validate::validate(std::slice::from_ref(&out)).expect("validates");
        assert_eq!(validated.invalid(), 1);
        let text = match format {
            Format::Human => render(|o| report::human::validate(o, &validated)),
            Format::Json => render(|o| report::json::validate(o, &validated)),
        };
        assert_rendering(name, &text);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// errors

#[test]
fn error_text_of_every_kind() {
    let mut text = String::new();
    for kind in ErrorKind::ALL {
        let e = ToolError::new(kind, "<subject: file, key or contract>", "<what went wrong>")
            .caused_by("<why: the underlying error>");
        text.push_str(&format!("=== {kind:?}: {} (exit {}) ===\n{e}\n\n", e.code(), e.exit_code()));
    }
    assert_rendering("errors__all_kinds", &text);
}

#[test]
fn explain_text_of_every_code() {
    let text: Vec<String> = ErrorCode::ALL.into_iter().map(lookcoin_state::error::explain).collect();
    assert_rendering("errors__explain", &text.join("\n"));
}

/// The error text of reading `dir`, which must fail.
fn read_error(dir: &Path) -> String {
    match read_leveldb(dir) {
        Ok(read) => panic!("{} must not read, but gave {} entries", dir.display(), read.entries.len()),
        Err(e) => e.to_string(),
    }
}

fn damaged(name: &str, damage: impl FnOnce(&Path)) -> String {
    let copy = support::fixture_copy(name);
    damage(copy.path());
    read_error(copy.path())
}

/// The error while another process holds the lock, its PID and command line (from /proc) redacted.
fn locked(kind: LockKind) -> String {
    let copy = support::fixture_copy("realistic");
    let holder = LockHolder::spawn(&copy.path().join("LOCK"), kind);
    let e = read_error(copy.path());
    redact_between(&e.replace(&format!("process {} ", holder.pid()), "process [PID] "), "(`", "`)", "[COMMAND]")
}

fn flip(file: &'static str, at: usize) -> impl FnOnce(&Path) {
    move |dir: &Path| {
        let mut bytes = std::fs::read(dir.join(file)).expect("read");
        bytes[at] ^= 0x01;
        std::fs::write(dir.join(file), bytes).expect("write");
    }
}

fn replace(file: &'static str, bytes: &'static [u8]) -> impl FnOnce(&Path) {
    move |dir: &Path| std::fs::write(dir.join(file), bytes).expect("write")
}

#[test]
fn error_text_of_the_leveldb_reader() {
    let empty = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("missing folder", read_error(&empty.path().join("leveldb"))),
        ("empty folder", read_error(empty.path())),
        ("CURRENT names a missing manifest", damaged("realistic", replace("CURRENT", b"MANIFEST-000099\n"))),
        ("flipped byte in a table", damaged("realistic", flip("000008.ldb", 100))),
        ("flipped byte in the log", damaged("log-tail", flip("000009.log", 5_000))),
        ("truncated table", damaged("realistic", replace("000005.ldb", b"short"))),
        ("fcntl lock held", locked(LockKind::Fcntl)),
        ("flock lock held", locked(LockKind::Flock)),
    ];
    let text: String = cases.iter().map(|(case, e)| format!("=== {case} ===\n{e}\n\n")).collect();
    assert_rendering("errors__leveldb_reader", &text);
}
