//! `compare`'s step: load both sources, compare them field by field, build the report. Reads files only.

use super::load::load_source;
use crate::core::compare::compare as compare_states;
use crate::core::network::NetworkTable;
use crate::core::reports::comparison::CompareReport;
use crate::core::state::SourceFormat;
use crate::error::ToolError;
use std::path::Path;

/// One side of a comparison: a path, and its format when the user named it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub path: &'a Path,
    pub format: Option<SourceFormat>,
}

/// Every field-level disagreement between two sources.
pub fn compare(left: Side<'_>, right: Side<'_>) -> Result<CompareReport, ToolError> {
    let left = super::phase!("compare", "load left", load_source(left.path, left.format))?;
    let right = super::phase!("compare", "load right", load_source(right.path, right.format))?;
    let mut found = super::phase!("compare", "compare", compare_states(&left, &right));
    super::phase!("compare", "locate", super::locate::discrepancy_lines(&mut found, &[&left.digests, &right.digests]));
    Ok(CompareReport::build(&left, &right, found, &NetworkTable::builtin()))
}
