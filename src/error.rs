//! Errors the user sees: a stable code from the troubleshooting guide, what it concerns, why, and what to do next.
//!
//! Pure data plus a renderer; no I/O. Every failure of the tool (as opposed to a finding about the data) ends up as a
//! [`ToolError`] of one [`ErrorKind`] (its cause), which decides the seed code, the exit code and the hint.

use std::fmt;

/// The codes of the troubleshooting guide (docs/DOMAIN.md section 8). Code and message are part of the tool's contract: never reword or reuse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorCode {
    Migration001,
    Migration002,
    Migration003,
    Migration004,
    Migration005,
    Json001,
    Json002,
    Json003,
    LevelDb001,
    LevelDb002,
}

impl ErrorCode {
    /// Every code, in the order of the guide; used by the docs and the snapshot of all error texts.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Migration001,
        ErrorCode::Migration002,
        ErrorCode::Migration003,
        ErrorCode::Migration004,
        ErrorCode::Migration005,
        ErrorCode::Json001,
        ErrorCode::Json002,
        ErrorCode::Json003,
        ErrorCode::LevelDb001,
        ErrorCode::LevelDb002,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::Migration001 => "MIGRATION-001",
            ErrorCode::Migration002 => "MIGRATION-002",
            ErrorCode::Migration003 => "MIGRATION-003",
            ErrorCode::Migration004 => "MIGRATION-004",
            ErrorCode::Migration005 => "MIGRATION-005",
            ErrorCode::Json001 => "JSON-001",
            ErrorCode::Json002 => "JSON-002",
            ErrorCode::Json003 => "JSON-003",
            ErrorCode::LevelDb001 => "LEVELDB-001",
            ErrorCode::LevelDb002 => "LEVELDB-002",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::Migration001 => "Migration process failed: Unable to migrate contract data",
            ErrorCode::Migration002 => "Backend synchronization failed: Data mismatch between LevelDB and JSON",
            ErrorCode::Migration003 => "Data integrity violation: Contract data corrupted or missing",
            ErrorCode::Migration004 => "StateManager initialization failed: Unable to create backend connection",
            ErrorCode::Migration005 => {
                "Performance degradation critical: Operation latency exceeds acceptable thresholds"
            }
            ErrorCode::Json001 => "JSON file access error: Permission denied or file not found",
            ErrorCode::Json002 => "JSON parse error: Malformed JSON in deployment file",
            ErrorCode::Json003 => "JSON schema validation failed: Data does not match expected schema",
            ErrorCode::LevelDb001 => "LevelDB corruption: Database files corrupted or unreadable",
            ErrorCode::LevelDb002 => "LevelDB lock error: Database locked by another process",
        }
    }
}

