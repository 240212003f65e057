//! Shared test helpers: fixture paths, private copies of fixture folders, the built binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/leveldb/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/leveldb").join(name)
}

/// A private, writable copy of a fixture folder (opening a LevelDB writes to its folder; never open a fixture).
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), temp.path());
    temp
}

/// Copies the regular files of `from` into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Every file of a folder with its bytes, for proving a folder unchanged.
pub fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// The expected entries of a fixture, as C++ LevelDB returned them (`<name>.expected.json`).
pub fn expected(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).expect("expected file");
    serde_json::from_str(&text).expect("expected file is JSON")
}

/// The built `lookcoin-state` binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lookcoin-state"))
}

/// How a [`LockHolder`] locks `LOCK`: `fcntl` as C++ LevelDB (Node's `level`) does, or `flock` as rusty-leveldb does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    Fcntl,
    Flock,
}

/// A live `python3` process holding an exclusive lock on a file, like a deploy script holding its database.
/// Killed (and reaped) on drop, also when the test fails; it also exits by itself when its stdin closes, so it
/// cannot outlive a test process that was killed.
pub struct LockHolder {
    child: std::process::Child,
}

impl LockHolder {
    /// Spawns the holder on `lock_file` and returns once it says it holds the lock.
    pub fn spawn(lock_file: &Path, kind: LockKind) -> LockHolder {
        use std::io::BufRead;
        let call = match kind {
            LockKind::Fcntl => "fcntl.lockf(f, fcntl.LOCK_EX)",
            LockKind::Flock => "fcntl.flock(f, fcntl.LOCK_EX)",
        };
        let script = format!(
            "import fcntl, sys; f = open(sys.argv[1], 'r+'); {call}; print('locked', flush=True); sys.stdin.read()"
        );
        let child = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(lock_file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed to hold a lock like another process");
        let mut holder = LockHolder { child };
        let stdout = holder.child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("read the holder's output");
        assert_eq!(line.trim(), "locked", "the lock holder did not take the lock");
        holder
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Names of the files of a folder that end with `suffix`, in name order.
pub fn names_with(dir: &Path, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(suffix))
        .collect();
    names.sort();
    names
}

/// Asserts `text` against `snapshots/<name>.snap` (the top-level folder every snapshot of the project lives in).
pub fn assert_snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, text));
}
