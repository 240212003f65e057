//! Markdown renderings (`--format markdown`, and the GitHub job summary): a heading with the verdict, a table of
//! the steps and the details of each step that did not pass. They write the report data they are given and
//! decide nothing.

use super::human::{outcome_cell, outcome_reason};
use crate::core::reports::preflight::{GateVerdict, PreflightReport};
use crate::error::printable;
use std::io::Write;

/// Escapes the characters that would break a Markdown table cell or start markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn preflight(out: &mut dyn Write, report: &PreflightReport) -> std::io::Result<()> {
    let mark = match report.verdict {
        GateVerdict::Go => "✅",
        GateVerdict::NoGo => "❌",
        GateVerdict::Incomplete => "⚠️",
    };
    writeln!(out, "## {mark} lookcoin-state preflight: {}", report.verdict.name())?;
    writeln!(out)?;
    let path = |p: &str| printable(p).replace('`', "'");
    writeln!(out, "LevelDB `{}`, JSON `{}`", path(&report.leveldb), path(&report.json))?;
    writeln!(out)?;
    writeln!(out, "| step | checks | outcome | findings | time |")?;
    writeln!(out, "|---|---|---|---:|---:|")?;
    for s in &report.steps {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} ms |",
            s.name.name(),
            escape(s.name.about()),
            escape(&outcome_cell(&s.outcome)),
            s.findings,
            s.duration_ms
        )?;
    }
    writeln!(out)?;
    for s in &report.steps {
        let reason = outcome_reason(&s.outcome);
        if reason.is_none() && s.details.is_empty() {
            continue;
        }
        writeln!(out, "**{}**", s.name.name())?;
        writeln!(out)?;
        for line in reason.iter().chain(&s.details) {
            writeln!(out, "- {}", escape(line))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{} findings in {} ms.", report.findings(), report.duration_ms())
}
