//! What must not outlive an interrupted run: private copies of a LevelDB (they hold the whole database) are
//! registered here while they exist, and on SIGINT, SIGTERM or SIGHUP they are removed, the hooks others
//! registered run (the lab stops its chains), and the process exits with 130. Only those copies are registered:
//! a staging folder an interrupt leaves beside `--out` is cleared by the next run on that `--out`
//! (`io::backup::clear_leftovers`). Writes: removes registered paths.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

static PATHS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Work to do on an interrupt; returns a line to say on stderr.
type Hook = fn() -> Option<String>;

static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());
static INSTALLED: Mutex<bool> = Mutex::new(false);

fn locked<T>(m: &'static Mutex<T>) -> std::sync::MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes `path` (a folder) if the run is interrupted while it is registered.
pub fn remove_on_interrupt(path: &Path) {
    locked(&PATHS).push(path.to_path_buf());
}

/// Stops watching `path` (it was removed, or is kept on purpose).
pub fn forget(path: &Path) {
    locked(&PATHS).retain(|p| p != path);
}

/// Runs `hook` on an interrupt, after the registered paths are removed; what it returns is said on stderr.
pub fn on_interrupt(hook: Hook) {
    let mut hooks = locked(&HOOKS);
    if !hooks.contains(&hook) {
        hooks.push(hook);
    }
}

/// Installs the handlers, once per process; returns once they are in place, so a signal that follows is never
/// missed.
pub fn install() -> std::io::Result<()> {
    let mut installed = locked(&INSTALLED);
    if *installed {
        return Ok(());
    }
    let (ready, armed) = mpsc::channel::<std::io::Result<()>>();
    std::thread::Builder::new().name("interrupt".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => return drop(ready.send(Err(e))),
        };
        runtime.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let mut streams = Vec::new();
            for kind in [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()] {
                match signal(kind) {
                    Ok(s) => streams.push(s),
                    Err(e) => return drop(ready.send(Err(e))),
                }
            }
            let _ = ready.send(Ok(()));
            let [a, b, c] = &mut streams[..] else { return };
            tokio::select! { _ = a.recv() => {}, _ = b.recv() => {}, _ = c.recv() => {} }
            clean_up_and_exit();
        });
    })?;
    armed.recv().map_err(|_| std::io::Error::other("the interrupt thread ended early"))??;
    *installed = true;
    Ok(())
}

fn clean_up_and_exit() -> ! {
    let paths: Vec<PathBuf> = std::mem::take(&mut *locked(&PATHS));
    let mut said = String::new();
    for path in &paths {
        if std::fs::remove_dir_all(path).is_ok() {
            said.push_str(&format!("interrupted: removed {}\n", path.display()));
        }
    }
    let hooks: Vec<Hook> = locked(&HOOKS).clone();
    for hook in hooks {
        if let Some(line) = hook() {
            said.push_str(&line);
            said.push('\n');
        }
    }
    if said.is_empty() {
        said.push_str("interrupted\n");
    }
    // Straight to fd 2: the interrupted thread may hold the lock of `std::io::stderr()`.
    // SAFETY: write(2) of a valid buffer to the standard error descriptor.
    unsafe { libc::write(2, said.as_ptr().cast(), said.len()) };
    std::process::exit(130);
}
