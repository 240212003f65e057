//! The layers' boundaries, read from the source text: the pure core uses nothing of the shell and no I/O, clock,
//! environment, threads or async; no layer but the binary reaches into `cli`; tests and benches call the pipeline,
//! never the CLI. Reads `src/`, `properties/` and `benches/`.

use crate::support;
use std::path::{Path, PathBuf};

/// Top-level modules of the crate that the core must not use.
const SHELL_MODULES: [&str; 5] = ["io", "cli", "report", "lab", "pipeline"];
/// `std` modules the core must not use.
const IMPURE_STD: [&str; 5] = ["fs", "net", "thread", "process", "env"];
/// Names the core must not mention at all (clock, async runtime).
const IMPURE_NAMES: [&str; 3] = ["SystemTime", "Instant", "tokio"];

/// The code of a Rust file without its comments (a doc comment may name what the code must not use) and
/// without the contents of its string literals (`"http://x"` is not a comment, and a string is not an import).
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                while let Some(inner) = chars.next() {
                    match inner {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => out.push('\n'),
                        _ => {}
                    }
                }
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => {
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The first path segment of every item of a `{...}` group (`rest` starts just after the `{`), nested groups
/// included as their own first segment: `collections::{A, B}, fs}` gives `collections`, `fs`.
fn group_heads(rest: &str) -> Vec<String> {
    let ident = |s: &str| s.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let (mut heads, mut depth, mut item) = (Vec::new(), 0usize, String::new());
    for c in rest.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(ident(&item));
                item.clear();
                continue;
            }
            _ => {}
        }
        if depth == 0 || c == '{' {
            item.push(c);
        }
    }
    heads.push(ident(&item));
    heads.retain(|h| !h.is_empty());
    heads
}