impl ErrorCode {
    /// The code named by `text` (`LEVELDB-002`, any case), for `lookcoin-state explain`.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.code().eq_ignore_ascii_case(text.trim()))
    }

    /// The kinds reported under this code, in the order of [`ErrorKind::ALL`]; none for a reserved code.
    pub fn kinds(self) -> Vec<ErrorKind> {
        ErrorKind::ALL.into_iter().filter(|k| k.code() == self).collect()
    }

    /// What to do about any error under this code, in order; the hint of the error itself comes first.
    pub fn resolution(self) -> &'static [&'static str] {
        match self {
            ErrorCode::Migration001 => &[
                "Read the subject (the path written to) and the `caused by:` line: it says whether the disk is full, \
                 the path is not writable or the output was refused before anything was written.",
                "Nothing half-written is left: a refused or failed write keeps the previous files (or none).",
                "Fix the output path or free space, then run the same command again.",
            ],
            ErrorCode::Migration002 => &[
                "Run `lookcoin-state compare LEVELDB JSON` to list every difference between the two backends.",
                "Decide which side is right; `lookcoin-state reconcile LEFT RIGHT` plans the changes (add --apply \
                 to write them, with a backup).",
                "Run the check again until it reports no discrepancy; do not cut over before.",
            ],
            ErrorCode::Migration003 => &[
                "If the files changed since they were written, `lookcoin-state compare` with the source shows what \
                 changed; regenerate them with `lookcoin-state migrate --force`.",
                "If the pre-write proof failed, nothing was written: report it with the input, it is a bug of this tool.",
            ],
            ErrorCode::Migration004 => &[
                "Check the flag, path or endpoint named as the subject (`lookcoin-state help <command>`).",
                "For a LevelDB, pass the folder holding CURRENT and MANIFEST-*; for endpoints, CHAINID=URL with every \
                 `${VAR}` set.",
                "For the local chains, install anvil (`bash .ci/demo`) or set LOOKCOIN_ANVIL.",
            ],
            ErrorCode::Migration005 => &[
                "Reserved: lookcoin-state never reports it; speed targets live in the benches (`cargo bench`), \
                 never in a run.",
            ],
            ErrorCode::Json001 => &[
                "Check that the path exists, is a regular file or folder, and is readable by the user running the tool.",
                "A missing input is never read as an empty one; fix the path rather than creating an empty file.",
                "For a file over the size limit, check it is the right file, then raise --max-file-mb.",
            ],
            ErrorCode::Json002 => &[
                "Open the file at the line and column shown and fix the JSON (a trailing comma, a cut-off write).",
                "Or regenerate our documents from the LevelDB with `lookcoin-state migrate`.",
            ],
            ErrorCode::Json003 => &[
                "Fix the field at the JSON pointer shown, or regenerate the file with `lookcoin-state migrate`.",
                "For another tool's file, name its format with --left-format/--right-format if it was detected wrongly.",
                "`lookcoin-state validate DIR` lists every invalid document at once.",
            ],
            ErrorCode::LevelDb001 => &[
                "Restore the LevelDB folder from a backup; do not let any tool repair it in place.",
                "`lookcoin-state history DIR` shows which versions each file still holds, to judge what was lost.",
            ],
            ErrorCode::LevelDb002 => &[
                "The error names the process holding the lock: wait for it to finish.",
                "Never delete LOCK or kill the process blindly: a deploy script may be writing.",
                "Run again once the process has ended.",
            ],
        }
    }
}

/// The text of `lookcoin-state explain CODE`: the message, every cause with its exit code, meaning and hint, and
/// the resolution steps, all from the tables above.
pub fn explain(code: ErrorCode) -> String {
    use fmt::Write as _;
    let mut text = format!("{}: {}\n\nCauses:\n", code.code(), code.message());
    let kinds = code.kinds();
    if kinds.is_empty() {
        text.push_str("  none: this code is reserved and never reported by lookcoin-state.\n");
    }
    for kind in kinds {
        let _ =
            writeln!(text, "  {kind:?} (exit {})\n    {}\n    hint: {}", kind.exit_code(), kind.when(), kind.hint());
    }
    text.push_str("\nResolution:\n");
    for (i, step) in code.resolution().iter().enumerate() {
        let _ = writeln!(text, "  {}. {step}", i + 1);
    }
    text
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why the tool stopped: one kind per cause. The kind decides the seed code the user sees, whether the input or
/// the run is at fault (the exit code), and the default next step. Call sites never pick a code by hand, and
/// nothing recognises an error by its text. What each kind means is [`ErrorKind::when`], the one table the README
/// error section and `lookcoin-state explain` are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InputNotFound,
    InputPermissionDenied,
    InputUnreadable,
    InputTooLarge,
    MalformedJson,
    SchemaViolation,
    UnknownFormat,
    FormatViolation,
    ChangedSinceWritten,
    NotALevelDb,
    LevelDbCorrupt,
    LevelDbLocked,
    LevelDbBusy,
    BadFlag,
    BadEndpoint,
    BadNetworksFile,
    BadEnvironment,
    OutputRefused,
    DiskFull,
    OutputPermissionDenied,
    OutputFailed,
    OutputBusy,
    OutputClosed,
    MissingTool,
    LocalChain,
    Runtime,
    ProofFailed,
    SyncMismatch,
    DemoFailed,
}

