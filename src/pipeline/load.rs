//! The load step: any source the tool reads, as a [`SourceState`]; our documents as a [`DocumentSet`]. Detects
//! the format of a path (or takes it from a flag), reads and parses each file exactly once, one file per core,
//! and hands parsed JSON to the pure readers in `core::formats`. Reads files only.

use crate::core::digest::sha256_hex;
use crate::core::document::{
    manifest_changes, ChainDocument, FileChange, FileChangeKind, Manifest, QuarantineDocument,
};
use crate::core::formats::hardhat_deploy::{self, DeploymentFolder};
use crate::core::formats::{
    self, entries, foundry_broadcast, legacy_v1, openzeppelin, unified_v3, FormatError, InputFile,
};
use crate::core::migrate::{chain_entries, merge_entries, quarantine_entries, UnmigrateError};
use crate::core::network::NetworkTable;
use crate::core::record::Entry;
use crate::core::state::{SourceFormat, SourceState};
use crate::error::{ErrorKind, ToolError};
use crate::io::documents::{
    checked_document, file_name, is_vouched, json_files, parse_json, read_bytes, read_file, refuse_duplicate_keys,
    typed_from_bytes, vouched_digests, Document, ReadFile, Vouched,
};
use crate::io::leveldb::{looks_like_leveldb, read_leveldb};
use crate::pipeline::parallel;
use std::path::{Path, PathBuf};

const EXPECTED: &str =
    "a LevelDB folder, our enhanced JSON (schemaVersion 2.0.0), legacy v1 deployments/<network>.json, \
v3 deployments/unified/*.unified.json, OpenZeppelin .openzeppelin/<network>.json, hardhat-deploy \
deployments/<network>/ folders, or Foundry broadcast/<Script>.s.sol/<chainId>/run-latest.json";

/// The documents found at a path, each with the file it came from.
#[derive(Debug, Clone, Default)]
pub struct DocumentSet {
    pub chains: Vec<(PathBuf, ChainDocument)>,
    pub quarantine: Option<(PathBuf, QuarantineDocument)>,
    pub manifest: Option<Manifest>,
    /// Every file read, in name order.
    pub files: Vec<PathBuf>,
    /// Files that differ from the manifest (edited, added or removed since the migration wrote them).
    pub changes: Vec<FileChange>,
}

impl DocumentSet {
    /// The set of files read: at most one quarantine and one manifest, and the files that differ from the
    /// manifest (if there is one) noted, not refused: after cutover the JSON is the live store, and edited files
    /// are exactly what `compare` must read. (`validate` is the strict one: see [`DocumentSet::unchanged`].)
    fn of_files(files: Vec<ReadFile>) -> Result<DocumentSet, ToolError> {
        let mut set = DocumentSet::default();
        let mut digests: Vec<(String, String, Option<u64>)> = Vec::new();
        for read in files {
            let chain = if let Document::Chain(doc) = &read.document { Some(doc.chain_id) } else { None };
            digests.push((file_name(&read.path), read.sha256, chain));
            set.add(&read.path, read.document)?;
            set.files.push(read.path);
        }
        if let Some(manifest) = &set.manifest {
            set.changes = manifest_changes(manifest, &digests);
        }
        Ok(set)
    }

    /// The set, when every file is as its manifest lists it; else MIGRATION-003 naming the first change in full
    /// and every other one after it.
    pub fn unchanged(self, path: &Path) -> Result<DocumentSet, ToolError> {
        let Some((first, rest)) = self.changes.split_first() else { return Ok(self) };
        let subject = path.join(&first.file).display().to_string();
        let mut err = match first.change {
            FileChangeKind::Changed => {
                ToolError::new(ErrorKind::ChangedSinceWritten, subject, "file differs from the manifest").caused_by(
                    format!(
                        "sha256 is {}, the manifest says {}",
                        first.sha256.as_deref().unwrap_or("-"),
                        first.manifest_sha256.as_deref().unwrap_or("-")
                    ),
                )
            }
            FileChangeKind::Removed => {
                ToolError::new(ErrorKind::ChangedSinceWritten, subject, "a file the manifest lists is missing")
            }
            FileChangeKind::Added => {
                ToolError::new(ErrorKind::ChangedSinceWritten, subject, "file is not in the manifest")
                    .with_hint("move files that are not part of this migration out of the folder")
            }
        };
        for c in rest {
            err = err.caused_by(format!("also {} {}", c.file, c.change.name()));
        }
        Err(err)
    }

