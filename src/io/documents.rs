//! Reads our own JSON documents (a migration output folder, or single files) back into entries.
//! Reads files only.
//!
//! Every file is parsed (JSON-002 with line and column) and typed, every record in it validated when it becomes an
//! entry, and, when the folder has a manifest, each file checked against the manifest's digests (MIGRATION-003).
//!
//! The schema check (JSON-003 with the JSON pointer) is skipped for one kind of file: one whose SHA-256 equals
//! the one its folder's (schema-valid) manifest lists. Those bytes are what `migrate` or `reconcile --apply`
//! wrote, and both prove the very bytes against the schema before writing them; reading them through a
//! `serde_json::Value` only for the schema would be most of the read at 100,000 records. The manifest is a
//! consistency check, not a signature: a folder whose manifest was rewritten to match edited files is read
//! without the schema check (its records are still validated; the typed documents refuse unknown fields). Any
//! other file (no manifest, not listed, another digest) is checked against the schema in full, so an edited file
//! is reported with the JSON pointer of what is wrong. `validate` always checks every file against the schema.

use crate::core::digest::sha256_hex;
use crate::core::document::{
    ChainDocument, DocumentKind, Manifest, QuarantineDocument, MANIFEST_FILE, QUARANTINE_FILE,
};
use crate::core::migrate::{chain_entries, merge_entries, quarantine_entries, UnmigrateError};
use crate::core::record::Entry;
use crate::error::{ErrorCode, ToolError};
use crate::{parallel, schema};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The documents found at a path.
#[derive(Debug, Clone, Default)]
pub struct DocumentSet {
    pub chains: Vec<ChainDocument>,
    pub quarantine: Option<QuarantineDocument>,
    pub manifest: Option<Manifest>,
    /// Every file read, in name order.
    pub files: Vec<PathBuf>,
}

impl DocumentSet {
    /// The entries the documents hold, in key byte order (the documents' strings move into the entries; the
    /// chain documents are turned into records one per core at a time).
    pub fn into_entries(self, path: &Path) -> Result<Vec<Entry>, ToolError> {
        let fail = |e: UnmigrateError| {
            ToolError::new(ErrorCode::Json003, path.display().to_string(), "the documents do not form one record set")
                .caused_by(e)
        };
        let mut parts = parallel::map_owned(self.chains, 1, chain_entries)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        if let Some(quarantine) = self.quarantine {
            parts.push(quarantine_entries(quarantine).map_err(fail)?);
        }
        merge_entries(parts).map_err(fail)
    }
}

/// The `*.json` files of a folder in name order, or the file itself.
pub fn json_files(path: &Path) -> Result<Vec<PathBuf>, ToolError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ToolError::new(ErrorCode::Json001, path.display().to_string(), "cannot open").caused_by(e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let listing = std::fs::read_dir(path)
        .map_err(|e| ToolError::new(ErrorCode::Json001, path.display().to_string(), "cannot list").caused_by(e))?;
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and parses one JSON file.
pub fn read_json(path: &Path) -> Result<(Vec<u8>, Value), ToolError> {
    let bytes = read_bytes(path)?;
    let value = parse_json(path, &bytes)?;
    Ok((bytes, value))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ToolError> {
    std::fs::read(path)
        .map_err(|e| ToolError::new(ErrorCode::Json001, path.display().to_string(), "cannot read").caused_by(e))
}

/// Parses bytes read from `path`; JSON-002 with line and column.
fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, ToolError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ToolError::new(ErrorCode::Json002, format!("{}:{}:{}", path.display(), e.line(), e.column()), "malformed JSON")
            .caused_by(e)
    })
}

/// Validates one parsed document against the schema; JSON-003 listing every violation with its pointer.
pub fn check_schema(path: &Path, value: &Value) -> Result<(), ToolError> {
    let violations = schema::validate(value);
    if violations.is_empty() {
        return Ok(());
    }
    let mut err = ToolError::new(
        ErrorCode::Json003,
        path.display().to_string(),
        format!("{} schema violation(s)", violations.len()),
    );
    for v in violations {
        err = err.caused_by(format!("at `{}`: {}", if v.pointer.is_empty() { "/" } else { &v.pointer }, v.message));
    }
    Err(err)
}

/// One document, typed by its `kind`.
enum Document {
    Chain(ChainDocument),
    Quarantine(QuarantineDocument),
    Manifest(Manifest),
}

impl Document {
    /// The `kind` the document says it is.
    fn kind(&self) -> DocumentKind {
        match self {
            Document::Chain(d) => d.kind,
            Document::Quarantine(d) => d.kind,
            Document::Manifest(d) => d.kind,
        }
    }
}

/// JSON-003 for a document that does not deserialize as the kind it is read as.
fn not_its_kind(file: &Path) -> impl Fn(serde_json::Error) -> ToolError + '_ {
    move |e| {
        ToolError::new(ErrorCode::Json003, file.display().to_string(), "document does not match its kind").caused_by(e)
    }
}

/// One file read and typed; only its digest is kept of its bytes.
struct ReadFile {
    path: PathBuf,
    sha256: String,
    document: Document,
}

