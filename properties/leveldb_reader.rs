//! The LevelDB reader against C++ LevelDB (`classic-level`): each fixture reads back exactly as C++ returned it;
//! reading never writes to the folder it reads; missing, foreign, corrupt and locked folders are coded errors,
//! never an empty or shorter database. Reads and damages private copies of the fixtures in temporary folders;
//! spawns `python3` to hold a lock.

use crate::strategies;
use crate::support::{self, LockHolder, LockKind};
use lookcoin_state::core::digest::entries_sha256;
use lookcoin_state::core::record::SourceEntries;
use lookcoin_state::error::{ErrorCode, ToolError};
use lookcoin_state::io::leveldb::{read_leveldb, LevelDbRead};
use proptest::prelude::*;
use proptest::sample::Index;
use std::path::Path;

fn read_ok(dir: &Path) -> LevelDbRead {
    read_leveldb(dir).unwrap_or_else(|e| panic!("reading {} failed:\n{e}", dir.display()))
}

fn read_err(dir: &Path) -> ToolError {
    match read_leveldb(dir) {
        Ok(read) => panic!("reading {} must fail, but gave {} entries", dir.display(), read.entries.len()),
        Err(e) => e,
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// The fixture's entries as C++ LevelDB returned them (`records` of `<name>.expected.json`).
fn expected_entries(name: &str) -> SourceEntries {
    let hex = |v: &serde_json::Value| alloy_primitives::hex::decode(v.as_str().expect("hex string")).expect("hex");
    let doc = support::expected(name);
    doc["records"].as_array().expect("records").iter().map(|r| (hex(&r["keyHex"]), hex(&r["valueHex"]))).collect()
}

fn digest(entries: &SourceEntries) -> String {
    entries_sha256(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
}

/// Log, manifest and table files of a fixture: what the reader must checksum-verify.
fn checked_files(name: &str) -> usize {
    support::folder_bytes(&support::fixture(name))
        .iter()
        .filter(|(f, _)| f.ends_with(".ldb") || f.ends_with(".log") || f.starts_with("MANIFEST-"))
        .count()
}

/// Reads a copy of the fixture and checks count, digest and (when the expected file lists them) every entry.
fn assert_reads_as_cpp_leveldb(name: &str) -> SourceEntries {
    let copy = support::fixture_copy(name);
    let read = read_ok(copy.path());
    let expected = support::expected(name);
    assert_eq!(read.entries.len() as u64, expected["count"].as_u64().expect("count"), "{name}: entry count");
    assert_eq!(digest(&read.entries), expected["sha256"].as_str().expect("sha256"), "{name}: entry digest");
    assert_eq!(read.files_verified, checked_files(name), "{name}: every log, manifest and table is verified");
    if expected.get("records").is_some() {
        let want = expected_entries(name);
        assert_eq!(digest(&want), expected["sha256"].as_str().unwrap(), "{name}.expected.json is self-consistent");
        let hex = |m: &SourceEntries| -> Vec<(String, String)> {
            m.iter().map(|(k, v)| (alloy_primitives::hex::encode(k), alloy_primitives::hex::encode(v))).collect()
        };
        assert_eq!(hex(&read.entries), hex(&want), "{name}: keyHex/valueHex in key order");
    }
    read.entries
}

#[test]
fn realistic_reads_exactly_as_cpp_leveldb_returned_it() {
    assert_reads_as_cpp_leveldb("realistic");
}

#[test]
fn log_tail_reads_the_log_over_the_tables_exactly_as_cpp_leveldb() {
    let entries = assert_reads_as_cpp_leveldb("log-tail");
    assert!(!entries.contains_key(&b"97-ProtocolRegistry"[..]), "the log's tombstone hides the table's version");
    let airdrop = entries.get(&b"97-AirdropDistributor"[..]).expect("the key that lives only in the log");
    assert_eq!(airdrop.len(), 36_400, "the value split over two log blocks is whole");
}

#[test]
fn hostile_reads_exactly_as_cpp_leveldb_returned_it() {
    let entries = assert_reads_as_cpp_leveldb("hostile");
    assert!(entries.contains_key(&b""[..]), "the empty key");
    assert!(entries.contains_key(&b"56-Bad\xffKey"[..]), "the key that is not UTF-8");
    assert_eq!(entries.get(&b"56-EmptyValue"[..]).map(Vec::len), Some(0), "the empty value");
}

#[test]
fn large_10k_reads_exactly_as_cpp_leveldb_returned_it() {
    assert_reads_as_cpp_leveldb("large-10k");
}

// ---------------------------------------------------------------------------------------------------------------
// Reading never writes

/// The folder's own modification time: changes when any file is created, renamed or deleted in it, even if the
/// listing looks the same afterwards.
fn dir_mtime(dir: &Path) -> std::time::SystemTime {
    std::fs::metadata(dir).and_then(|m| m.modified()).expect("folder mtime")
}

#[test]
fn reading_leaves_the_folder_byte_identical_even_with_writes_only_in_the_log() {
    for name in ["log-tail", "realistic"] {
        let copy = support::fixture_copy(name);
        let before = support::folder_bytes(copy.path());
        assert_eq!(before, support::folder_bytes(&support::fixture(name)), "{name}: the copy is the fixture");
        let mtime = dir_mtime(copy.path());
        read_ok(copy.path());
        assert_eq!(support::folder_bytes(copy.path()), before, "{name}: every file byte-identical, none added");
        assert_eq!(dir_mtime(copy.path()), mtime, "{name}: no file created, renamed or deleted in the folder");
    }
}

/// Makes a folder and its files read-only; restores write access on drop so the temporary folder can be removed.
struct ReadOnly<'a>(&'a Path);

impl<'a> ReadOnly<'a> {
    fn new(dir: &'a Path) -> Self {
        set_modes(dir, 0o444, 0o555);
        ReadOnly(dir)
    }
}

impl Drop for ReadOnly<'_> {
    fn drop(&mut self) {
        set_modes(self.0, 0o644, 0o755);
    }
}

fn set_modes(dir: &Path, file_mode: u32, dir_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let set = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    for (name, _) in support::folder_bytes(dir) {
        set(&dir.join(name), file_mode);
    }
    set(dir, dir_mode);
}

/// Runs `f` on a thread without the capabilities that let root ignore file modes (CAP_DAC_OVERRIDE,
/// CAP_DAC_READ_SEARCH, CAP_FOWNER), so that `chmod a-w` binds also when the tests run as root. Capabilities are
/// per thread on Linux; the thread ends with `f`.
fn with_file_modes_enforced<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    const DAC_CAPS: u32 = (1 << 1) | (1 << 2) | (1 << 3);
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let mut header = Header { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
            let mut data = [Data::default(); 2];
            // SAFETY: capget/capset with a version-3 header and two data structs, as capget(2) documents; pid 0
            // is the calling thread only.
            unsafe {
                assert_eq!(libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()), 0, "capget");
                data[0].effective &= !DAC_CAPS;
                assert_eq!(libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()), 0, "capset");
            }
            f()
        });
        worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[test]
