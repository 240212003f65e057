//! GitHub Actions annotations (`::error file=…,line=…,title=…::message`), written to stderr when
//! `GITHUB_ACTIONS=true`, so that stdout stays data. The runner reads workflow commands from both streams.
//!
//! The report decides each annotation's level and place ([`Annotation`]); this file writes them: a finding in a
//! JSON file of the repository gets `file=` (relative to the workspace, as GitHub requires to show it inline in a
//! pull request), `line=` and `col=`; GitHub shows only ten annotations of a level per step, so each kind gets
//! [`PER_KIND`] and one summary notice counts them all.

use crate::core::location::Location;
use crate::core::reports::annotations::{Annotation, Level};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

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

/// The checkout the annotations' files are named relative to (`GITHUB_WORKSPACE`), and the folder relative paths
/// given on the command line start from.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The root as given and, when it differs, as the file system resolves it (a workspace reached through a
    /// link: the current folder is always the resolved path).
    roots: Vec<PathBuf>,
    cwd: PathBuf,
}

impl Workspace {
    /// `resolved` is `root` with its links resolved, when the shell could resolve it.
    pub fn new(root: Option<PathBuf>, cwd: PathBuf) -> Workspace {
        Workspace::resolved(root, None, cwd)
    }

    pub fn resolved(root: Option<PathBuf>, resolved: Option<PathBuf>, cwd: PathBuf) -> Workspace {
        let mut roots: Vec<PathBuf> = root.iter().chain(resolved.iter()).map(|r| lexical(r)).collect();
        roots.dedup();
        Workspace { roots, cwd }
    }

    /// `file` relative to the workspace root; `None` when it lies outside it (GitHub could not show it). Without a
    /// known root, a relative path that stays below the current folder is taken as it is.
    pub fn relative(&self, file: &str) -> Option<String> {
        let path = Path::new(file);
        if self.roots.is_empty() {
            let stays_below = path.is_relative() && lexical(path).components().all(|c| c != Component::ParentDir);
            return stays_below.then(|| file.to_string());
        }
        let absolute = lexical(&self.cwd.join(path));
        let inside = self.roots.iter().find_map(|root| absolute.strip_prefix(root).ok())?;
        let shown = inside.to_str()?;
        (!shown.is_empty()).then(|| shown.to_string())
    }
}

/// `path` with `.` and `..` resolved by name (the files were read by these names; links are not followed). A
/// `..` that climbs above the start of a relative path is kept.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// One workflow command. `at` becomes `file`, `line` and `col` when the file is in the workspace; otherwise the
/// place is named at the end of the message.
fn command(
    out: &mut dyn Write,
    level: Level,
    title: &str,
    message: &str,
    at: Option<&Location>,
    workspace: &Workspace,
) -> std::io::Result<()> {
    let mut properties = Vec::new();
    let mut message = message.to_string();
    if let Some(at) = at {
        match workspace.relative(&at.file) {
            Some(file) => {
                properties.push(format!("file={}", escape_property(&file)));
                if let Some(p) = at.line {
                    properties.push(format!("line={},col={}", p.line, p.column));
                }
            }
            None => message.push_str(&format!(" (at {at})")),
        }
    }
    properties.push(format!("title={}", escape_property(title)));
    writeln!(out, "::{} {}::{}", level.name(), properties.join(","), escape_message(&message))
}

/// One annotation on its own, without a summary (an error of the tool: the run ends with it).
pub fn single(out: &mut dyn Write, item: &Annotation, workspace: &Workspace) -> std::io::Result<()> {
    command(out, item.level, &item.title, &item.message, item.at.as_ref(), workspace)
}

/// Annotations per kind of finding: GitHub shows only ten of a level in a step, so each kind gets a few and one
/// summary notice counts them all (the report has every one).
pub const PER_KIND: usize = 3;

/// Annotations GitHub shows per level in one step (actions/toolkit, "Problem Matchers", Limitations: 10 error, 10
/// warning and 10 notice annotations per step); one notice is kept for the summary.
pub const PER_LEVEL: usize = 10;

/// How many annotations of `level` may be written before the summary.
fn level_budget(level: Level) -> usize {
    match level {
        Level::Error | Level::Warning => PER_LEVEL,
        Level::Notice => PER_LEVEL - 1,
    }
}

/// Writes the first [`PER_KIND`] annotations of each kind, within [`PER_LEVEL`] of each level, then one notice
/// with the count of each kind and how many were not written (`what` names the command in its title).
pub fn annotations(
    out: &mut dyn Write,
    what: &str,
    items: &[Annotation],
    workspace: &Workspace,
) -> std::io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut per_kind: Vec<(&str, usize)> = Vec::new();
    let mut written: Vec<(Level, usize)> = Vec::new();
    let mut shown = 0;
    for item in items {
        let seen = match per_kind.iter().position(|(k, _)| *k == item.kind) {
            Some(i) => &mut per_kind[i].1,
            None => {
                per_kind.push((&item.kind, 0));
                &mut per_kind.last_mut().expect("just pushed").1
            }
        };
        *seen += 1;
        let of_level = match written.iter().position(|(l, _)| *l == item.level) {
            Some(i) => &mut written[i].1,
            None => {
                written.push((item.level, 0));
                &mut written.last_mut().expect("just pushed").1
            }
        };
        if *seen <= PER_KIND && *of_level < level_budget(item.level) {
            *of_level += 1;
            shown += 1;
            command(out, item.level, &item.title, &item.message, item.at.as_ref(), workspace)?;
        }
    }
    let counts: Vec<String> = per_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let unshown = items.len() - shown;
    let rest = if unshown == 0 {
        "all annotated".to_string()
    } else {
        format!(
            "{shown} annotated (at most {PER_KIND} of a kind, {PER_LEVEL} of a level), {unshown} more in the report"
        )
    };
    let title = format!("lookcoin-state {what}");
    let noun = if items.len() == 1 { "annotation" } else { "annotations" };
    let message = format!("{} {noun} ({}): {}; {rest}", items.len(), count_of(items), counts.join(", "));
    command(out, Level::Notice, &title, &message, None, workspace)
}