/// Reads one file: straight into its typed document when the manifest vouches for its bytes, else parsed,
/// schema-checked and typed.
fn read_file(file: &Path, vouched: &[(String, String)]) -> Result<ReadFile, ToolError> {
    let bytes = read_bytes(file)?;
    let sha256 = sha256_hex(&bytes);
    let name = file_name(file);
    let document = if vouched.iter().any(|(n, digest)| *n == name && *digest == sha256) {
        typed_from_bytes(file, &name, &bytes)?
    } else {
        let value = parse_json(file, &bytes)?;
        drop(bytes);
        check_schema(file, &value)?;
        typed_document(file, value)?
    };
    Ok(ReadFile { path: file.to_path_buf(), sha256, document })
}

/// A file `migrate` wrote, typed by the name `migrate` gave it; its `kind` must agree.
fn typed_from_bytes(file: &Path, name: &str, bytes: &[u8]) -> Result<Document, ToolError> {
    let typed = not_its_kind(file);
    let (document, expected) = match name {
        MANIFEST_FILE => (Document::Manifest(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Manifest),
        QUARANTINE_FILE => {
            (Document::Quarantine(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Quarantine)
        }
        _ => (Document::Chain(serde_json::from_slice(bytes).map_err(&typed)?), DocumentKind::Chain),
    };
    if document.kind() != expected {
        return Err(ToolError::new(ErrorCode::Json003, file.display().to_string(), "document does not match its kind"));
    }
    Ok(document)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The digests the folder's manifest lists, if it has one that parses and is schema-valid (a broken manifest
/// vouches for nothing: it is reported when it is read like any other file).
fn vouched_digests(files: &[PathBuf]) -> Vec<(String, String)> {
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

/// Reads every document at `path` (a folder or one file), one file per core at a time. Errors are those of the
/// first failing file in name order, as if the files were read one after the other.
pub fn read_documents(path: &Path) -> Result<DocumentSet, ToolError> {
    let files = json_files(path)?;
    if files.is_empty() {
        return Err(ToolError::new(ErrorCode::Json001, path.display().to_string(), "no .json file here")
            .with_hint("pass a folder written by `lookcoin-state migrate`, or one of its files"));
    }
    let vouched = vouched_digests(&files);
    let mut set = DocumentSet::default();
    let mut digests: Vec<(PathBuf, String)> = Vec::new();
    for read in parallel::map(&files, 1, |file| read_file(file, &vouched)) {
        let read = read?;
        add_document(&mut set, &read.path, read.document)?;
        digests.push((read.path.clone(), read.sha256));
        set.files.push(read.path);
    }
    if let Some(manifest) = &set.manifest {
        verify_manifest(path, manifest, &digests)?;
    }
    Ok(set)
}

fn typed_document(file: &Path, value: Value) -> Result<Document, ToolError> {
    let shown = file.display().to_string();
    let typed = not_its_kind(file);
    match value.get("kind").and_then(Value::as_str) {
        Some("chain") => Ok(Document::Chain(serde_json::from_value(value).map_err(&typed)?)),
        Some("quarantine") => Ok(Document::Quarantine(serde_json::from_value(value).map_err(&typed)?)),
        Some("manifest") => Ok(Document::Manifest(serde_json::from_value(value).map_err(&typed)?)),
        Some(kind) => Err(ToolError::new(ErrorCode::Json003, &shown, format!("unknown document kind `{kind}`"))),
        None => Err(ToolError::new(ErrorCode::Json003, &shown, "document has no `kind`")),
    }
}

fn add_document(set: &mut DocumentSet, file: &Path, document: Document) -> Result<(), ToolError> {
    let second = |kind: &str| {
        ToolError::new(ErrorCode::Json003, file.display().to_string(), format!("a second `{kind}` document in one set"))
    };
    match document {
        Document::Chain(doc) => set.chains.push(doc),
        Document::Quarantine(doc) if set.quarantine.is_none() => set.quarantine = Some(doc),
        Document::Manifest(doc) if set.manifest.is_none() => set.manifest = Some(doc),
        Document::Quarantine(_) => return Err(second("quarantine")),
        Document::Manifest(_) => return Err(second("manifest")),
    }
    Ok(())
}

/// Checks that every file the manifest lists is present with its recorded digest, and that no chain document
/// is present that the manifest does not list.
fn verify_manifest(path: &Path, manifest: &Manifest, digests: &[(PathBuf, String)]) -> Result<(), ToolError> {
    for listed in manifest.files.iter().filter(|f| f.name != MANIFEST_FILE) {
        let subject = path.join(&listed.name).display().to_string();
        let Some((_, actual)) = digests.iter().find(|(p, _)| file_name(p) == listed.name) else {
            return Err(ToolError::new(ErrorCode::Migration003, subject, "a file the manifest lists is missing"));
        };
        if *actual != listed.sha256 {
            return Err(ToolError::new(ErrorCode::Migration003, subject, "file differs from the manifest")
                .caused_by(format!("sha256 is {actual}, the manifest says {}", listed.sha256)));
        }
    }
    for (file, _) in digests {
        let name = file_name(file);
        if name != MANIFEST_FILE && !manifest.files.iter().any(|f| f.name == name) {
            return Err(ToolError::new(
                ErrorCode::Migration003,
                file.display().to_string(),
                "file is not in the manifest",
            )
            .with_hint("move files that are not part of this migration out of the folder"));
        }
    }
    Ok(())
}
