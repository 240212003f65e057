//! Reads JSON files: the `*.json` files of a folder, one file's bytes, parsed (JSON-002 with line and column),
//! schema-checked (JSON-003 with the JSON pointer) and typed as one of our documents. One file at a time: which
//! files are read on how many cores, and how they form a set, is `pipeline::load`'s business.
//!
//! The schema check is skipped for one kind of file: one whose SHA-256 equals the one its folder's (schema-valid)
//! manifest lists. Those bytes are what `migrate` or `reconcile --apply` wrote, and both prove the very bytes
//! against the schema before writing them; reading them through a `serde_json::Value` only for the schema would be
//! most of the read at 100,000 records. The manifest is a consistency check, not a signature: a folder whose
//! manifest was rewritten to match edited files is read without the schema check (its records are still
//! validated; the typed documents refuse unknown fields). Any other file (no manifest, not listed, another
//! digest) is checked against the schema in full. `validate` always checks every file against the schema.

use crate::core::digest::sha256_hex;
use crate::core::document::{ChainDocument, DocumentKind, Manifest, QuarantineDocument, MANIFEST_FILE};
use crate::core::json_keys::first_duplicate_key;
use crate::core::schema;
use crate::error::{ErrorKind, ToolError};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest input file read, in MiB, unless `--max-file-mb` says otherwise (a migration of 100,000 records
/// writes one document of about 55 MB).
pub const DEFAULT_MAX_FILE_MB: u64 = 256;

static MAX_FILE_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_MB << 20);

/// Sets the largest input file any reader will read (`--max-file-mb`).
pub fn set_max_file_mb(mb: u64) {
    MAX_FILE_BYTES.store(mb.saturating_mul(1 << 20), Ordering::Relaxed);
}

/// The `*.json` files of a folder in name order, or the file itself. Every `*.json` entry of a folder that is not
/// a readable regular file (a named pipe, a link loop, a dangling link, a folder) is named in one JSON-001 error:
/// none is skipped in silence.
pub fn json_files(path: &Path) -> Result<Vec<PathBuf>, ToolError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| ToolError::input_io(&shown, "cannot open", e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let listing = std::fs::read_dir(path).map_err(|e| ToolError::input_io(&shown, "cannot list", e))?;
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| ToolError::input_io(&shown, "cannot list", e))?;
        let file = entry.path();
        if file.extension().is_none_or(|x| x != "json") {
            continue;
        }
        match std::fs::metadata(&file) {
            Ok(m) if m.is_file() => files.push(file),
            Ok(_) => unreadable.push(format!("{}: not a regular file", file.display())),
            Err(e) => unreadable.push(format!("{}: {e}", file.display())),
        }
    }
    if !unreadable.is_empty() {
        unreadable.sort();
        let mut err = ToolError::new(
            ErrorKind::InputUnreadable,
            &shown,
            format!("{} .json entries cannot be read", unreadable.len()),
        );
        for line in unreadable {
            err = err.caused_by(line);
        }
        return Err(err.with_hint("remove or fix those entries, or point at the files to read one by one"));
    }
    files.sort();
    Ok(files)
}

/// Reads and parses one JSON file.
pub fn read_json(path: &Path) -> Result<(Vec<u8>, Value), ToolError> {
    let bytes = read_bytes(path)?;
    let value = parse_json(path, &bytes)?;
    Ok((bytes, value))
}

