//! Detects a live writer of a LevelDB folder without touching its data (reads `LOCK`, `/proc/locks`, `/proc/PID`).
//!
//! C++ LevelDB (Node's `level`, the deploy script) locks `LOCK` with `fcntl`; rusty-leveldb with `flock`. On Linux
//! neither sees the other's lock, so both are probed: `F_GETLK` reports a POSIX lock holder's PID directly; an
//! `flock` holder is found by a non-blocking shared `flock` attempt (released at once) and named from `/proc/locks`.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Who holds the lock of a LevelDB folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    Free,
    /// Held with `fcntl`, as C++ LevelDB does.
    Posix {
        pid: i32,
        command: Option<String>,
    },
    /// Held with `flock`, as rusty-leveldb does; the PID when `/proc/locks` names it.
    Flock {
        pid: Option<i32>,
        command: Option<String>,
    },
}

impl LockState {
    /// A sentence naming the holder, for error messages.
    pub fn describe(&self) -> String {
        let who = |pid: Option<i32>, command: &Option<String>| match (pid, command) {
            (Some(pid), Some(cmd)) => format!("process {pid} (`{cmd}`)"),
            (Some(pid), None) => format!("process {pid}"),
            (None, _) => "another process".to_string(),
        };
        match self {
            LockState::Free => "no process holds the lock".to_string(),
            LockState::Posix { pid, command } => format!("{} holds an fcntl lock on LOCK", who(Some(*pid), command)),
            LockState::Flock { pid, command } => format!("{} holds an flock lock on LOCK", who(*pid, command)),
        }
    }
}

/// Probes `dir/LOCK`. A folder without `LOCK` is free (nobody can hold a lock on a file that does not exist).
pub fn probe(dir: &Path) -> std::io::Result<LockState> {
    let path = dir.join("LOCK");
    let file = match open_without_waiting(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LockState::Free),
        Err(e) => return Err(e),
    };
    if let Some(pid) = posix_holder(&file)? {
        return Ok(LockState::Posix { pid, command: command_of(pid) });
    }
    if flock_is_held(&file)? {
        let pid = flock_holder_pid(file.metadata()?.ino());
        return Ok(LockState::Flock { pid, command: pid.and_then(command_of) });
    }
    Ok(LockState::Free)
}

/// `F_GETLK` for a whole-file write lock: reports a conflicting POSIX lock of another process, and its PID.
fn posix_holder(file: &File) -> std::io::Result<Option<i32>> {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut query: libc::flock = unsafe { std::mem::zeroed() };
    query.l_type = libc::F_WRLCK as libc::c_short;
    query.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: the descriptor is open for the duration of the call and `query` is a valid, exclusive pointer.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut query) };
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((query.l_type != libc::F_UNLCK as libc::c_short).then_some(query.l_pid))
}

/// Tries a shared, non-blocking `flock`; released at once by closing nothing but the lock itself.
fn flock_is_held(file: &File) -> std::io::Result<bool> {
    // SAFETY: plain syscall on a descriptor we own.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) };
    if rc == 0 {
        // SAFETY: as above; releases the lock we just took.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
        return Ok(false);
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(true)
    } else {
        Err(err)
    }
}

/// Finds the PID of an `FLOCK` line for this inode in `/proc/locks` (`1: FLOCK ADVISORY WRITE 1234 08:01:5678 0 EOF`).
fn flock_holder_pid(inode: u64) -> Option<i32> {
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let is_flock = fields.get(1) == Some(&"FLOCK");
        let ino = fields.get(5)?.rsplit(':').next()?.parse::<u64>().ok()?;
        (is_flock && ino == inode).then(|| fields.get(4)?.parse().ok()).flatten()
    })
}

/// The command line of a process, for naming a lock holder.
fn command_of(pid: i32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let text: Vec<String> =
        raw.split(|b| *b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
    // Shown in an error: one line, bounded, control characters escaped when printed.
    (!text.is_empty()).then(|| text.join(" ").chars().take(200).collect())
}

/// Opens `LOCK` for reading without blocking: a named pipe in its place must not hang the probe.
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}