/// The module path of a file under `src/`: `src/core/onchain/verify.rs` -> `["core", "onchain", "verify"]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    if last != "mod.rs" && last != "lib.rs" && last != "main.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// Every top-level crate module a file reaches: through `crate::x`, `crate::{x, y}`, or enough `super::` to climb
/// out of its own module.
fn crate_modules_used(code: &str, module: &[String]) -> Vec<String> {
    let mut used = Vec::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            used.extend(group_heads(group));
        } else {
            used.push(ident(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        if at >= 7 && &code[at - 7..at] == "super::" {
            continue; // counted from the first `super::` of a chain
        }
        let mut rest = &code[at..];
        let mut ups = 0;
        while let Some(next) = rest.strip_prefix("super::") {
            ups += 1;
            rest = next;
        }
        if ups >= module.len() {
            used.push(ident(rest));
        }
    }
    used
}

/// What is wrong with one file of the pure core, if anything.
fn core_violations(code: &str, module: &[String]) -> Vec<String> {
    let mut found: Vec<String> = crate_modules_used(code, module)
        .into_iter()
        .filter(|m| SHELL_MODULES.contains(&m.as_str()))
        .map(|m| format!("uses crate::{m}"))
        .collect();
    for name in IMPURE_STD {
        let direct = format!("std::{name}");
        let grouped =
            code.match_indices("std::{").any(|(at, _)| group_heads(&code[at + 6..]).iter().any(|h| h == name));
        let uses_direct = code
            .match_indices(&direct)
            .any(|(at, _)| !code[at + direct.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        if uses_direct || grouped {
            found.push(format!("uses std::{name}"));
        }
    }
    found.extend(IMPURE_NAMES.iter().filter(|n| code.contains(*n)).map(|n| format!("mentions {n}")));
    found
}

/// Every `.rs` file under a folder.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list a source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn read_code(path: &Path) -> String {
    code_of(&std::fs::read_to_string(path).expect("read a source file"))
}

#[test]
fn the_core_uses_nothing_of_the_shell_and_no_io_clock_env_threads_or_async() {
    let src = support::root().join("src");
    let core_files = rust_files(&src.join("core"));
    assert!(core_files.len() > 20, "the core is found");
    let mut problems = Vec::new();
    for file in core_files {
        let relative = file.strip_prefix(&src).expect("under src");
        for v in core_violations(&read_code(&file), &module_path(relative)) {
            problems.push(format!("{}: {v}", relative.display()));
        }
    }
    assert!(problems.is_empty(), "the pure core must stay pure:\n{}", problems.join("\n"));
}

#[test]
fn only_the_binary_reaches_into_the_cli() {
    let src = support::root().join("src");
    let mut problems = Vec::new();
    for layer in ["core", "io", "report", "pipeline", "lab"] {
        for file in rust_files(&src.join(layer)) {
            let relative = file.strip_prefix(&src).expect("under src");
            if crate_modules_used(&read_code(&file), &module_path(relative)).iter().any(|m| m == "cli") {
                problems.push(relative.display().to_string());
            }
        }
    }
    assert!(problems.is_empty(), "these use crate::cli:\n{}", problems.join("\n"));
}

#[test]
fn tests_and_benches_call_the_pipeline_not_the_cli() {
    let root = support::root();
    let mut problems = Vec::new();
    for dir in ["properties", "benches"] {
        for file in rust_files(&root.join(dir)) {
            let code = read_code(&file);
            let path = format!("{}::cli", "lookcoin_state");
            let grouped = code
                .match_indices(&format!("{}::{{", "lookcoin_state"))
                .any(|(at, needle)| group_heads(&code[at + needle.len()..]).iter().any(|h| h == "cli"));
            if code.contains(&path) || grouped {
                problems.push(file.strip_prefix(&root).expect("under the root").display().to_string());
            }
        }
    }
    assert!(
        problems.is_empty(),
        "these use the crate's `cli` module (run the binary, or call `pipeline`):\n{}",
        problems.join("\n")
    );
}

/// The checks above are only worth something if they catch what they are about: each planted violation is
/// reported, and clean code is not.
#[test]
fn the_boundary_checks_catch_planted_violations() {
    let module = |p: &str| module_path(Path::new(p));
    let caught = |code: &str, at: &str| core_violations(&code_of(code), &module(at));
    assert_eq!(caught("use std::fs;\n", "core/migrate.rs"), ["uses std::fs"]);
    assert_eq!(caught("let x = std::fs::read(p);", "core/migrate.rs"), ["uses std::fs"]);
    assert_eq!(caught("use std::{collections::BTreeMap, thread};", "core/a.rs"), ["uses std::thread"]);
    assert_eq!(caught("use std::{env::var};", "core/a.rs"), ["uses std::env"]);
    assert_eq!(caught("use crate::io::leveldb;", "core/a.rs"), ["uses crate::io"]);
    assert_eq!(caught("use crate::{core::record, pipeline::parallel};", "core/a.rs"), ["uses crate::pipeline"]);
    assert_eq!(caught("use super::super::super::report::human;", "core/onchain/verify.rs"), ["uses crate::report"]);
    assert_eq!(caught("use super::super::io::rpc;", "core/a.rs"), ["uses crate::io"]);
    assert_eq!(caught("let t = Instant::now();", "core/a.rs"), ["mentions Instant"]);
    assert_eq!(caught("tokio::spawn(f);", "core/a.rs"), ["mentions tokio"]);
    assert!(caught("use super::record::Entry; use std::fmt; use std::environment_free;", "core/a.rs").is_empty());
    assert!(caught("use super::super::state::Field; // std::fs is not for us", "core/onchain/verify.rs").is_empty());
    assert!(caught("use super::super::report::verify;", "core/onchain/verify.rs").is_empty(), "core::report");
    assert!(caught("use crate::core::record; use crate::error::ToolError;", "core/a.rs").is_empty());
    // Nested groups, and a `//` inside a string, do not hide what follows.
    assert_eq!(caught("use std::{collections::{BTreeMap, HashMap}, fs};", "core/a.rs"), ["uses std::fs"]);
    assert_eq!(caught("use crate::{core::{a, b}, io};", "core/a.rs"), ["uses crate::io"]);
    assert_eq!(caught("let u = \"http://x\"; let b = std::fs::read(p);", "core/a.rs"), ["uses std::fs"]);
    assert!(caught("let u = \"std::fs and tokio\";", "core/a.rs").is_empty(), "strings are not code");
    let tests = |code: &str| group_heads(&code_of(code)[code.find('{').expect("a group") + 1..]);
    assert_eq!(tests("use lookcoin_state::{pipeline, cli::Args};"), ["pipeline", "cli"]);
}

/// The README's error table is the code's: one row per cause, with the code and exit code the cause maps to.
#[test]
fn the_readme_error_table_matches_the_error_kinds() {
    use lookcoin_state::error::{ErrorCode, ErrorKind};
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `") && l.matches(" | ").count() == 3).collect();
    assert_eq!(rows.len(), ErrorKind::ALL.len(), "one row per kind:\n{}", rows.join("\n"));
    for (kind, row) in ErrorKind::ALL.iter().zip(&rows) {
        let want = format!("| `{kind:?}` | {} | {} | {} |", kind.code(), kind.exit_code(), kind.when());
        assert_eq!(*row, want, "the README row of {kind:?} differs from `ErrorKind::when` and friends");
    }
    // `explain CODE` prints, for each code, exactly the kinds the README lists under it, with the same text.
    for code in ErrorCode::ALL {
        let explained = lookcoin_state::error::explain(code);
        assert!(explained.starts_with(&format!("{}: {}\n", code.code(), code.message())), "{explained}");
        let readme_kinds: Vec<&str> = rows
            .iter()
            .filter(|row| row.split(" | ").nth(1) == Some(code.code()))
            .map(|row| row.trim_start_matches("| `").split('`').next().expect("kind"))
            .collect();
        let explained_kinds: Vec<&str> = explained
            .lines()
            .filter_map(|l| l.strip_prefix("  ").and_then(|l| l.split_once(" (exit ")).map(|(k, _)| k))
            .collect();
        assert_eq!(explained_kinds, readme_kinds, "explain {} and the README list other causes", code.code());
        for row in rows.iter().filter(|row| row.split(" | ").nth(1) == Some(code.code())) {
            let when = row.splitn(4, " | ").nth(3).expect("when").trim_end_matches(" |");
            assert!(explained.contains(&format!("\n    {when}\n")), "explain {} lacks `{when}`", code.code());
        }
    }
}