fn a_read_only_folder_reads_fully_because_only_a_private_copy_is_opened() {
    let copy = support::fixture_copy("realistic");
    let before = support::folder_bytes(copy.path());
    let _read_only = ReadOnly::new(copy.path());
    let result = with_file_modes_enforced(|| {
        let probe = std::fs::File::create(copy.path().join("probe"));
        assert_eq!(probe.map(drop).map_err(|e| e.kind()), Err(std::io::ErrorKind::PermissionDenied), "premise");
        read_leveldb(copy.path())
    });
    let read = result.unwrap_or_else(|e| panic!("a read-only folder must read:\n{e}"));
    assert_eq!(read.entries, expected_entries("realistic"));
    assert_eq!(support::folder_bytes(copy.path()), before);
}

// ---------------------------------------------------------------------------------------------------------------
// Not a LevelDB: an error, never an empty database

#[test]
fn a_missing_folder_is_migration_004_and_is_not_created() {
    let parent = tempfile::tempdir().expect("temp dir");
    let missing = parent.path().join("leveldb-typo");
    let e = read_err(&missing);
    assert_eq!((e.code(), e.subject.as_str()), (ErrorCode::Migration004, shown(&missing).as_str()));
    assert!(e.hint.contains("never read as an empty database"), "{e}");
    assert!(!missing.exists(), "a mistyped path must not become a new, empty database");
}

