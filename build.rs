//! Stamps the binary with the git commit it was built from: `LOOKCOIN_GIT_COMMIT` is the short commit, followed
//! by `, dirty` when the work tree had changes, or `unknown` when git or the repository is absent (a tarball, a
//! build without git installed). `--version` prints it and migrated documents record it in `toolVersion`.

#![expect(clippy::disallowed_methods, reason = "a build script: runs git and reads cargo's environment")]

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
}

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    // Only a repository whose top level is this package counts: a tarball unpacked inside some other
    // repository must not be stamped with that repository's commit.
    let top = git(&["-C", &manifest_dir, "rev-parse", "--show-toplevel"]);
    let ours = top.as_deref().is_some_and(|top| same_dir(Path::new(top), Path::new(&manifest_dir)));
    let commit = if ours { git(&["-C", &manifest_dir, "rev-parse", "--short=7", "HEAD"]) } else { None };
    let stamp = match commit {
        Some(commit) => {
            // Any change git reports (tracked or untracked, not ignored) makes the build dirty.
            let dirty = git(&["-C", &manifest_dir, "status", "--porcelain"]).is_none_or(|s| !s.is_empty());
            if dirty {
                format!("{commit}, dirty")
            } else {
                commit
            }
        }
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=LOOKCOIN_GIT_COMMIT={stamp}");
    // Rerun when HEAD moves (a checkout, a commit on the branch) or the index changes (a commit, a staged
    // change), and when a source file changes (which may make the tree dirty or clean). In a worktree, .git is a
    // file and these paths live elsewhere, so git is asked where they are. (A change outside these, to a test
    // file say, is seen at the next build that reruns the script.)
    println!("cargo:rerun-if-changed=build.rs");
    if ours {
        for name in ["HEAD", "index", "packed-refs"] {
            if let Some(path) = git(&["-C", &manifest_dir, "rev-parse", "--path-format=absolute", "--git-path", name]) {
                watch(&path);
            }
        }
        if let Some(head_ref) = git(&["-C", &manifest_dir, "symbolic-ref", "-q", "HEAD"]) {
            let path = git(&["-C", &manifest_dir, "rev-parse", "--path-format=absolute", "--git-path", &head_ref]);
            if let Some(path) = path {
                watch(&path);
            }
        }
        for watched in ["src", "Cargo.toml", "Cargo.lock", "schemas", "README.md"] {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
}

/// Reruns the script when `path` changes; a path that does not exist (no packed-refs yet, a packed ref) is not
/// named, as cargo would then rerun the script, and rebuild the crate, on every build.
fn watch(path: &str) {
    if Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