/// The bytes of one input file: a regular file (opened without waiting, so a named pipe is refused instead of
/// blocking), of at most the size limit (an endless device is never read to the end).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ToolError> {
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display().to_string();
    // Checked before opening too: opening some devices has effects of its own (a watchdog, a tape rewinding).
    let before = std::fs::metadata(path).map_err(|e| ToolError::input_io(&shown, "cannot open", e))?;
    if !before.is_file() {
        return Err(ToolError::new(
            ErrorKind::InputUnreadable,
            &shown,
            "not a regular file (a pipe, device or folder)",
        ));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| ToolError::input_io(&shown, "cannot open", e))?;
    let meta = file.metadata().map_err(|e| ToolError::input_io(&shown, "cannot read", e))?;
    if !meta.is_file() {
        return Err(ToolError::new(
            ErrorKind::InputUnreadable,
            &shown,
            "not a regular file (a pipe, device or folder)",
        ));
    }
    let limit = MAX_FILE_BYTES.load(Ordering::Relaxed);
    // The size is only a hint (a sparse file can claim a terabyte): reserve at most 64 MiB up front.
    let mut bytes = Vec::with_capacity(meta.len().min(limit).min(64 << 20) as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ToolError::input_io(&shown, "cannot read", e))?;
    if bytes.len() as u64 > limit {
        let what = format!("larger than the limit of {} MiB", limit >> 20);
        return Err(ToolError::new(ErrorKind::InputTooLarge, &shown, what));
    }
    Ok(bytes)
}

/// Parses bytes read from `path`; JSON-002 with line and column, also for a key given twice in one object
/// (which a parser would resolve in silence, dropping one of the two values).
pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, ToolError> {
    let value = serde_json::from_slice(bytes).map_err(|e| {
        let at = format!("{}:{}:{}", path.display(), e.line(), e.column());
        ToolError::new(ErrorKind::MalformedJson, at, "malformed JSON").caused_by(e)
    })?;
    refuse_duplicate_keys(path, bytes)?;
    Ok(value)
}

/// JSON-002 for a key given twice in one object of well-formed JSON `bytes` (a parser would keep one of the two
/// values in silence). Run on every JSON file read, whether parsed to a value or typed straight from its bytes.
pub fn refuse_duplicate_keys(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    if let Some(d) = first_duplicate_key(bytes) {
        let at = format!("{}:{}:{}", path.display(), d.second.line, d.second.column);
        let what = format!("the key `{}` is given twice in one object", d.key);
        return Err(ToolError::new(ErrorKind::MalformedJson, at, what)
            .caused_by(format!(
                "first at line {}, column {}; again at line {}, column {}",
                d.first.line, d.first.column, d.second.line, d.second.column
            ))
            .with_hint("keep one of the two: a reader would drop the other without a word"));
    }
    Ok(())
}

/// Validates one parsed document against the schema; JSON-003 listing every violation with its pointer.
pub fn check_schema(path: &Path, value: &Value) -> Result<(), ToolError> {
    let violations = schema::validate(value);
    if violations.is_empty() {
        return Ok(());
    }
    let mut err = ToolError::new(
        ErrorKind::SchemaViolation,
        path.display().to_string(),
        format!("{} schema violation(s)", violations.len()),
    );
    for v in violations {
        err = err.caused_by(format!("at `{}`: {}", if v.pointer.is_empty() { "/" } else { &v.pointer }, v.message));
    }
    Err(err)
}

/// One of our documents, typed by its `kind`.
#[derive(Debug, Clone)]
pub enum Document {
    Chain(ChainDocument),
    Quarantine(QuarantineDocument),
    Manifest(Manifest),
}

impl Document {
    /// The `kind` the document says it is.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::Chain(d) => d.kind,
            Document::Quarantine(d) => d.kind,
            Document::Manifest(d) => d.kind,
        }
    }
}

/// JSON-003 for a document that does not deserialize as the kind it is read as.
/// A typed read that failed: bytes that are not JSON at all are malformed (JSON-002, at the position the parser
/// stopped, as `parse_json` says it); JSON of the wrong shape does not match its kind (JSON-003).
fn not_its_kind(file: &Path) -> impl Fn(serde_json::Error) -> ToolError + '_ {
    move |e| {
        if e.is_syntax() || e.is_eof() {
            let at = format!("{}:{}:{}", file.display(), e.line(), e.column());
            return ToolError::new(ErrorKind::MalformedJson, at, "malformed JSON").caused_by(e);
        }
        ToolError::new(ErrorKind::SchemaViolation, file.display().to_string(), "document does not match its kind")
            .caused_by(e)
    }
}

