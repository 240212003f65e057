//! Errors the user sees: a stable code from the troubleshooting guide, what it concerns, why, and what to do next.
//!
//! Pure data plus a renderer; no I/O. Every failure of the tool (as opposed to a finding about the data) ends up as a
//! [`ToolError`], and its exit code follows from its [`ErrorCode`].

use std::fmt;

/// The codes of DOMAIN.md §8. Code and message are part of the tool's contract: never reword or reuse them.
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

    /// Exit code of a run that stopped on this error: 2 when the input is at fault (nothing was written),
    /// 3 when the tool could not complete for another reason (I/O while writing, a lock held elsewhere).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorCode::Migration001 | ErrorCode::Migration005 | ErrorCode::LevelDb002 => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A failure of the tool, with everything the user needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    pub code: ErrorCode,
    /// The file, folder, key or contract the error concerns.
    pub subject: String,
    /// Lowercase fragments, outermost first: what went wrong, then what caused it.
    pub causes: Vec<String>,
    /// The next step for the user.
    pub hint: String,
    /// Set when the user's input or usage is at fault although the code's family usually means "could not
    /// complete" (an output folder that is not empty, say): exit 2, nothing written.
    pub bad_input: bool,
}

impl ToolError {
    pub fn new(code: ErrorCode, subject: impl Into<String>, cause: impl Into<String>) -> Self {
        ToolError {
            code,
            subject: subject.into(),
            causes: vec![cause.into()],
            hint: default_hint(code).to_string(),
            bad_input: false,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn caused_by(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// Marks the error as the user's input or usage being at fault (exit 2).
    pub fn as_bad_input(mut self) -> Self {
        self.bad_input = true;
        self
    }

    pub fn exit_code(&self) -> u8 {
        if self.bad_input {
            2
        } else {
            self.code.exit_code()
        }
    }
}

/// The next step when the call site has nothing more specific to say.
pub fn default_hint(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Migration001 => "check free space and permissions of the output folder, then run again",
        ErrorCode::Migration002 => "run `lookcoin-state compare` on the two sources to see every difference",
        ErrorCode::Migration003 => {
            "the files were changed after they were written; migrate again from the LevelDB source"
        }
        ErrorCode::Migration004 => "pass the folder that holds CURRENT, MANIFEST-* and *.ldb files",
        ErrorCode::Migration005 => "run the benches (`cargo bench`) to see which step is slow",
        ErrorCode::Json001 => "check the path exists and is readable",
        ErrorCode::Json002 => {
            "fix the JSON at the position shown, or regenerate the file with `lookcoin-state migrate`"
        }
        ErrorCode::Json003 => {
            "fix the field at the JSON pointer shown, or regenerate the file with `lookcoin-state migrate`"
        }
        ErrorCode::LevelDb001 => "restore the LevelDB folder from a backup; do not let any tool repair it in place",
        ErrorCode::LevelDb002 => {
            "wait for that process to finish (do not delete LOCK or kill it blindly), then run again"
        }
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
        writeln!(f, "error[{}]: {}", self.code.code(), self.code.message())?;
        writeln!(f, "  --> {}", printable(&self.subject))?;
        if let Some((first, rest)) = self.causes.split_first() {
            writeln!(f, "  {}", printable(first))?;
            for cause in rest {
                writeln!(f, "  caused by: {}", printable(cause))?;
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
        let err = ToolError::new(ErrorCode::LevelDb001, "/db/000005.ldb", "block checksum mismatch at offset 4096")
            .caused_by("crc32c 0x1 != 0x2");
        let text = err.to_string();
        assert_eq!(
            text,
            "error[LEVELDB-001]: LevelDB corruption: Database files corrupted or unreadable\n  --> /db/000005.ldb\n  block checksum mismatch at offset 4096\n  caused by: crc32c 0x1 != 0x2\n  hint: restore the LevelDB folder from a backup; do not let any tool repair it in place"
        );
        assert_eq!(err.exit_code(), 2);
    }
}
