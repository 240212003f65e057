//! The runbook commands and outputs of the built binary: `explain`, `--version`, JSON errors on stdout, shell
//! completions and the man page. Runs `lookcoin-state` and writes only temporary folders.

use crate::binary_contract::{lookcoin, migrate, migrate_fixture, REALISTIC_FILES};
use crate::support;
use lookcoin_state::error::{ErrorCode, ErrorKind};

#[test]
fn explain_prints_message_causes_and_resolution_of_every_code() {
    for code in ErrorCode::ALL {
        for spelled in [code.code().to_string(), code.code().to_lowercase()] {
            let run = lookcoin(&["explain", &spelled]);
            assert_eq!(run.code, 0, "{run}");
            assert_eq!(run.stderr, "", "{run}");
            assert!(run.stdout.starts_with(&format!("{}: {}\n", code.code(), code.message())), "{run}");
            for kind in ErrorKind::ALL.into_iter().filter(|k| k.code() == code) {
                assert!(run.stdout.contains(&format!("  {kind:?} (exit {})\n", kind.exit_code())), "{run}");
                assert!(run.stdout.contains(kind.hint()), "{run}");
            }
            assert!(run.stdout.contains("\nResolution:\n  1. "), "{run}");
        }
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2_listing_the_codes() {
    let run = lookcoin(&["explain", "MIGRATION-009"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("MIGRATION-009"), "{run}");
    for code in ErrorCode::ALL {
        assert!(run.stderr.contains(code.code()), "the error lists {}: {run}", code.code());
    }
}

/// The commit git names for this checkout, when git is there and the package is the top of its repository (as
/// `build.rs` requires: a tarball unpacked inside another repository is not stamped with its commit).
fn head_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git").arg("-C").arg(support::root()).args(args).output().ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let top = std::path::PathBuf::from(git(&["rev-parse", "--show-toplevel"])?).canonicalize().ok()?;
    (top == support::root().canonicalize().ok()?).then_some(())?;
    git(&["rev-parse", "--short=7", "HEAD"])
}

#[test]
fn version_names_the_commit_and_whether_the_tree_was_dirty() {
    let run = lookcoin(&["--version"]);
    assert_eq!(run.code, 0, "{run}");
    let version = run.stdout.trim_end().strip_prefix("lookcoin-state ").expect("name first").to_string();
    assert_eq!(version, lookcoin_state::VERSION);
    let stamp = version
        .strip_prefix(concat!(env!("CARGO_PKG_VERSION"), " ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("`{version}` is not `VERSION (COMMIT[, dirty])`"));
    let commit = stamp.strip_suffix(", dirty").unwrap_or(stamp);
    match head_commit() {
        Some(head) => assert_eq!(commit, head, "built from another commit than HEAD"),
        None => assert_eq!(commit, "unknown", "no git, no commit"),
    }
}

#[test]
fn migrated_documents_record_the_version_with_its_commit() {
    let (work, _source, run) = migrate_fixture("realistic", &["--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    for name in REALISTIC_FILES {
        let text = std::fs::read_to_string(work.path().join("out").join(name)).expect("written");
        let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let recorded =
            if name == "manifest.json" { &document["toolVersion"] } else { &document["migration"]["toolVersion"] };
        assert_eq!(recorded, lookcoin_state::VERSION, "{name}");
    }
}

#[test]
fn a_failed_json_run_prints_the_error_as_json_on_stdout_and_text_on_stderr() {
    let work = tempfile::tempdir().expect("temp dir");
    let missing = work.path().join("no-such-leveldb");
    let out = work.path().join("out");
    let args = ["migrate", "--leveldb", missing.to_str().expect("UTF-8"), "--out", out.to_str().expect("UTF-8")];
    let human = lookcoin(&args);
    assert_eq!(human.code, 2, "{human}");
    assert_eq!(human.stdout, "", "human: stdout carries data only: {human}");

    let json_run = lookcoin(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(json_run.code, 2, "{json_run}");
    assert_eq!(json_run.stderr, human.stderr, "the text on stderr is the same in both formats");
    let error = &json_run.json()["error"];
    let first_line = human.stderr.lines().next().expect("error line");
    assert_eq!(
        first_line,
        format!("error[{}]: {}", error["code"].as_str().unwrap(), error["message"].as_str().unwrap())
    );
    assert_eq!(error["subject"], missing.display().to_string(), "{json_run}");
    assert_eq!(error["exit"], 2);
    let kind = error["kind"].as_str().expect("kind");
    let kind = ErrorKind::ALL.into_iter().find(|k| format!("{k:?}") == kind).expect("a known kind");
    assert_eq!(error["code"], kind.code().code());
    assert!(!error["causes"].as_array().expect("causes").is_empty(), "{json_run}");
    assert!(human.stderr.contains(&format!("  hint: {}", error["hint"].as_str().expect("hint"))), "{json_run}");
    assert!(!out.exists(), "nothing written");
}

/// The subcommands `--help` lists (without `help`).
fn subcommands() -> Vec<String> {
    let help = lookcoin(&["--help"]);
    assert_eq!(help.code, 0, "{help}");
    let listed = help.stdout.split("Commands:\n").nth(1).expect("a Commands section").split("\n\n").next().unwrap();
    let names: Vec<String> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 13, "{names:?}");
    names
}

#[test]
fn bash_completion_is_valid_bash_and_completes_every_subcommand() {
    let run = lookcoin(&["completions", "bash"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run}");
    let top_level = run
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("opts=\"") && l.contains("--max-file-mb"))
        .expect("the top-level options line");
    let words: Vec<&str> = top_level.trim_start_matches("opts=\"").trim_end_matches('"').split(' ').collect();
    for name in subcommands() {
        assert!(words.contains(&name.as_str()), "`{name}` is not completed: {top_level}");
    }
    let work = tempfile::tempdir().expect("temp dir");
    let script = work.path().join("lookcoin-state.bash");
    std::fs::write(&script, &run.stdout).expect("write");
    let check = std::process::Command::new("bash").arg("-n").arg(&script).output().expect("run bash -n");
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
    // Sourced, it registers the completion function for the command.
    let sourced = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p lookcoin-state", script.display()))
        .output()
        .expect("run bash");
    assert!(String::from_utf8_lossy(&sourced.stdout).contains("lookcoin-state"), "{sourced:?}");
}

/// Asserts `lookcoin-state completions <shell>` starts with `marker` and holds `entry(name)` for every subcommand.
fn assert_completes(shell: &str, marker: &str, entry: impl Fn(&str) -> String) {
    let run = lookcoin(&["completions", shell]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{shell}: {run}");
    assert!(run.stdout.starts_with(marker), "{shell}: {run}");
    for name in subcommands() {
        assert!(run.stdout.contains(&entry(&name)), "{shell} does not complete `{name}`");
    }
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    assert_completes("zsh", "#compdef lookcoin-state", |name| format!("\n'{name}:"));
    assert_completes("fish", "# Print an optspec", |name| {
        format!("__fish_lookcoin_state_needs_command\" -f -a \"{name}\" -d ")
    });
    assert_eq!(lookcoin(&["completions", "powershell"]).code, 2, "only bash, zsh and fish");
}

#[test]
fn the_man_page_is_roff_with_a_title_and_every_subcommand() {
    let run = lookcoin(&["man"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run}");
    // clap_mangen starts with the two-line definition of the apostrophe string (`.ie`/`.el`), then the title.
    let first_macro = run.stdout.lines().find(|l| !l.starts_with(".ie ") && !l.starts_with(".el ")).expect("lines");
    assert!(first_macro.starts_with(".TH lookcoin-state 1 "), "{first_macro}");
    assert!(first_macro.contains(lookcoin_state::VERSION), "the title names the version: {first_macro}");
    for name in subcommands() {
        assert!(run.stdout.contains(&format!("lookcoin\\-state\\-{}", name.replace('-', "\\-"))), "`{name}` missing");
    }
    // Where groff is installed, it reads the page without a warning.
    let work = tempfile::tempdir().expect("temp dir");
    let page = work.path().join("lookcoin-state.1");
    std::fs::write(&page, &run.stdout).expect("write");
    if let Ok(check) = std::process::Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(&page).output() {
        assert!(check.status.success() && check.stderr.is_empty(), "groff: {}", String::from_utf8_lossy(&check.stderr));
    }
}

#[test]
fn one_of_a_thing_is_singular_and_every_summary_ends_with_a_next_step() {
    let (work, source, run) = migrate_fixture("realistic", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains(", 1 network-name finding;"), "{run}");
    assert!(run.stdout.lines().last().is_some_and(|l| l.starts_with("next: review ")), "{run}");
    let out = work.path().join("out");
    let one = lookcoin(&["validate", out.join("bscmainnet.json").to_str().expect("UTF-8")]);
    assert_eq!(one.code, 0, "{one}");
    assert!(one.stdout.contains("\n1 file: 1 valid, 0 invalid\nnext: `lookcoin-state compare "), "{one}");
    let compare = lookcoin(&["compare", source.path().to_str().expect("UTF-8"), out.to_str().expect("UTF-8")]);
    assert_eq!(compare.code, 0, "{compare}");
    let next = compare.stdout.lines().last().expect("lines");
    assert_eq!(
        next,
        format!("next: `lookcoin-state verify-chain {}` checks the records against the chains", out.display())
    );
}

/// `lookcoin-state ARGS` at a pseudo-terminal `columns` wide (script(1) from util-linux); what it showed.
fn at_terminal_of(columns: u16, args: &[&str]) -> String {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{}'", a.replace('\'', r"'\''"))).collect();
    let command = format!("stty cols {columns} rows 50; '{}' {}", support::binary().display(), quoted.join(" "));
    let output = std::process::Command::new("timeout")
        .args(["60", "script", "--quiet", "--return", "--command", &command, "/dev/null"])
        .env("SOURCE_DATE_EPOCH", "1754400000")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script(1)");
    String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
}

#[test]
fn tables_fit_the_terminal_and_stay_markdown_when_piped() {
    let source = support::fixture_copy("realistic");
    let v3 = support::root().join("fixtures/v3");
    let args = ["compare", source.path().to_str().expect("UTF-8"), v3.to_str().expect("UTF-8")];
    let width = |line: &str| line.chars().count();
    let table_lines = |text: &str| text.lines().filter(|l| l.starts_with('|')).map(str::to_string).collect::<Vec<_>>();

    let piped = lookcoin(&args);
    assert_eq!(piped.code, 1, "{piped}");
    let piped_rows = table_lines(&piped.stdout);
    assert!(piped_rows.iter().any(|l| width(l) > 100), "piped, a row is as wide as its content: {piped}");
    for row in &piped_rows {
        assert!(row.ends_with('|'), "piped, each row is one Markdown line: {row}");
    }

    let shown = at_terminal_of(80, &args);
    let rows = table_lines(&shown);
    assert!(!rows.is_empty(), "{shown}");
    for row in &rows {
        assert!(width(row) <= 80, "wider than the terminal ({} columns): {row}\n{shown}", width(row));
    }
    assert!(rows.len() > piped_rows.len(), "cells wrap onto more lines at 80 columns:\n{shown}");
}

/// Runs the binary as [`lookcoin`] does, with `LOOKCOIN_LOG` set (or removed).
fn lookcoin_logging(lookcoin_log: Option<&str>, args: &[&str]) -> crate::binary_contract::Run {
    let mut command = std::process::Command::new(support::binary());
    command.args(args).env("SOURCE_DATE_EPOCH", "1754400000").stdin(std::process::Stdio::null());
    match lookcoin_log {
        Some(value) => command.env("LOOKCOIN_LOG", value),
        None => command.env_remove("LOOKCOIN_LOG"),
    };
    let output = command.output().expect("run lookcoin-state");
    crate::binary_contract::Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

#[test]
fn debug_logs_each_phase_duration_on_stderr_and_nothing_by_default() {
    let source = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let db = source.path().to_str().expect("UTF-8");
    let out = work.path().join("out");
    let quiet = lookcoin_logging(None, &["migrate", "--leveldb", db, "--out", out.to_str().unwrap()]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""), "no log line without -v: {quiet}");

    let again = work.path().join("again");
    let run = lookcoin_logging(None, &["-vv", "migrate", "--leveldb", db, "--out", again.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.stdout, quiet.stdout.replace(out.to_str().unwrap(), again.to_str().unwrap()), "stdout unchanged");
    for phase in ["read the LevelDB", "migrate and prove", "write"] {
        let line =
            run.stderr.lines().find(|l| l.contains(&format!("phase=\"{phase}\""))).unwrap_or_else(|| panic!("{run}"));
        assert!(line.contains(" DEBUG migrate: phase done ") && line.contains(" ms="), "{line}");
    }

    let json = lookcoin_logging(None, &["--log-format", "json", "-vv", "compare", db, out.to_str().unwrap()]);
    assert_eq!(json.code, 0, "{json}");
    let lines: Vec<serde_json::Value> =
        json.stderr.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let phases: Vec<&str> = lines.iter().filter_map(|l| l["fields"]["phase"].as_str()).collect();
    assert_eq!(phases, ["load left", "load right", "compare", "locate"], "{json}");
    assert!(lines.iter().all(|l| l["level"] == "DEBUG" && l["fields"]["message"].is_string()), "{json}");
}

#[test]
fn lookcoin_log_sets_a_level_per_component_and_refuses_others() {
    let source = support::fixture_copy("realistic");
    let db = source.path().to_str().expect("UTF-8");
    let only_leveldb = lookcoin_logging(
        Some("leveldb=debug,migrate=off"),
        &["migrate", "--leveldb", db, "--dry-run", "--out", "/nonexistent/x"],
    );
    assert_eq!(only_leveldb.code, 1, "{only_leveldb}");
    assert!(!only_leveldb.stderr.is_empty(), "{only_leveldb}");
    assert!(only_leveldb.stderr.lines().all(|l| l.contains(" DEBUG leveldb: ")), "{only_leveldb}");

    let bad = lookcoin_logging(Some("hyper=trace"), &["inspect", db]);
    assert_eq!(bad.code, 2, "{bad}");
    assert_eq!(bad.stdout, "", "{bad}");
    assert!(bad.stderr.contains("--> LOOKCOIN_LOG") && bad.stderr.contains("`hyper=trace`"), "{bad}");
}

#[test]
fn rpc_traffic_is_traced_with_the_url_redacted() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let source = support::fixture_copy("realistic");
    let migrated = migrate(source.path(), &out, &[]);
    assert_eq!(migrated.code, 1, "{migrated}");
    let flag = "56=http://alice:s3cret-pass@127.0.0.1:9/v2/s3cret-key?apikey=s3cret-q";
    let args = ["verify-chain", out.to_str().unwrap(), "--rpc", flag, "--retries", "0", "--timeout", "1"];
    let run = lookcoin_logging(Some("rpc=trace"), &args);
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stderr.contains(" TRACE rpc: calling endpoint=http://127.0.0.1:9/…"), "{run}");
    assert!(run.stderr.contains(" TRACE rpc: sending a batch "), "{run}");
    assert!(!run.stderr.contains("s3cret") && !run.stderr.contains("alice"), "a secret in the logs: {run}");
}

#[test]
fn github_annotations_are_at_most_three_of_a_kind_and_ten_of_a_level_plus_a_summary_notice() {
    let source = support::fixture_copy("realistic");
    let v3 = support::root().join("fixtures/v3");
    let json = lookcoin(&["compare", source.path().to_str().unwrap(), v3.to_str().unwrap(), "--format", "json"]);
    let items = json.json()["discrepancies"].as_array().expect("discrepancies").clone();
    let mut per_kind = std::collections::BTreeMap::<String, usize>::new();
    for d in &items {
        *per_kind.entry(d["kind"].as_str().expect("kind").to_string()).or_default() += 1;
    }
    assert!(per_kind.values().any(|n| *n > 3), "the fixture has a kind past the cap: {per_kind:?}");

    let run = std::process::Command::new(support::binary())
        .args(["compare", source.path().to_str().unwrap(), v3.to_str().unwrap()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", support::root())
        .env("SOURCE_DATE_EPOCH", "1754400000")
        .output()
        .expect("run");
    let stderr = String::from_utf8(run.stderr).expect("UTF-8");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("::error ")).collect();
    // Three of a kind at most, in the report's order, until GitHub's ten of a level.
    let mut budget = 10;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut expected = std::collections::BTreeMap::<String, usize>::new();
    for d in &items {
        let kind = d["kind"].as_str().unwrap().to_string();
        let seen = counts.entry(kind.clone()).or_default();
        *seen += 1;
        if *seen <= 3 && budget > 0 {
            budget -= 1;
            *expected.entry(kind).or_default() += 1;
        }
    }
    for (kind, n) in &counts {
        let shown = errors.iter().filter(|l| l.contains(&format!("title={kind} "))).count();
        assert_eq!(shown, expected.get(kind).copied().unwrap_or(0), "{kind} ({n} found): {stderr}");
    }
    assert_eq!(errors.len(), 10, "GitHub shows ten errors of a step: {stderr}");
    // The v3 files are in the checkout: each annotation of a value they hold sits on its line.
    assert!(errors.iter().any(|l| l.starts_with("::error file=fixtures/v3/")), "{stderr}");
    assert!(errors.iter().filter(|l| l.starts_with("::error file=")).all(|l| l.contains(",line=")), "{stderr}");
    let notice = stderr.lines().last().expect("a summary");
    let unshown = items.len() - errors.len();
    let total = items.len() + 1; // and the notice of the fields v3 does not hold
    let want =
        format!("::notice title=lookcoin-state compare::{total} annotations ({} errors, 1 notice): ", items.len());
    assert!(notice.starts_with(&want), "{notice}");
    assert!(notice.ends_with(&format!(", {unshown} more in the report")), "{notice}");
    assert_eq!(stderr.lines().count(), errors.len() + 2, "{stderr}");
}