/// `3 errors, 1 warning, 2 notices`: the annotations by level.
fn count_of(items: &[Annotation]) -> String {
    let mut parts = Vec::new();
    for level in [Level::Error, Level::Warning, Level::Notice] {
        let n = items.iter().filter(|a| a.level == level).count();
        if n > 0 {
            parts.push(format!("{n} {}{}", level.name(), if n == 1 { "" } else { "s" }));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotation(level: Level, kind: &str) -> Annotation {
        Annotation { level, kind: kind.into(), title: kind.into(), message: "m".into(), at: None }
    }

    #[test]
    fn at_most_three_of_a_kind_and_ten_of_a_level_then_one_summary() {
        // Five kinds of error, four each: 15 would pass the cap per kind, GitHub shows 10.
        let mut items: Vec<Annotation> =
            (0..20).map(|i| annotation(Level::Error, ["a", "b", "c", "d", "e"][i / 4])).collect();
        items.extend((0..12).map(|i| annotation(Level::Notice, &format!("n{i}"))));
        let mut out = Vec::new();
        annotations(&mut out, "compare", &items, &Workspace::new(None, PathBuf::new())).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("::error ")).count(), 10, "{text}");
        assert_eq!(lines.iter().filter(|l| l.starts_with("::notice ")).count(), 10, "9 and the summary: {text}");
        for (kind, shown) in [("a", 3), ("b", 3), ("c", 3), ("d", 1), ("e", 0)] {
            let title = format!("title={kind}::");
            assert_eq!(lines.iter().filter(|l| l.contains(&title)).count(), shown, "{kind}: {text}");
        }
        let summary = lines.last().unwrap();
        assert!(summary.starts_with("::notice title=lookcoin-state compare::32 annotations (20 errors, 12 notices): "));
        assert!(
            summary.ends_with("19 annotated (at most 3 of a kind, 10 of a level), 13 more in the report"),
            "{summary}"
        );
    }

    #[test]
    fn properties_and_messages_cannot_forge_a_command() {
        let mut at = Location::file("we,ird:%25 dir\n::error::forged.json");
        at.line = Some(crate::core::json_keys::Position { line: 3, column: 1 });
        let item = Annotation {
            level: Level::Error,
            kind: "k".into(),
            title: "a,b:c".into(),
            message: "x\n::error::y %".into(),
            at: Some(at),
        };
        let mut out = Vec::new();
        annotations(&mut out, "compare", &[item], &Workspace::new(None, PathBuf::new())).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2, "one annotation and the summary: {text}");
        // The file is a property (`,` `:` `%` and the line break escaped), the message is data (the line break).
        let want = "::error file=we%2Cird%3A%2525 dir%0A%3A%3Aerror%3A%3Aforged.json,line=3,col=1,title=a%2Cb%3Ac\
                    ::x%0A::error::y %25\n";
        assert!(text.starts_with(want), "{text}");
    }

    #[test]
    fn files_are_named_relative_to_the_workspace_or_not_at_all() {
        let ws = Workspace::new(Some("/home/runner/work/repo".into()), "/home/runner/work/repo/sub".into());
        assert_eq!(ws.relative("a.json").as_deref(), Some("sub/a.json"));
        assert_eq!(ws.relative("./x/../b.json").as_deref(), Some("sub/b.json"));
        assert_eq!(ws.relative("../deployments/c.json").as_deref(), Some("deployments/c.json"));
        assert_eq!(ws.relative("/home/runner/work/repo/d.json").as_deref(), Some("d.json"));
        assert_eq!(ws.relative("/tmp/e.json"), None, "outside the checkout");
        assert_eq!(ws.relative("../../repo2/f.json"), None, "a sibling whose name starts like the root");
        let bare = Workspace::new(None, "/x".into());
        assert_eq!(bare.relative("a/b.json").as_deref(), Some("a/b.json"));
        assert_eq!(bare.relative("/abs.json"), None);
        assert_eq!(bare.relative("a/../../x.json"), None, "climbs out of the current folder");
        // A workspace reached through a link: the current folder is the resolved path.
        let linked = Workspace::resolved(Some("/ws-link".into()), Some("/data/ws".into()), "/data/ws/sub".into());
        assert_eq!(linked.relative("a.json").as_deref(), Some("sub/a.json"));
        assert_eq!(linked.relative("/ws-link/b.json").as_deref(), Some("b.json"));
    }
}