    fn add(&mut self, file: &Path, document: Document) -> Result<(), ToolError> {
        let second = |kind: &str| {
            ToolError::new(
                ErrorKind::SchemaViolation,
                file.display().to_string(),
                format!("a second `{kind}` document in one set"),
            )
        };
        match document {
            Document::Chain(doc) => self.chains.push((file.to_path_buf(), doc)),
            Document::Quarantine(doc) if self.quarantine.is_none() => self.quarantine = Some((file.to_path_buf(), doc)),
            Document::Manifest(doc) if self.manifest.is_none() => self.manifest = Some(doc),
            Document::Quarantine(_) => return Err(second("quarantine")),
            Document::Manifest(_) => return Err(second("manifest")),
        }
        Ok(())
    }

    /// The entries the documents hold, in key byte order (the documents' strings move into the entries; the
    /// chain documents are turned into records one per core at a time).
    pub fn into_entries(self, path: &Path) -> Result<Vec<Entry>, ToolError> {
        let fail = |e: UnmigrateError| {
            ToolError::new(
                ErrorKind::SchemaViolation,
                path.display().to_string(),
                "the documents do not form one record set",
            )
            .caused_by(e)
        };
        let chains: Vec<ChainDocument> = self.chains.into_iter().map(|(_, doc)| doc).collect();
        let mut parts =
            parallel::map_owned(chains, 1, chain_entries).into_iter().collect::<Result<Vec<_>, _>>().map_err(fail)?;
        if let Some((_, quarantine)) = self.quarantine {
            parts.push(quarantine_entries(quarantine).map_err(fail)?);
        }
        merge_entries(parts).map_err(fail)
    }
}

/// The `*.json` files at `path`; an error when there are none.
fn input_files(path: &Path, expected: &str) -> Result<Vec<PathBuf>, ToolError> {
    let files = json_files(path)?;
    if files.is_empty() {
        return Err(ToolError::new(ErrorKind::InputNotFound, path.display().to_string(), "no .json file here")
            .with_hint(format!("pass {expected}")));
    }
    Ok(files)
}

/// Reads every document of ours at `path` (a folder or one file), one file per core at a time. Errors are those
/// of the first failing file in name order, as if the files were read one after the other.
pub fn read_documents(path: &Path) -> Result<DocumentSet, ToolError> {
    let files = input_files(path, "a folder written by `lookcoin-state migrate`, or one of its files")?;
    let vouched = vouched_digests(&files);
    let read = parallel::map(&files, 1, |file| read_file(file, &vouched)).into_iter().collect::<Result<_, _>>()?;
    DocumentSet::of_files(read)
}

/// The JSON formats of other tools (ours is read as typed documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OtherFormat {
    LegacyV1,
    UnifiedV3,
    OpenZeppelin,
    HardhatDeploy,
    FoundryBroadcast,
}

impl OtherFormat {
    fn source_format(self) -> SourceFormat {
        match self {
            OtherFormat::LegacyV1 => SourceFormat::LegacyV1,
            OtherFormat::UnifiedV3 => SourceFormat::UnifiedV3,
            OtherFormat::OpenZeppelin => SourceFormat::OpenZeppelin,
            OtherFormat::HardhatDeploy => SourceFormat::HardhatDeploy,
            OtherFormat::FoundryBroadcast => SourceFormat::FoundryBroadcast,
        }
    }
}

/// How a JSON file is to be read: as one of our documents, or as another tool's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonFormat {
    Ours,
    Other(OtherFormat),
}

impl JsonFormat {
    fn of(format: SourceFormat) -> Option<JsonFormat> {
        match format {
            SourceFormat::LevelDb => None,
            SourceFormat::Enhanced => Some(JsonFormat::Ours),
            SourceFormat::LegacyV1 => Some(JsonFormat::Other(OtherFormat::LegacyV1)),
            SourceFormat::UnifiedV3 => Some(JsonFormat::Other(OtherFormat::UnifiedV3)),
            SourceFormat::OpenZeppelin => Some(JsonFormat::Other(OtherFormat::OpenZeppelin)),
            SourceFormat::HardhatDeploy => Some(JsonFormat::Other(OtherFormat::HardhatDeploy)),
            SourceFormat::FoundryBroadcast => Some(JsonFormat::Other(OtherFormat::FoundryBroadcast)),
        }
    }
}

