//! Human renderings: Markdown tables plus a summary line per command, readable without colour. They write the
//! report data they are given and decide nothing.
//!
//! One module for the format, in three files by what is rendered: `leveldb` (inspect, migrate, validate, history,
//! rollback), `comparison` (compare, reconcile) and `chain` (verify-chain, preflight, doctor); the table, count and
//! cell helpers they share are here.

mod chain;
mod comparison;
mod leveldb;

pub use chain::{doctor, outcome_cell, outcome_reason, preflight, verify};
pub use comparison::{cell, compare, reconcile};
pub use leveldb::{history, inspect, migrate, rollback, validate};

use crate::core::compare::{Discrepancy, Kind};
use crate::core::history::Liveness;
use crate::core::inspect::{InspectRow, RowBody};
use crate::core::onchain::verify::Verdict;
use crate::core::reconcile::Action;
use crate::core::reports::comparison::{CompareReport, ReconcileReport, SideSummary};
use crate::core::reports::doctor::{DoctorReport, Health};
use crate::core::reports::history::{bytes_text, HistoryReport};
use crate::core::reports::migrate::MigrateReport;
use crate::core::reports::preflight::{Outcome, PreflightReport};
use crate::core::reports::rollback::RollbackReport;
use crate::core::reports::validate::ValidateReport;
use crate::core::reports::verify::VerifyReport;
use crate::error::printable;
use comfy_table::{presets::ASCII_MARKDOWN, ContentArrangement, Table};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU16, Ordering};

/// The width tables are fitted to (0: none, plain Markdown tables). Set once per run by the command line when
/// standard output is a terminal.
static TABLE_WIDTH: AtomicU16 = AtomicU16::new(0);

/// Fits every table rendered from now on into `columns` (cells wrap), or, with `None`, lets each be as wide as
/// its content, as a Markdown table that a pipe or a file receives.
pub fn fit_tables_to(columns: Option<u16>) {
    TABLE_WIDTH.store(columns.unwrap_or(0), Ordering::Relaxed);
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(header.to_vec());
    let width = TABLE_WIDTH.load(Ordering::Relaxed);
    if width > 0 {
        t.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    }
    t
}

/// `n` and the noun, singular for one: `1 file`, `2 files`.
fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

fn text_field<'a>(value: &'a serde_json::Map<String, Value>, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or("-")
}

/// Shortens a 66-character hash to `0x1234…abcd` for tables; JSON output always has the full value.
fn short_hash(text: &str) -> String {
    if text.len() == 66 {
        format!("{}…{}", &text[..6], &text[62..])
    } else if text.is_empty() {
        "(empty)".to_string()
    } else {
        text.to_string()
    }
}

/// A place as `path:line:column` (the form editors and terminals open), `path` when its line is unknown, `-` for
/// none.
fn where_cell(at: Option<&crate::core::location::Location>) -> String {
    at.map_or("-".to_string(), |at| printable(&at.to_string()).into_owned())
}

/// Shortens long text for a table cell; the JSON rendering always has the whole value.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}