impl ErrorKind {
    /// Every kind, for the docs and the snapshot of every error text.
    pub const ALL: [ErrorKind; 29] = [
        ErrorKind::InputNotFound,
        ErrorKind::InputPermissionDenied,
        ErrorKind::InputUnreadable,
        ErrorKind::InputTooLarge,
        ErrorKind::MalformedJson,
        ErrorKind::SchemaViolation,
        ErrorKind::UnknownFormat,
        ErrorKind::FormatViolation,
        ErrorKind::ChangedSinceWritten,
        ErrorKind::NotALevelDb,
        ErrorKind::LevelDbCorrupt,
        ErrorKind::LevelDbLocked,
        ErrorKind::LevelDbBusy,
        ErrorKind::BadFlag,
        ErrorKind::BadEndpoint,
        ErrorKind::BadNetworksFile,
        ErrorKind::BadEnvironment,
        ErrorKind::OutputRefused,
        ErrorKind::DiskFull,
        ErrorKind::OutputPermissionDenied,
        ErrorKind::OutputFailed,
        ErrorKind::OutputBusy,
        ErrorKind::OutputClosed,
        ErrorKind::MissingTool,
        ErrorKind::LocalChain,
        ErrorKind::Runtime,
        ErrorKind::ProofFailed,
        ErrorKind::SyncMismatch,
        ErrorKind::DemoFailed,
    ];

