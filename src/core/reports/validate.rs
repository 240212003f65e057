//! What `validate` found (pure data).

/// The outcome of validating one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedFile {
    pub path: String,
    /// `None` when valid; else the error code and one line per problem (with JSON pointer or position).
    pub failure: Option<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateReport {
    pub files: Vec<ValidatedFile>,
}

impl ValidateReport {
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| f.failure.is_some()).count()
    }
}
