//! `lookcoin-state reconcile LEFT RIGHT --authority left|right [--apply --out DIR] [--prune]`.

use super::compare::FormatFlag;
use super::compare::Sources;
use super::{exit, migrate::migration_time, output_error, Format};
use crate::core::comparison::{ReconcileReport, SideSummary};
use crate::core::document::SourceInfo;
use crate::core::formats::entries::to_records;
use crate::core::migrate::{migrate_records, MigrationContext};
use crate::core::network::NetworkTable;
use crate::core::output::{render_migration, OutputFile};
use crate::core::reconcile::{reconcile, Authority, Plan};
use crate::core::record::Entry;
use crate::error::{ErrorCode, ToolError};
use crate::io::backup::replace_with_backup;
use crate::io::sources::load_source;
use crate::report::{comparison_human, comparison_json};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthorityFlag {
    Left,
    Right,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub sources: Sources,
    /// The side that is right; the other side is made to agree with it.
    #[arg(long, value_enum)]
    pub authority: AuthorityFlag,
    /// Write the reconciled state as our JSON documents to --out (after a backup of what is there).
    #[arg(long, requires = "out")]
    pub apply: bool,
    /// Where --apply writes; never one of the two inputs.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Remove records only the non-authoritative side holds (kept by default).
    #[arg(long)]
    pub prune: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The absolute form of a path that may not exist yet: its nearest existing ancestor, canonicalised, plus the rest.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let absolute = std::path::absolute(path).ok()?;
    let parent = absolute.parent()?;
    Some(resolved(parent)?.join(absolute.file_name()?))
}

/// True when one path is the other or inside it: `--out` there would write into an input.
fn same_path(a: &Path, b: &Path) -> bool {
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x.starts_with(&y) || y.starts_with(&x),
        _ => false,
    }
}

/// The reconciled state as our documents, proven like a migration's.
fn result_files(plan: &Plan, label: &str) -> Result<Vec<OutputFile>, ToolError> {
    let (records, quarantined) = to_records(&plan.result).map_err(|missing| {
        let mut e = ToolError::new(
            ErrorCode::Migration001,
            label,
            "the reconciled state cannot be written as enhanced documents",
        );
        for line in missing {
            e = e.caused_by(line);
        }
        e.with_hint("take as authority a source that holds complete records (LevelDB or our JSON)")
    })?;
    let table = NetworkTable::builtin();
    let ctx = MigrationContext {
        networks: &table,
        source: SourceInfo { kind: "reconcile".into(), label: label.to_string() },
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        migrated_at: migration_time()?,
    };
    let files = render_migration(&migrate_records(&records, &quarantined, &ctx));
    let mut expected: Vec<Entry> = records
        .iter()
        .map(|(record, _)| Entry::Valid(record.clone()))
        .chain(quarantined.iter().cloned().map(Entry::Quarantined))
        .collect();
    expected.sort_by_key(Entry::key_bytes);
    crate::proof::prove_files(&expected, &files)?;
    Ok(files)
}

pub fn run(args: &Args, out: &mut dyn Write, _err: &mut dyn Write) -> Result<u8, ToolError> {
    let s = &args.sources;
    let left = load_source(&s.left, s.left_format.map(FormatFlag::format))?;
    let right = load_source(&s.right, s.right_format.map(FormatFlag::format))?;
    let authority = match args.authority {
        AuthorityFlag::Left => Authority::Left,
        AuthorityFlag::Right => Authority::Right,
    };
    let plan = reconcile(&left, &right, authority, args.prune);
    let (mut written_to, mut backup) = (None, None);
    if args.apply {
        let dir = args.out.as_ref().expect("clap requires --out with --apply");
        if same_path(dir, &s.left) || same_path(dir, &s.right) {
            return Err(ToolError::new(
                ErrorCode::Migration001,
                dir.display().to_string(),
                "--out is one of the inputs",
            )
            .with_hint("write to a new folder; reconcile never changes its inputs")
            .as_bad_input());
        }
        let label = format!("{} + {}", left.label, right.label);
        let files = result_files(&plan, &label)?;
        backup = replace_with_backup(dir, &files, migration_time()?)?.map(|p| p.display().to_string());
        written_to = Some(dir.display().to_string());
    }
    let table = NetworkTable::builtin();
    let mut networks = std::collections::BTreeMap::new();
    for r in left.records.iter().chain(&right.records) {
        networks.entry(r.chain_id).or_insert_with(|| table.identify(r.chain_id).key);
    }
    let changes = plan.actions.iter().any(|a| a.changes() || a.name() == "conflict");
    let report = ReconcileReport {
        left: SideSummary::of(&left),
        right: SideSummary::of(&right),
        authority: if authority == Authority::Left { "left" } else { "right" },
        plan,
        networks,
        written_to,
        backup,
    };
    match args.format {
        Format::Human => comparison_human::reconcile(out, &report),
        Format::Json => comparison_json::reconcile(out, &report),
    }
    .map_err(output_error)?;
    Ok(if changes { exit::FINDINGS } else { exit::CLEAN })
}
