//! GitHub Actions annotations (`::error title=...::message`), written to stderr when `GITHUB_ACTIONS=true`, so
//! that stdout stays data. The runner reads workflow commands from both streams.

use crate::core::compare::Discrepancy;
use crate::core::reports::verify::VerifyReport;
use std::io::Write;

/// Escapes a workflow command's message (`%`, CR, LF) as GitHub documents, and every other control character
/// (terminal escape sequences in server text) as `\u{..}`.
fn escape_message(text: &str) -> String {
    let escaped = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    crate::error::printable(&escaped).into_owned()
}

/// Escapes a workflow command property value (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_message(text).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error` workflow command.
pub fn annotation(out: &mut dyn Write, title: &str, message: &str) -> std::io::Result<()> {
    writeln!(out, "::error title={}::{}", escape_property(title), escape_message(message))
}

pub fn discrepancies(out: &mut dyn Write, items: &[Discrepancy]) -> std::io::Result<()> {
    for d in items {
        let contract = d.contract.as_deref().unwrap_or("(chain)");
        let title = format!("{} {} on chain {}", d.kind.name(), contract, d.chain_id);
        let field = d.field.map_or(String::new(), |f| format!("{f}: "));
        annotation(out, &title, &format!("{field}left={} right={}", d.left, d.right))?;
    }
    Ok(())
}

pub fn verify_findings(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    for f in report.findings() {
        let title =
            format!("{} {} on chain {}", f.kind.name(), f.contract.as_deref().unwrap_or("(network)"), f.chain_id);
        annotation(out, &title, &format!("expected {} actual {}: {}", f.expected, f.actual, f.detail))?;
    }
    Ok(())
}