/// One input file, read and parsed once: typed when it is ours, else its JSON, the format it is in and the
/// SHA-256 of its bytes.
enum LoadedFile {
    Ours(ReadFile),
    Other(InputFile, OtherFormat, String),
}

impl LoadedFile {
    fn format(&self) -> JsonFormat {
        match self {
            LoadedFile::Ours(_) => JsonFormat::Ours,
            LoadedFile::Other(_, format, _) => JsonFormat::Other(*format),
        }
    }
}

/// Reads one file of a source: in the format given, else the one its content shows.
fn load_file(file: &Path, vouched: &Vouched, given: Option<JsonFormat>) -> Result<LoadedFile, ToolError> {
    let bytes = read_bytes(file)?;
    let sha256 = sha256_hex(&bytes);
    let path = file.to_path_buf();
    if given.is_none_or(|f| f == JsonFormat::Ours) && is_vouched(vouched, file, &sha256) {
        refuse_duplicate_keys(file, &bytes)?;
        return Ok(LoadedFile::Ours(ReadFile { document: typed_from_bytes(file, &bytes)?, path, sha256 }));
    }
    let json = parse_json(file, &bytes)?;
    drop(bytes);
    let format = match given {
        Some(format) => format,
        None => formats::detect(&json).and_then(JsonFormat::of).ok_or_else(|| {
            ToolError::new(
                ErrorKind::UnknownFormat,
                file.display().to_string(),
                "not a deployment-state format this tool knows",
            )
            .with_hint(format!("expected {EXPECTED}; or name the format with --left-format/--right-format"))
        })?,
    };
    Ok(match format {
        JsonFormat::Ours => LoadedFile::Ours(ReadFile { document: checked_document(file, json)?, path, sha256 }),
        JsonFormat::Other(other) => {
            LoadedFile::Other(InputFile { origin: file.display().to_string(), json }, other, sha256)
        }
    })
}

/// Reads the source at `path`, in `format` when given, else the one detected.
pub fn load_source(path: &Path, format: Option<SourceFormat>) -> Result<SourceState, ToolError> {
    let label = path.display().to_string();
    let given = match format {
        Some(f) => JsonFormat::of(f),
        None if looks_like_leveldb(path) => None,
        None => return load_json(path, &label, None),
    };
    match given {
        None => {
            let read = read_leveldb(path)?;
            Ok(entries::from_entries(&label, &parallel::parse_entries(&read.entries)))
        }
        Some(given) => load_json(path, &label, Some(given)),
    }
}

/// Reads a JSON source: every file once, all of one format.
fn load_json(path: &Path, label: &str, given: Option<JsonFormat>) -> Result<SourceState, ToolError> {
    let files = match tool_folder_files(path)? {
        Some(files) => files,
        None => input_files(path, EXPECTED)?,
    };
    let vouched = vouched_digests(&files);
    let loaded: Vec<LoadedFile> =
        parallel::map(&files, 1, |file| load_file(file, &vouched, given)).into_iter().collect::<Result<_, _>>()?;
    let format = one_format(path, &loaded)?;
    let digests = loaded
        .iter()
        .map(|f| match f {
            LoadedFile::Ours(r) => (r.path.display().to_string(), r.sha256.clone()),
            LoadedFile::Other(i, _, sha256) => (i.origin.clone(), sha256.clone()),
        })
        .collect();
    let mut state = json_state(label, format, loaded)?;
    state.digests = digests;
    Ok(state)
}