    /// When this kind happens (its doc line): the README error table's "when" column and `explain`'s causes.
    pub fn when(self) -> &'static str {
        use ErrorKind::*;
        match self {
            InputNotFound => "An input path that does not exist.",
            InputPermissionDenied => "An input the user running the tool may not read.",
            InputUnreadable => {
                "An input that exists but cannot be read for another reason (not a regular file, an I/O error)."
            }
            InputTooLarge => "An input file larger than the size limit (`--max-file-mb`).",
            MalformedJson => "A JSON input that does not parse.",
            SchemaViolation => "One of our documents that breaks the schema (or is not the kind it claims).",
            UnknownFormat => "A JSON file in no format the tool reads, or files of two formats in one source.",
            FormatViolation => "A file of another tool's format that lacks what its format requires.",
            ChangedSinceWritten => "Files that differ from the manifest written with them.",
            NotALevelDb => "A path given as a LevelDB that is missing, not a folder, or has no CURRENT.",
            LevelDbCorrupt => "LevelDB files that fail their checksums or structure.",
            LevelDbLocked => "A live writer holds the LevelDB's lock.",
            LevelDbBusy => "The LevelDB folder changed while the private copy was taken.",
            BadFlag => "A flag or argument the run cannot use (an `--rpc` that names no chain of the source, say).",
            BadEndpoint => {
                "An endpoint that cannot be used as given (not `CHAINID=URL`, an unset `${VAR}`, not a URL)."
            }
            BadNetworksFile => "A networks file that does not parse or has the wrong shape.",
            BadEnvironment => "An environment variable with a value the tool cannot use (`SOURCE_DATE_EPOCH`).",
            OutputRefused => {
                "An output path refused before anything was written (not empty, a file, one of the inputs)."
            }
            DiskFull => "Writing the output failed for lack of space.",
            OutputPermissionDenied => "Writing the output was not permitted.",
            OutputFailed => "Writing the output failed for another reason.",
            OutputBusy => "Another run of the tool is writing the same output folder.",
            OutputClosed => "The reader of standard output went away (`| head`): the run stops quietly.",
            MissingTool => "A program the command needs is not installed (anvil for the local chains).",
            LocalChain => "The local chains of the lab could not be started or misbehaved.",
            Runtime => "The async runtime could not start.",
            ProofFailed => "The pre-write proof failed: a bug of this tool; nothing was written.",
            SyncMismatch => "Two backends that must agree do not (the LevelDB and its JSON).",
            DemoFailed => "The demo did not behave as expected: a bug of this tool.",
        }
    }

    /// The seed code this kind is reported under.
    pub fn code(self) -> ErrorCode {
        use ErrorKind::*;
        match self {
            InputNotFound | InputPermissionDenied | InputUnreadable | InputTooLarge => ErrorCode::Json001,
            MalformedJson => ErrorCode::Json002,
            SchemaViolation | UnknownFormat | FormatViolation => ErrorCode::Json003,
            ChangedSinceWritten | ProofFailed => ErrorCode::Migration003,
            NotALevelDb | BadFlag | BadEndpoint | BadNetworksFile | MissingTool | LocalChain | Runtime => {
                ErrorCode::Migration004
            }
            LevelDbCorrupt => ErrorCode::LevelDb001,
            LevelDbLocked | LevelDbBusy => ErrorCode::LevelDb002,
            BadEnvironment
            | OutputRefused
            | DiskFull
            | OutputPermissionDenied
            | OutputFailed
            | OutputBusy
            | OutputClosed
            | DemoFailed => ErrorCode::Migration001,
            SyncMismatch => ErrorCode::Migration002,
        }
    }

    /// The exit code of a run that stopped on this kind: 2 when the input or usage is at fault (nothing was
    /// written), 1 when two sources disagree (a finding), 3 when the run could not complete, 0 when the reader
    /// of standard output went away.
    pub fn exit_code(self) -> u8 {
        use ErrorKind::*;
        match self {
            InputNotFound
            | InputPermissionDenied
            | InputUnreadable
            | InputTooLarge
            | MalformedJson
            | SchemaViolation
            | UnknownFormat
            | FormatViolation
            | ChangedSinceWritten
            | NotALevelDb
            | LevelDbCorrupt
            | BadFlag
            | BadEndpoint
            | BadNetworksFile
            | BadEnvironment
            | OutputRefused => 2,
            SyncMismatch => 1,
            OutputClosed => 0,
            LevelDbLocked
            | LevelDbBusy
            | DiskFull
            | OutputPermissionDenied
            | OutputFailed
            | OutputBusy
            | MissingTool
            | LocalChain
            | Runtime
            | ProofFailed
            | DemoFailed => 3,
        }
    }

    /// The next step when the call site has nothing more specific to say.
    pub fn hint(self) -> &'static str {
        use ErrorKind::*;
        match self {
            InputNotFound => "check the path; a missing input is never read as an empty one",
            InputPermissionDenied => "give the user running lookcoin-state read access (it never writes to an input)",
            InputUnreadable => "pass a regular, readable file or folder",
            InputTooLarge => "check the path; if the file is right, raise the limit with --max-file-mb N",
            MalformedJson => "fix the JSON at the position shown, or regenerate the file with `lookcoin-state migrate`",
            SchemaViolation => {
                "fix the field at the JSON pointer shown, or regenerate the file with `lookcoin-state migrate`"
            }
            UnknownFormat => {
                "point at files of one format the tool reads, or name it with --left-format/--right-format"
            }
            FormatViolation => {
                "fix the file, or name its format with --left-format/--right-format if it was detected wrongly"
            }
            ChangedSinceWritten => {
                "the files changed after they were written; `lookcoin-state compare` with the source shows what changed"
            }
            NotALevelDb => "pass the folder that holds CURRENT, MANIFEST-* and *.ldb files",
            LevelDbCorrupt => "restore the LevelDB folder from a backup; do not let any tool repair it in place",
            LevelDbLocked => "wait for that process to finish (do not delete LOCK or kill it blindly), then run again",
            LevelDbBusy => "another process is writing to it; wait for it to finish, then run again",
            BadFlag => "see `lookcoin-state help <command>`",
            BadEndpoint => "pass --rpc CHAINID=URL (e.g. 56=https://host/path); `${VAR}` must name a set variable",
            BadNetworksFile => {
                "fix the networks file at the line shown; its shape is [chains.<chainId>] rpc = [\"url\"]"
            }
            BadEnvironment => "unset the variable, or give it a value of the form shown",
            OutputRefused => "name a new or empty folder (or a file) that is not one of the inputs",
            DiskFull => {
                "free space on the disk shown (the output's, or $TMPDIR's for the private copy), then run again"
            }
            OutputPermissionDenied => "give the user running lookcoin-state write access there, or choose another path",
            OutputFailed => "check the output path and its disk, then run again",
            OutputBusy => "wait for the other run to finish, then run again",
            OutputClosed => "nothing to do: the reader of standard output stopped reading",
            MissingTool => {
                "run `bash .ci/demo` once (it installs the pinned anvil), or set LOOKCOIN_ANVIL to an anvil binary"
            }
            LocalChain | Runtime => "run again; report it with this output if it persists",
            ProofFailed => "this is a bug in lookcoin-state; nothing was written; please report it with the input",
            SyncMismatch => "run `lookcoin-state compare` on the two sources to see every difference",
            DemoFailed => {
                "the demo did not behave as expected; this is a bug in lookcoin-state, please report the output"
            }
        }
    }
}