/// One of our files, read and typed; only its digest is kept of its bytes.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub path: PathBuf,
    pub sha256: String,
    pub document: Document,
}

/// The file names and digests a folder's manifest vouches for.
pub type Vouched = Vec<(String, String)>;

/// True when the manifest lists this file name with exactly this digest.
pub fn is_vouched(vouched: &Vouched, file: &Path, sha256: &str) -> bool {
    let name = file_name(file);
    vouched.iter().any(|(n, digest)| *n == name && digest == sha256)
}

/// Reads one of our files: straight into its typed document when the manifest vouches for its bytes, else
/// parsed, schema-checked and typed.
pub fn read_file(file: &Path, vouched: &Vouched) -> Result<ReadFile, ToolError> {
    let bytes = read_bytes(file)?;
    let sha256 = sha256_hex(&bytes);
    let document = if is_vouched(vouched, file, &sha256) {
        refuse_duplicate_keys(file, &bytes)?;
        typed_from_bytes(file, &bytes)?
    } else {
        let value = parse_json(file, &bytes)?;
        drop(bytes);
        checked_document(file, value)?
    };
    Ok(ReadFile { path: file.to_path_buf(), sha256, document })
}

/// A parsed file of ours: schema-checked, then typed by its `kind`.
pub fn checked_document(file: &Path, value: Value) -> Result<Document, ToolError> {
    check_schema(file, &value)?;
    typed_document(file, value)
}

/// A file `migrate` wrote, typed by the name `migrate` gave it; its `kind` must agree.
pub fn typed_from_bytes(file: &Path, bytes: &[u8]) -> Result<Document, ToolError> {
    let typed = not_its_kind(file);
    let (document, expected) = match file_name(file).as_str() {
        MANIFEST_FILE => (Document::Manifest(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Manifest),
        crate::core::document::QUARANTINE_FILE => {
            (Document::Quarantine(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Quarantine)
        }
        _ => (Document::Chain(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Chain),
    };
    if document.kind() != expected {
        return Err(ToolError::new(
            ErrorKind::SchemaViolation,
            file.display().to_string(),
            "document does not match its kind",
        ));
    }
    Ok(document)
}

fn typed_document(file: &Path, value: Value) -> Result<Document, ToolError> {
    let shown = file.display().to_string();
    let typed = not_its_kind(file);
    match value.get("kind").and_then(Value::as_str) {
        Some("chain") => Ok(Document::Chain(serde_json::from_value(value).map_err(&typed)?)),
        Some("quarantine") => Ok(Document::Quarantine(serde_json::from_value(value).map_err(&typed)?)),
        Some("manifest") => Ok(Document::Manifest(serde_json::from_value(value).map_err(&typed)?)),
        Some(kind) => {
            Err(ToolError::new(ErrorKind::SchemaViolation, &shown, format!("unknown document kind `{kind}`")))
        }
        None => Err(ToolError::new(ErrorKind::SchemaViolation, &shown, "document has no `kind`")),
    }
}

/// A file's name as text.
pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The digests the folder's manifest lists, if it has one that parses and is schema-valid (a broken manifest
/// vouches for nothing: it is reported when it is read like any other file).
pub fn vouched_digests(files: &[PathBuf]) -> Vouched {
    let Some(manifest_path) = files.iter().find(|p| file_name(p) == MANIFEST_FILE) else { return Vec::new() };
    let Ok((_, value)) = read_json(manifest_path) else { return Vec::new() };
    if !schema::validate(&value).is_empty() {
        return Vec::new();
    }
    match serde_json::from_value::<Manifest>(value) {
        Ok(manifest) => manifest.files.into_iter().map(|f| (f.name, f.sha256)).collect(),
        Err(_) => Vec::new(),
    }
}
