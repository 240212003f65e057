//! Reads a LevelDB folder safely: probes the lock, copies the folder to a private snapshot, verifies every
//! checksum, then reads the snapshot with rusty-leveldb. Reads the user's folder; writes only a temporary folder.
//!
//! The user's folder is never opened as a database: opening a LevelDB writes to its folder (log replay, new
//! tables, MANIFEST, LOG rotation), and the source of truth must not change.

pub mod integrity;
pub mod lock;
pub mod write;

use crate::core::record::SourceEntries;
use crate::error::{ErrorKind, ToolError};
use lock::LockState;
use rusty_leveldb::{LdbIterator, Options, DB};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a read found.
#[derive(Debug, Clone)]
pub struct LevelDbRead {
    pub entries: SourceEntries,
    /// The folder's own name, for the migration metadata.
    pub label: String,
    /// Log, manifest and table files whose checksums were verified.
    pub files_verified: usize,
}

/// Reads every live entry of the LevelDB folder at `dir`, without changing it.
pub fn read_leveldb(dir: &Path) -> Result<LevelDbRead, ToolError> {
    check_is_leveldb(dir)?;
    ensure_unlocked(dir)?;
    let snapshot = snapshot(dir)?;
    crate::io::faults::stall_at("snapshot");
    tracing::debug!(target: "leveldb", dir = %dir.display(), "private copy taken");
    let files_verified = integrity::verify_folder(snapshot.path())
        .map_err(|e| ToolError::new(ErrorKind::LevelDbCorrupt, dir.join(&e.file).display().to_string(), e.detail))?;
    let entries = scan(snapshot.path()).map_err(|e| match e {
        ScanError::Data(cause) => {
            ToolError::new(ErrorKind::LevelDbCorrupt, dir.display().to_string(), "the database could not be read")
                .caused_by(cause)
        }
        // Every file's checksums were verified already: an I/O error here is the private copy's disk.
        ScanError::Disk(cause) => ToolError::new(
            ErrorKind::OutputFailed,
            snapshot.path().display().to_string(),
            "cannot open the private copy (its log is replayed into new files there)",
        )
        .caused_by(cause)
        .with_hint("free space in $TMPDIR (the private copy and its log replay are written there), then run again"),
    })?;
    let label = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "leveldb".to_string());
    Ok(LevelDbRead { entries, label, files_verified })
}

/// The bytes of every table (`*.ldb`, `*.sst`) and log (`*.log`) file of the LevelDB folder at `dir`, in name
/// order, read from a private copy (the same checks as [`read_leveldb`]: a LevelDB folder, not locked, not changed
/// while copied). Checksums are the caller's to verify as it decodes.
pub fn read_version_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, ToolError> {
    check_is_leveldb(dir)?;
    ensure_unlocked(dir)?;
    let snapshot = snapshot(dir)?;
    let mut names: Vec<String> = std::fs::read_dir(snapshot.path())
        .and_then(|listing| listing.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .map_err(|e| ToolError::input_io(dir.display().to_string(), "cannot list the private copy", e))?;
    names.retain(|n| n.ends_with(".ldb") || n.ends_with(".sst") || n.ends_with(".log"));
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(snapshot.path().join(&name)).map_err(|e| {
                ToolError::input_io(dir.join(&name).display().to_string(), "cannot read the private copy", e)
            })?;
            Ok((name, bytes))
        })
        .collect()
}

/// True when `dir` looks like a LevelDB folder (holds a `CURRENT` file). Used by auto-detection.
pub fn looks_like_leveldb(dir: &Path) -> bool {
    dir.join("CURRENT").is_file()
}

fn check_is_leveldb(dir: &Path) -> Result<(), ToolError> {
    let shown = dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            ToolError::new(ErrorKind::NotALevelDb, &shown, "cannot open the LevelDB folder")
                .caused_by(e)
                .with_hint("check the path; a missing folder is never read as an empty database")
        }
        _ => ToolError::input_io(&shown, "cannot open the LevelDB folder", e),
    })?;
    if !meta.is_dir() {
        return Err(ToolError::new(ErrorKind::NotALevelDb, &shown, "not a folder: a LevelDB is a folder"));
    }
    let current_path = dir.join("CURRENT");
    if !current_path.is_file() {
        return Err(ToolError::new(ErrorKind::NotALevelDb, &shown, "not a LevelDB folder: it has no CURRENT file"));
    }
    let current = crate::io::documents::read_bytes(&current_path)?;
    let current = String::from_utf8(current).map_err(|e| {
        ToolError::new(ErrorKind::LevelDbCorrupt, current_path.display().to_string(), "CURRENT is not text")
            .caused_by(e)
    })?;
    let manifest = current.trim_end_matches('\n');
    if !manifest.starts_with("MANIFEST-") || manifest.contains('/') || !dir.join(manifest).is_file() {
        return Err(ToolError::new(
            ErrorKind::LevelDbCorrupt,
            dir.join("CURRENT").display().to_string(),
            format!("CURRENT names `{manifest}`, which is not a manifest file in this folder"),
        ));
    }
    Ok(())
}