/// A failure of the tool, with everything the user needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    pub kind: ErrorKind,
    /// The file, folder, key or contract the error concerns.
    pub subject: String,
    /// Lowercase fragments, outermost first: what went wrong, then what caused it.
    pub causes: Vec<String>,
    /// The next step for the user.
    pub hint: String,
}

impl ToolError {
    pub fn new(kind: ErrorKind, subject: impl Into<String>, cause: impl Into<String>) -> Self {
        ToolError { kind, subject: subject.into(), causes: vec![cause.into()], hint: kind.hint().to_string() }
    }

    /// An input that could not be opened, listed or read, classified by the I/O error's kind (never its text).
    pub fn input_io(subject: impl Into<String>, what: &str, e: std::io::Error) -> Self {
        let kind = match e.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::InputNotFound,
            std::io::ErrorKind::PermissionDenied => ErrorKind::InputPermissionDenied,
            _ => ErrorKind::InputUnreadable,
        };
        ToolError::new(kind, subject, what).caused_by(e)
    }

    /// An output that could not be written, classified by the I/O error's kind (a full disk, a permission, a
    /// reader that went away).
    pub fn output_io(subject: impl Into<String>, what: &str, e: std::io::Error) -> Self {
        let kind = match e.kind() {
            std::io::ErrorKind::StorageFull => ErrorKind::DiskFull,
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                ErrorKind::OutputPermissionDenied
            }
            std::io::ErrorKind::BrokenPipe => ErrorKind::OutputClosed,
            _ => ErrorKind::OutputFailed,
        };
        ToolError::new(kind, subject, what).caused_by(e)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn caused_by(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// The seed code the user sees.
    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

/// Text safe to print on a terminal: control characters (a NUL or an escape sequence in a hostile key, a
/// newline in a process's command line) are shown escaped (`\u{1b}`), everything else as it is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let escaped =
        text.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect();
    std::borrow::Cow::Owned(escaped)
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error[{}]: {}", self.code().code(), self.code().message())?;
        writeln!(f, "  --> {}", printable(&self.subject))?;
        // A cause never shows a whole input: past a few excerpts' length it is cut (the subject says where).
        let bounded = |c: &str| crate::core::excerpt::excerpt(c, 4 * crate::core::excerpt::EXCERPT_CHARS);
        if let Some((first, rest)) = self.causes.split_first() {
            writeln!(f, "  {}", printable(&bounded(first)))?;
            for cause in rest {
                writeln!(f, "  caused by: {}", printable(&bounded(cause)))?;
            }
        }
        write!(f, "  hint: {}", self.hint)
    }
}

impl std::error::Error for ToolError {}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_their_message_family() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "duplicate code {}", code.code());
            let family = code.code().split('-').next().unwrap();
            let expected = match family {
                "MIGRATION" => ["Migration", "Backend", "Data", "StateManager", "Performance"].as_slice(),
                "JSON" => ["JSON"].as_slice(),
                "LEVELDB" => ["LevelDB"].as_slice(),
                other => panic!("unknown family {other}"),
            };
            assert!(expected.iter().any(|p| code.message().starts_with(p)), "{}", code.message());
        }
    }

    #[test]
    fn rendering_names_code_subject_causes_and_hint() {
        let err = ToolError::new(ErrorKind::LevelDbCorrupt, "/db/000005.ldb", "block checksum mismatch at offset 4096")
            .caused_by("crc32c 0x1 != 0x2");
        let text = err.to_string();
        assert_eq!(
            text,
            "error[LEVELDB-001]: LevelDB corruption: Database files corrupted or unreadable\n  --> /db/000005.ldb\n  block checksum mismatch at offset 4096\n  caused by: crc32c 0x1 != 0x2\n  hint: restore the LevelDB folder from a backup; do not let any tool repair it in place"
        );
        assert_eq!(err.exit_code(), 2);
    }
}
