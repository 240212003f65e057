//! Makes sure no process the lab starts outlives the program, whichever way the program ends.
//!
//! - normal end or panic: `AnvilNode`'s `Drop` kills and reaps its node (through [`release`]);
//! - `static` fixtures (never dropped) and `std::process::exit`: an `atexit` hook kills what is still registered;
//! - Ctrl-C / SIGTERM / SIGHUP: [`install_interrupt_cleanup`] kills everything, then exits with 130;
//! - SIGKILL of the program, or any death the hooks cannot see: every child is started with
//!   `PR_SET_PDEATHSIG = SIGKILL`. Linux sends that signal when the *thread* that forked the child ends, so all
//!   children are forked by one spawner thread that lives as long as the process (a test thread that starts a
//!   shared node and then finishes must not take the node with it).
//!
//! Each child leads its own process group, so a terminal's Ctrl-C reaches only us, and we decide the order.

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, Once, OnceLock};
use std::time::Duration;

/// Process ids (= process group ids) of live children, until they are reaped.
static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
static AT_EXIT: Once = Once::new();
static INTERRUPT: OnceLock<()> = OnceLock::new();
/// Set by the interrupt handler before it kills anything.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);
static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();

fn live() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts `command` in its own process group, from the long-lived spawner thread, and registers it.
pub fn spawn(command: Command) -> std::io::Result<Child> {
    AT_EXIT.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn` with no arguments, as atexit(3) requires.
        unsafe { libc::atexit(kill_all_at_exit) };
    });
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("lab-spawner".into())
            .spawn(move || {
                for (command, reply) in rx {
                    let _ = reply.send(spawn_here(command));
                }
            })
            .expect("the lab cannot start its spawner thread");
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    spawner
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send((command, reply))
        .map_err(|_| std::io::Error::other("the lab's spawner thread is gone"))?;
    answer.recv().map_err(|_| std::io::Error::other("the lab's spawner thread is gone"))?
}

fn spawn_here(mut command: Command) -> std::io::Result<Child> {
    // Read before the fork, so the child can tell whether its parent is still the one that started it.
    let parent = std::process::id() as i32;
    command.process_group(0);
    die_with_parent(&mut command, parent);
    let mut registry = live();
    let child = command.spawn()?;
    registry.insert(child.id() as i32);
    Ok(child)
}

/// Arms the kernel's parent-death signal in the child (Linux only): a SIGKILL of this process then kills the node
/// too, where no handler of ours can run. Elsewhere the interrupt handler and the exit hook are the only guards.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command, parent: i32) {
    // SAFETY: the closure runs between fork and exec and calls only async-signal-safe functions (prctl, getppid,
    // _exit); it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                libc::_exit(1); // the parent died before the signal was armed
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command, _parent: i32) {}

/// Kills and forgets one child. Returns `false` when it was already killed and reaped by [`kill_all`] (the caller
/// must then not touch the pid: it may belong to another process by now).
pub fn release(pid: u32) -> bool {
    let mut registry = live();
    let known = registry.remove(&(pid as i32));
    if known {
        // SAFETY: plain kill(2) of a process group we created and have not reaped (so its id is still ours).
        unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
    }
    known
}

/// Kills every registered child's process group and reaps the children. Returns how many there were.
pub fn kill_all() -> usize {
    kill_registered(&mut live())
}

fn kill_registered(registry: &mut BTreeSet<i32>) -> usize {
    let pids: Vec<i32> = std::mem::take(registry).into_iter().collect();
    for pid in &pids {
        // SAFETY: kill(2) and waitpid(2) on children we started and have not reaped.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::waitpid(*pid, std::ptr::null_mut(), 0);
        }
    }
    pids.len()
}

/// How many children are alive (registered and not yet reaped).
pub fn live_count() -> usize {
    live().len()
}

/// At exit, never wait for the lock: a thread still running could hold it. Whatever is missed here dies by the
/// parent-death signal a moment later.
extern "C" fn kill_all_at_exit() {
    match LIVE.try_lock() {
        Ok(mut registry) => {
            kill_registered(&mut registry);
        }
        Err(std::sync::TryLockError::Poisoned(p)) => {
            kill_registered(&mut p.into_inner());
        }
        Err(std::sync::TryLockError::WouldBlock) => {}
    }
}

/// On SIGINT, SIGTERM or SIGHUP: kill every child, say so on stderr, exit with 130. Installed once per process
/// (later calls do nothing); returns once the handlers are in place, so a signal that follows is never missed.
pub fn install_interrupt_cleanup() -> std::io::Result<()> {
    if INTERRUPT.get().is_some() {
        return Ok(());
    }
    let (ready, armed) = mpsc::channel::<std::io::Result<()>>();
    std::thread::Builder::new().name("lab-interrupt".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => return drop(ready.send(Err(e))),
        };
        runtime.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let kinds = [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()];
            let mut streams = Vec::new();
            for kind in kinds {
                match signal(kind) {
                    Ok(s) => streams.push(s),
                    Err(e) => return drop(ready.send(Err(e))),
                }
            }
            let _ = ready.send(Ok(()));
            let [a, b, c] = &mut streams[..] else { return };
            tokio::select! { _ = a.recv() => {}, _ = b.recv() => {}, _ = c.recv() => {} }
            INTERRUPTED.store(true, Ordering::SeqCst);
            let stopped = kill_all();
            // Straight to fd 2: the interrupted thread may hold the lock of `std::io::stderr()` for its whole run.
            let said = format!("interrupted: stopped {stopped} local chain process(es)\n");
            // SAFETY: write(2) of a valid buffer to the standard error descriptor.
            unsafe { libc::write(2, said.as_ptr().cast(), said.len()) };
            std::process::exit(130);
        });
    })?;
    armed.recv().map_err(|_| std::io::Error::other("the interrupt thread ended early"))??;
    let _ = INTERRUPT.set(());
    Ok(())
}

/// Called by a command that failed: when the failure is the consequence of an interrupt (its nodes were killed
/// under it), waits (bounded) for the interrupt handler to end the process, so the exit code says "interrupted"
/// (130) rather than reporting the connection errors the interruption caused.
pub fn yield_to_interrupt() {
    if !INTERRUPTED.load(Ordering::SeqCst) {
        return;
    }
    for _ in 0..500 {
        std::thread::sleep(Duration::from_millis(20)); // the handler calls exit(130) right after its kills
    }
}