#[test]
fn a_path_that_is_not_a_leveldb_folder_is_migration_004_and_stays_as_it_was() {
    let empty = tempfile::tempdir().expect("temp dir");
    let random = tempfile::tempdir().expect("temp dir");
    std::fs::write(random.path().join("000005.ldb"), [0x5au8; 512]).expect("write");
    std::fs::write(random.path().join("notes.txt"), "not a database\n").expect("write");
    let file = random.path().join("notes.txt");
    for dir in [empty.path(), random.path(), file.as_path()] {
        let before = if dir.is_dir() { support::folder_bytes(dir) } else { Vec::new() };
        let e = read_err(dir);
        assert_eq!((e.code(), e.subject.as_str()), (ErrorCode::Migration004, shown(dir).as_str()), "{e}");
        if dir.is_dir() {
            assert_eq!(support::folder_bytes(dir), before, "nothing created in {}", dir.display());
        }
    }
}

#[test]
fn current_naming_a_missing_manifest_is_leveldb_001_naming_current() {
    for damage in ["CURRENT names another manifest", "the manifest is gone"] {
        let copy = support::fixture_copy("realistic");
        match damage {
            "the manifest is gone" => std::fs::remove_file(copy.path().join("MANIFEST-000010")).expect("rm"),
            _ => std::fs::write(copy.path().join("CURRENT"), "MANIFEST-000099\n").expect("write"),
        }
        let e = read_err(copy.path());
        assert_eq!(e.code(), ErrorCode::LevelDb001, "{damage}: {e}");
        assert_eq!(e.subject, shown(&copy.path().join("CURRENT")), "{damage}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Corruption: LEVELDB-001 naming the file, never a panic, never fewer records

fn flip(path: &Path, offset: usize, mask: u8) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[offset] ^= mask;
    std::fs::write(path, bytes).expect("write");
}

/// Reads the damaged copy; the error must be LEVELDB-001 about `file` with exactly `detail`.
fn assert_corruption(copy: &Path, file: &str, detail: &str) {
    let e = read_err(copy);
    assert_eq!(e.code(), ErrorCode::LevelDb001, "{e}");
    assert_eq!(e.subject, shown(&copy.join(file)), "the subject names the damaged file");
    assert_eq!(e.causes, [detail], "{e}");
}

#[test]
fn a_flipped_byte_in_a_table_data_block_is_leveldb_001_naming_the_table() {
    for table in ["000005.ldb", "000008.ldb", "000011.ldb"] {
        let copy = support::fixture_copy("realistic");
        flip(&copy.path().join(table), 100, 0x01);
        assert_corruption(copy.path(), table, "block checksum mismatch at offset 0");
    }
}

#[test]
fn a_flipped_byte_in_the_log_is_leveldb_001_naming_the_log() {
    for (offset, record_at) in [(5_000, 0), (33_000, 32_768)] {
        let copy = support::fixture_copy("log-tail");
        flip(&copy.path().join("000009.log"), offset, 0x80);
        assert_corruption(copy.path(), "000009.log", &format!("log record checksum mismatch at offset {record_at}"));
    }
}

#[test]
fn a_flipped_byte_in_the_manifest_is_leveldb_001_naming_the_manifest() {
    let copy = support::fixture_copy("realistic");
    flip(&copy.path().join("MANIFEST-000010"), 20, 0x01);
    assert_corruption(copy.path(), "MANIFEST-000010", "log record checksum mismatch at offset 0");
}

#[test]
fn a_truncated_table_is_leveldb_001_naming_the_table() {
    for (keep, detail) in [(2_000, "table footer has the wrong magic number"), (40, "table is shorter than its footer")]
    {
        let copy = support::fixture_copy("realistic");
        let table = copy.path().join("000008.ldb");
        let bytes = std::fs::read(&table).expect("read");
        std::fs::write(&table, &bytes[..keep]).expect("truncate");
        assert_corruption(copy.path(), "000008.ldb", detail);
    }
}

/// A fixture's non-empty files and its expected entries.
struct Flippable {
    fixture: &'static str,
    files: Vec<(String, Vec<u8>)>,
    expected: SourceEntries,
}

impl Flippable {
    fn of(fixture: &'static str) -> Flippable {
        let files = support::folder_bytes(&support::fixture(fixture)).into_iter().filter(|(_, b)| !b.is_empty());
        Flippable { fixture, files: files.collect(), expected: expected_entries(fixture) }
    }
}

/// One flipped byte anywhere in a small fixture's folder: an error about a file of that folder (naming the file
/// for a table or a log), or, for a byte nobody reads (LevelDB's info `LOG`, table footer padding), exactly the
/// expected entries. Never other entries, never a panic. (An exhaustive run over every byte of the three folders
/// found no exception.)
#[test]
fn one_flipped_byte_is_an_error_or_changes_nothing() {
    let fixtures: Vec<Flippable> = ["realistic", "log-tail", "hostile"].into_iter().map(Flippable::of).collect();
    let strategy = (any::<Index>(), any::<Index>(), any::<Index>(), 1u8..=255);
    strategies::check(48, strategy, |(fixture, file, at, mask)| {
        let Flippable { fixture, files, expected } = fixture.get(&fixtures);
        let (name, bytes) = file.get(files);
        let copy = support::fixture_copy(fixture);
        flip(&copy.path().join(name), at.index(bytes.len()), mask);
        match read_leveldb(copy.path()) {
            Ok(read) => prop_assert!(&read.entries == expected, "Ok with {} other entries", read.entries.len()),
            Err(e) => {
                prop_assert!(matches!(e.code(), ErrorCode::LevelDb001 | ErrorCode::Migration004), "{e}");
                prop_assert!(e.subject.starts_with(&shown(copy.path())), "{e}");
                if name.ends_with(".ldb") || name.ends_with(".log") {
                    prop_assert_eq!(&e.subject, &shown(&copy.path().join(name)), "the error names the file");
                }
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------------------
// A live writer: LEVELDB-002 naming its process

fn assert_lock_names_holder(kind: LockKind, lock_word: &str) {
    let copy = support::fixture_copy("realistic");
    let holder = LockHolder::spawn(&copy.path().join("LOCK"), kind);
    let e = read_err(copy.path());
    assert_eq!(e.code(), ErrorCode::LevelDb002, "{e}");
    assert_eq!(e.subject, shown(&copy.path().join("LOCK")));
    let cause = &e.causes[0];
    assert!(cause.starts_with(&format!("process {} (`", holder.pid())), "names the holder's PID: {cause}");
    assert!(cause.ends_with(&format!("holds an {lock_word} lock on LOCK")), "{cause}");
    assert!(e.hint.contains("do not delete LOCK"), "{e}");
    drop(holder);
    assert_eq!(read_ok(copy.path()).entries.len(), 29, "once the writer is gone the same folder reads");
}

#[test]
fn a_live_fcntl_writer_is_leveldb_002_naming_its_pid() {
    assert_lock_names_holder(LockKind::Fcntl, "fcntl");
}

#[test]
fn a_live_flock_writer_is_leveldb_002_naming_its_pid_from_proc_locks() {
    assert_lock_names_holder(LockKind::Flock, "flock");
}