/// Who holds the folder's lock, in a sentence (`doctor`), or why the lock could not be probed.
pub fn lock_holder(dir: &Path) -> Result<Option<String>, ToolError> {
    match lock::probe(dir) {
        Ok(LockState::Free) => Ok(None),
        Ok(held) => Ok(Some(held.describe())),
        Err(e) => Err(ToolError::input_io(dir.join("LOCK").display().to_string(), "cannot probe the lock", e)),
    }
}

fn ensure_unlocked(dir: &Path) -> Result<(), ToolError> {
    let lock_path = dir.join("LOCK").display().to_string();
    match lock::probe(dir) {
        Ok(LockState::Free) => Ok(()),
        Ok(held) => Err(ToolError::new(ErrorKind::LevelDbLocked, lock_path, held.describe())),
        Err(e) => Err(ToolError::input_io(lock_path, "cannot probe the lock", e)),
    }
}

/// Size and modification time of every file, to notice a writer that changed the folder while we copied it.
fn fingerprint(dir: &Path) -> std::io::Result<Vec<(PathBuf, u64, Option<SystemTime>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_file() {
            files.push((entry.path(), meta.len(), meta.modified().ok()));
        }
    }
    files.sort();
    Ok(files)
}

/// Copies the folder's regular files into a fresh private temporary folder.
/// A private copy of a LevelDB folder (created with mode 0700: it holds the whole database), removed when dropped and, should the
/// run be interrupted, by the interrupt handler (`io::cleanup`).
pub struct PrivateCopy(tempfile::TempDir);

impl PrivateCopy {
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for PrivateCopy {
    fn drop(&mut self) {
        crate::io::cleanup::forget(self.0.path());
    }
}

fn snapshot(dir: &Path) -> Result<PrivateCopy, ToolError> {
    let shown = dir.display().to_string();
    let temp_err = |what: &str, e: std::io::Error| {
        ToolError::output_io(std::env::temp_dir().display().to_string(), what, e)
            .caused_by(format!("while taking the private copy of {shown}"))
    };
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::Builder::new()
        .prefix("lookcoin-state-snapshot-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(|e| temp_err("cannot create a private snapshot folder", e))?;
    crate::io::cleanup::remove_on_interrupt(temp.path());
    let temp = PrivateCopy(temp);
    let before = fingerprint(dir).map_err(|e| ToolError::input_io(&shown, "cannot list the folder", e))?;
    for (path, _, _) in &before {
        let name = path.file_name().expect("listed files have names");
        let copy = temp.path().join(name);
        copy_file(path, &copy, &temp_err)?;
        // The copy is ours to open (LevelDB writes on open); a read-only source must not make it read-only too.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| temp_err("cannot make the snapshot writable", e))?;
    }
    let after = fingerprint(dir).map_err(|e| ToolError::input_io(&shown, "cannot list the folder", e))?;
    if before != after {
        return Err(ToolError::new(ErrorKind::LevelDbBusy, &shown, "the folder changed while it was being copied"));
    }
    Ok(temp)
}

/// Copies one file of the source into the private copy. Reading the source and writing the copy fail for
/// different reasons with different remedies (a permission on the source; a full temporary disk), so the two
/// are told apart: the file is opened first, then copied.
fn copy_file(from: &Path, to: &Path, temp_err: &dyn Fn(&str, std::io::Error) -> ToolError) -> Result<(), ToolError> {
    let mut source =
        std::fs::File::open(from).map_err(|e| ToolError::input_io(from.display().to_string(), "cannot open", e))?;
    let mut copy = std::fs::File::create(to).map_err(|e| temp_err("cannot create the copy", e))?;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        use std::io::{Read, Write};
        let n = match source.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ToolError::input_io(from.display().to_string(), "cannot read", e)),
        };
        copy.write_all(&buffer[..n]).map_err(|e| temp_err("cannot write the copy", e))?;
    }
}

/// Opens the snapshot and reads every live entry. rusty-leveldb is called behind `catch_unwind`: a panic inside
/// it on hostile bytes must become an error, never a crash of the tool.
/// Why the private copy could not be read: the files (corrupt), or the copy's own disk (opening a LevelDB replays
/// its log into new files, which a full temporary disk refuses).
enum ScanError {
    Data(String),
    Disk(String),
}

fn scan_error(s: rusty_leveldb::Status) -> ScanError {
    let text = format!("{:?}: {}", s.code, s.err);
    if s.code == rusty_leveldb::StatusCode::IOError {
        ScanError::Disk(text)
    } else {
        ScanError::Data(text)
    }
}

fn scan(snapshot: &Path) -> Result<SourceEntries, ScanError> {
    let path = snapshot.to_path_buf();
    let result = std::panic::catch_unwind(move || -> Result<SourceEntries, ScanError> {
        let options = Options { create_if_missing: false, paranoid_checks: true, ..Options::default() };
        let mut db = DB::open(&path, options).map_err(scan_error)?;
        let mut iter = db.new_iter().map_err(scan_error)?;
        let mut entries = SourceEntries::new();
        while iter.advance() {
            if let Some((k, v)) = iter.current() {
                entries.insert(k.to_vec(), v.to_vec());
            }
        }
        drop(iter);
        db.close().map_err(scan_error)?;
        Ok(entries)
    });
    match result {
        Ok(inner) => inner,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(ScanError::Data(format!("the LevelDB reader failed on these files: {detail}")))
        }
    }
}
