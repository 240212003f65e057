//! Reads our own JSON documents (a migration output folder, or single files) back into entries.
//! Reads files only.
//!
//! Every file is parsed (JSON-002 with line and column), validated against the schema (JSON-003 with the JSON
//! pointer), and, when the folder has a manifest, checked against the manifest's digests (MIGRATION-003).

use crate::core::digest::sha256_hex;
use crate::core::document::{ChainDocument, Manifest, QuarantineDocument, MANIFEST_FILE};
use crate::core::migrate::unmigrate;
use crate::core::record::Entry;
use crate::error::{ErrorCode, ToolError};
use crate::schema;
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
    /// The entries the documents hold, in key byte order.
    pub fn entries(&self, path: &Path) -> Result<Vec<Entry>, ToolError> {
        unmigrate(&self.chains, self.quarantine.as_ref()).map_err(|e| {
            ToolError::new(ErrorCode::Json003, path.display().to_string(), "the documents do not form one record set")
                .caused_by(e)
        })
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
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| ToolError::new(ErrorCode::Json001, &shown, "cannot read").caused_by(e))?;
    let value = serde_json::from_slice(&bytes).map_err(|e| {
        ToolError::new(ErrorCode::Json002, format!("{shown}:{}:{}", e.line(), e.column()), "malformed JSON")
            .caused_by(e)
    })?;
    Ok((bytes, value))
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

/// Reads every document at `path` (a folder or one file).
pub fn read_documents(path: &Path) -> Result<DocumentSet, ToolError> {
    let mut set = DocumentSet::default();
    let mut raw: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for file in json_files(path)? {
        let (bytes, value) = read_json(&file)?;
        check_schema(&file, &value)?;
        add_document(&mut set, &file, value)?;
        raw.push((file.clone(), bytes));
        set.files.push(file);
    }
    if set.files.is_empty() {
        return Err(ToolError::new(ErrorCode::Json001, path.display().to_string(), "no .json file here")
            .with_hint("pass a folder written by `lookcoin-state migrate`, or one of its files"));
    }
    if let Some(manifest) = &set.manifest {
        verify_manifest(path, manifest, &raw)?;
    }
    Ok(set)
}

fn add_document(set: &mut DocumentSet, file: &Path, value: Value) -> Result<(), ToolError> {
    let shown = file.display().to_string();
    let typed = |e: serde_json::Error| {
        ToolError::new(ErrorCode::Json003, &shown, "document does not match its kind").caused_by(e)
    };
    match value.get("kind").and_then(Value::as_str) {
        Some("chain") => set.chains.push(serde_json::from_value(value).map_err(typed)?),
        Some("quarantine") if set.quarantine.is_none() => {
            set.quarantine = Some(serde_json::from_value(value).map_err(typed)?)
        }
        Some("manifest") if set.manifest.is_none() => {
            set.manifest = Some(serde_json::from_value(value).map_err(typed)?)
        }
        Some(kind) => {
            return Err(ToolError::new(ErrorCode::Json003, &shown, format!("a second `{kind}` document in one set")))
        }
        None => return Err(ToolError::new(ErrorCode::Json003, &shown, "document has no `kind`")),
    }
    Ok(())
}

/// Checks that every file the manifest lists is present with its recorded digest, and that no chain document
/// is present that the manifest does not list.
fn verify_manifest(path: &Path, manifest: &Manifest, raw: &[(PathBuf, Vec<u8>)]) -> Result<(), ToolError> {
    let name_of = |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for listed in manifest.files.iter().filter(|f| f.name != MANIFEST_FILE) {
        let subject = path.join(&listed.name).display().to_string();
        let Some((_, bytes)) = raw.iter().find(|(p, _)| name_of(p) == listed.name) else {
            return Err(ToolError::new(ErrorCode::Migration003, subject, "a file the manifest lists is missing"));
        };
        let actual = sha256_hex(bytes);
        if actual != listed.sha256 {
            return Err(ToolError::new(ErrorCode::Migration003, subject, "file differs from the manifest")
                .caused_by(format!("sha256 is {actual}, the manifest says {}", listed.sha256)));
        }
    }
    for (file, _) in raw {
        let name = name_of(file);
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
