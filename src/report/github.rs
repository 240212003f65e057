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

/// Annotations per kind of finding: GitHub shows only the first ten of a step, so each kind gets a few and one
/// summary notice counts them all (the report has every one).
pub const PER_KIND: usize = 3;

/// One `::notice` workflow command.
fn notice(out: &mut dyn Write, title: &str, message: &str) -> std::io::Result<()> {
    writeln!(out, "::notice title={}::{}", escape_property(title), escape_message(message))
}

/// Annotates the first [`PER_KIND`] items of each kind (`kind_of`), then one notice with the count of each kind
/// and how many were not annotated.
fn capped<T>(
    out: &mut dyn Write,
    what: &str,
    items: &[T],
    kind_of: impl Fn(&T) -> &'static str,
    mut annotate: impl FnMut(&mut dyn Write, &T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut per_kind: Vec<(&'static str, usize)> = Vec::new();
    for item in items {
        let kind = kind_of(item);
        let seen = match per_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => n,
            None => {
                per_kind.push((kind, 0));
                &mut per_kind.last_mut().expect("just pushed").1
            }
        };
        *seen += 1;
        if *seen <= PER_KIND {
            annotate(out, item)?;
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    let shown: usize = per_kind.iter().map(|(_, n)| (*n).min(PER_KIND)).sum();
    let counts: Vec<String> = per_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let unshown = items.len() - shown;
    let rest = if unshown == 0 {
        "all annotated".to_string()
    } else {
        format!("{shown} annotated (at most {PER_KIND} of a kind), {unshown} more in the report")
    };
    notice(out, &format!("lookcoin-state {what}"), &format!("{} findings ({}); {rest}", items.len(), counts.join(", ")))
}

pub fn discrepancies(out: &mut dyn Write, items: &[Discrepancy]) -> std::io::Result<()> {
    capped(
        out,
        "compare",
        items,
        |d| d.kind.name(),
        |out, d| {
            let contract = d.contract.as_deref().unwrap_or("(chain)");
            let title = format!("{} {} on chain {}", d.kind.name(), contract, d.chain_id);
            let field = d.field.map_or(String::new(), |f| format!("{f}: "));
            annotation(out, &title, &format!("{field}left={} right={}", d.left, d.right))
        },
    )
}

pub fn verify_findings(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    let findings: Vec<_> = report.findings().collect();
    capped(
        out,
        "verify-chain",
        &findings,
        |f| f.kind.name(),
        |out, f| {
            let title =
                format!("{} {} on chain {}", f.kind.name(), f.contract.as_deref().unwrap_or("(network)"), f.chain_id);
            annotation(out, &title, &format!("expected {} actual {}: {}", f.expected, f.actual, f.detail))
        },
    )
}
