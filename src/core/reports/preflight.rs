//! What `preflight` found (pure data): one outcome per step, in order, and the gate's verdict computed once here.

/// The steps of the gate, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepName {
    LevelDb,
    MigrateProof,
    Validate,
    Compare,
    VerifyChain,
}

impl StepName {
    pub const ALL: [StepName; 5] =
        [StepName::LevelDb, StepName::MigrateProof, StepName::Validate, StepName::Compare, StepName::VerifyChain];

    pub fn name(self) -> &'static str {
        match self {
            StepName::LevelDb => "leveldb",
            StepName::MigrateProof => "migrate-proof",
            StepName::Validate => "validate",
            StepName::Compare => "compare",
            StepName::VerifyChain => "verify-chain",
        }
    }

    /// What the step checks, one line.
    pub fn about(self) -> &'static str {
        match self {
            StepName::LevelDb => "LevelDB integrity and lock",
            StepName::MigrateProof => "migration proof (dry run)",
            StepName::Validate => "JSON against the schema and manifest",
            StepName::Compare => "LevelDB <-> JSON sync",
            StepName::VerifyChain => "JSON against the live contracts",
        }
    }
}

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Ran and found nothing.
    Passed,
    /// Ran and found something (quarantined records, invalid files, drift on chain).
    Findings,
    /// Stopped with an error of the tool, or a check that fails the gate outright (MIGRATION-002). `incomplete`
    /// when the error means the step could not finish (a held lock, an unreachable disk) rather than a finding.
    Failed { code: String, message: String, incomplete: bool },
    /// Could not run, and why.
    Skipped { reason: String },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Findings => "findings",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
        }
    }
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: StepName,
    pub outcome: Outcome,
    pub findings: usize,
    /// One line per finding or fact worth showing (discrepancies, invalid files, record counts).
    pub details: Vec<String>,
    pub duration_ms: u64,
    /// The step's findings for a CI, each with where it is when it is in a JSON file.
    pub annotations: Vec<super::annotations::Annotation>,
}

/// The gate's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateVerdict {
    /// Every step ran and passed.
    Go,
    /// A step found something or failed.
    NoGo,
    /// Nothing failed, but a step could not run or finish: never a go.
    Incomplete,
}

impl GateVerdict {
    pub fn name(self) -> &'static str {
        match self {
            GateVerdict::Go => "go",
            GateVerdict::NoGo => "no-go",
            GateVerdict::Incomplete => "incomplete",
        }
    }
}

/// What `preflight` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightReport {
    pub leveldb: String,
    pub json: String,
    pub steps: Vec<Step>,
    pub verdict: GateVerdict,
}

impl PreflightReport {
    pub fn new(leveldb: String, json: String, steps: Vec<Step>) -> Self {
        let verdict = gate_verdict(&steps);
        PreflightReport { leveldb, json, steps, verdict }
    }

    pub fn findings(&self) -> usize {
        self.steps.iter().map(|s| s.findings).sum()
    }

    pub fn duration_ms(&self) -> u64 {
        self.steps.iter().map(|s| s.duration_ms).sum()
    }
}

/// No-go when any step found something or failed outright; else incomplete when any step was skipped or could
/// not finish (or there are no steps); else go.
pub fn gate_verdict(steps: &[Step]) -> GateVerdict {
    let no_go = steps.iter().any(|s| match &s.outcome {
        Outcome::Findings => true,
        Outcome::Failed { incomplete, .. } => !incomplete,
        Outcome::Passed | Outcome::Skipped { .. } => false,
    });
    let unfinished =
        steps.iter().any(|s| matches!(s.outcome, Outcome::Skipped { .. } | Outcome::Failed { incomplete: true, .. }));
    if no_go {
        GateVerdict::NoGo
    } else if unfinished || steps.is_empty() {
        GateVerdict::Incomplete
    } else {
        GateVerdict::Go
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(outcome: Outcome) -> Step {
        Step {
            name: StepName::Compare,
            outcome,
            findings: 0,
            details: Vec::new(),
            duration_ms: 0,
            annotations: Vec::new(),
        }
    }

    #[test]
    fn a_skipped_step_is_never_a_go_and_a_finding_is_always_a_no_go() {
        let skipped = step(Outcome::Skipped { reason: "no endpoints".into() });
        assert_eq!(gate_verdict(&[step(Outcome::Passed), skipped.clone()]), GateVerdict::Incomplete);
        assert_eq!(gate_verdict(&[step(Outcome::Findings), skipped]), GateVerdict::NoGo);
        assert_eq!(gate_verdict(&[step(Outcome::Passed)]), GateVerdict::Go);
        assert_eq!(gate_verdict(&[]), GateVerdict::Incomplete);
        let busy = Outcome::Failed { code: "LEVELDB-003".into(), message: "locked".into(), incomplete: true };
        assert_eq!(gate_verdict(&[step(busy)]), GateVerdict::Incomplete);
    }
}