/// The state of the files of one JSON source, all of `format`.
fn json_state(label: &str, format: JsonFormat, loaded: Vec<LoadedFile>) -> Result<SourceState, ToolError> {
    let table = NetworkTable::builtin();
    match format {
        JsonFormat::Ours => {
            let ours = loaded.into_iter().filter_map(|f| if let LoadedFile::Ours(r) = f { Some(r) } else { None });
            let set = DocumentSet::of_files(ours.collect())?;
            let chains: Vec<(String, ChainDocument)> =
                set.chains.into_iter().map(|(p, d)| (p.display().to_string(), d)).collect();
            let quarantine = set.quarantine.map(|(p, d)| (p.display().to_string(), d));
            let mut state =
                entries::from_documents(label, &chains, quarantine.as_ref(), &table).map_err(format_error)?;
            state.changed_files = set.changes;
            Ok(state)
        }
        JsonFormat::Other(other) => {
            let inputs: Vec<InputFile> = loaded
                .into_iter()
                .filter_map(|f| if let LoadedFile::Other(i, _, _) = f { Some(i) } else { None })
                .collect();
            match other {
                OtherFormat::LegacyV1 => legacy_v1::parse(label, &inputs, &table),
                OtherFormat::UnifiedV3 => unified_v3::parse(label, &inputs, &table),
                OtherFormat::OpenZeppelin => openzeppelin::parse(label, &inputs),
                OtherFormat::HardhatDeploy => hardhat_deploy::parse(label, &deployment_folders(inputs), &table),
                OtherFormat::FoundryBroadcast => foundry_broadcast::parse(label, &inputs),
            }
            .map_err(format_error)
        }
    }
}

/// The files of a folder laid out by another tool, when `path` holds no `*.json` of its own: hardhat-deploy's
/// `deployments/` (network folders holding `.chainId`), or Foundry's `broadcast/` (every `run-latest.json`
/// below it). `None` for any other path.
fn tool_folder_files(path: &Path) -> Result<Option<Vec<PathBuf>>, ToolError> {
    if !path.is_dir() || !json_files(path)?.is_empty() {
        return Ok(None);
    }
    let mut networks = Vec::new();
    let mut latest = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let listing =
            std::fs::read_dir(&dir).map_err(|e| ToolError::input_io(dir.display().to_string(), "cannot list", e))?;
        for entry in listing.flatten() {
            let p = entry.path();
            // A linked folder is not followed: a link back up the tree would be walked without end.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if file_name(&p) == ".chainId" {
                networks.extend(json_files(&dir)?);
            } else if file_name(&p) == "run-latest.json" {
                latest.push(p);
            }
        }
    }
    let mut files = if networks.is_empty() { latest } else { networks };
    files.sort();
    Ok((!files.is_empty()).then_some(files))
}

/// hardhat-deploy inputs grouped by network folder, each with its `.chainId` text.
fn deployment_folders(inputs: Vec<InputFile>) -> Vec<DeploymentFolder> {
    let mut folders: Vec<DeploymentFolder> = Vec::new();
    for input in inputs {
        let folder = Path::new(&input.origin).parent().map(Path::to_path_buf).unwrap_or_default();
        let origin = folder.display().to_string();
        match folders.iter_mut().find(|f| f.origin == origin) {
            Some(f) => f.files.push(input),
            None => {
                let chain_id = read_bytes(&folder.join(".chainId")).ok().and_then(|b| String::from_utf8(b).ok());
                folders.push(DeploymentFolder { origin, chain_id, files: vec![input] });
            }
        }
    }
    folders
}

/// The one format every file of a path has.
fn one_format(path: &Path, loaded: &[LoadedFile]) -> Result<JsonFormat, ToolError> {
    let first = loaded.first().map(LoadedFile::format).unwrap_or(JsonFormat::Ours);
    let name = |f: JsonFormat| match f {
        JsonFormat::Ours => SourceFormat::Enhanced,
        JsonFormat::Other(o) => o.source_format(),
    };
    if let Some(file) = loaded.iter().find(|f| f.format() != first) {
        let origin = match file {
            LoadedFile::Ours(r) => r.path.display().to_string(),
            LoadedFile::Other(i, _, _) => i.origin.clone(),
        };
        return Err(ToolError::new(
            ErrorKind::UnknownFormat,
            path.display().to_string(),
            format!("files of two formats in one source: {} and {} ({origin})", name(first), name(file.format())),
        )
        .with_hint("point at a folder holding one format"));
    }
    Ok(first)
}

fn format_error(e: FormatError) -> ToolError {
    let error = ToolError::new(ErrorKind::FormatViolation, e.origin, e.problem);
    match e.hint {
        Some(hint) => error.with_hint(hint),
        None => error,
    }
}
