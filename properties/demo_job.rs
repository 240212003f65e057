//! `lookcoin-state demo` through the built binary: the whole job passes, and no anvil it started survives it,
//! whether it ends normally, is interrupted with Ctrl-C (SIGINT), is killed (SIGKILL), or cannot find anvil. Also: a lab node dropped
//! during a panic leaves no process behind.

use crate::support::binary;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Processes whose parent is `pid` and whose name is `anvil`.
fn anvil_children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        let (head, rest) = stat.rsplit_once(')').unwrap_or_default();
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if head.ends_with("(anvil") && ppid == Some(pid) {
            found.push(child);
        }
    }
    found
}

/// Whether `pid` is a process that is still running (a zombie waiting for its parent counts as gone).
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(stat.rsplit_once(')').map(|(_, r)| r.trim_start().chars().next()), Some(Some('Z' | 'X'))),
        Err(_) => false,
    }
}

/// Processes named anvil listening on one of `ports` (from their command line).
fn anvils_on(ports: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<String> = cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let is_anvil = args.first().is_some_and(|a| a.ends_with("anvil"));
        if is_anvil && args.windows(2).any(|w| w[0] == "--port" && ports.contains(&w[1])) {
            found.push(args.join(" "));
        }
    }
    found
}

#[test]
fn demo_runs_the_whole_job_and_stops_its_chains() {
    let started = Instant::now();
    let out = Command::new(binary()).arg("demo").output().expect("run the demo");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60), "the demo is quick");
    for n in 1..=10 {
        assert!(stderr.contains(&format!("demo: [{n}/10] ")), "step {n}: {stderr}");
    }
    assert!(stderr.lines().all(|l| l.starts_with("demo: ")), "progress only on stderr: {stderr}");
    assert!(stdout.contains("# verification 1") && stdout.contains("# verification 2"), "{stdout}");
    assert_eq!(stdout.matches("| implementation-mismatch |").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("verdict: verified").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("verdict: drift").count(), 1, "{stdout}");
    let ports: Vec<String> = stderr
        .lines()
        .find(|l| l.contains("[1/10]"))
        .unwrap()
        .split(" on :")
        .skip(1)
        .map(|p| p.chars().take_while(char::is_ascii_digit).collect())
        .collect();
    assert_eq!(ports.len(), 5, "{stderr}");
    assert!(anvils_on(&ports).is_empty(), "anvil survived the demo: {:?}", anvils_on(&ports));
}

#[test]
fn demo_keeps_its_files_in_out_and_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kept");
    let run = Command::new(binary()).args(["demo", "--out"]).arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(out.join("leveldb/CURRENT").is_file() && out.join("json").is_dir());
    let again = Command::new(binary()).args(["demo", "--out"]).arg(&out).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
    let file = out.join("leveldb/CURRENT");
    let on_a_file = Command::new(binary()).args(["demo", "--out"]).arg(&file).output().unwrap();
    assert_eq!(on_a_file.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&on_a_file.stderr).contains("is not a folder"));
}

#[test]
fn demo_without_anvil_says_how_to_install_it() {
    let run = Command::new(binary()).arg("demo").env("LOOKCOIN_ANVIL", "/nonexistent/anvil").output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "a missing tool is `could not complete`, not bad input: {stderr}");
    assert!(stderr.starts_with("error[MIGRATION-004]"), "{stderr}");
    assert!(stderr.contains("cd fixtures/chain && npm ci"), "{stderr}");
}

/// Starts the demo, waits until its chains run, freezes it (SIGSTOP, so the test does not race the demo to its
/// end), lists its anvil children, sends `signal`, thaws it, and waits (bounded) for it to end. Returns its exit
/// status, its stderr and the pids of its nodes.
fn signal_demo(signal: i32) -> (std::process::ExitStatus, String, Vec<u32>) {
    let mut demo = Command::new(binary()).arg("demo").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = demo.id() as i32;
    let mut stderr = BufReader::new(demo.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("[1/10]") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the demo ended early: {seen}");
        seen.push_str(&line);
    }
    // SAFETY: plain kill(2) of the child we just started (and have not reaped).
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let nodes = anvil_children(pid as u32);
    assert_eq!(nodes.len(), 5, "{seen}");
    // SAFETY: as above.
    unsafe {
        libc::kill(pid, signal);
        libc::kill(pid, libc::SIGCONT);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = demo.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the demo did not end on signal {signal}");
        std::thread::sleep(Duration::from_millis(20));
    };
    stderr.read_to_string(&mut seen).unwrap();
    (status, seen, nodes)
}

/// Polls (bounded) until none of `pids` runs; returns those still running at the deadline.
fn survivors(pids: Vec<u32>) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive: Vec<u32> = pids.iter().copied().filter(|p| running(*p)).collect();
        if alive.is_empty() || Instant::now() > deadline {
            return alive;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ctrl-C in a terminal sends SIGINT to the demo only (its nodes lead their own process groups): the demo must
/// stop them itself, and say so.
#[test]
fn ctrl_c_stops_every_chain_the_demo_started() {
    let (status, seen, nodes) = signal_demo(libc::SIGINT);
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("interrupted: stopped 5 local chain process(es)"), "{seen}");
    let alive: Vec<u32> = nodes.into_iter().filter(|p| running(*p)).collect();
    assert!(alive.is_empty(), "anvil processes survived Ctrl-C (already reaped by the demo): {alive:?}");
}

/// SIGKILL leaves the demo no chance to clean up: the kernel stops the nodes (parent-death signal).
#[test]
fn a_killed_demo_leaves_no_chain_behind() {
    let (status, seen, nodes) = signal_demo(libc::SIGKILL);
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGKILL), "{seen}");
    let alive = survivors(nodes);
    assert!(alive.is_empty(), "anvil processes survived SIGKILL of the demo: {alive:?}");
}

#[test]
fn a_node_dropped_while_panicking_leaves_no_process() {
    let pid = std::thread::spawn(|| {
        let node = lookcoin_state::lab::AnvilNode::start(31337).expect("start anvil");
        let pid = node.pid();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _held = node;
            panic!("a test fails while holding a node");
        }));
        assert!(outcome.is_err());
        pid
    })
    .join()
    .unwrap();
    assert!(!running(pid), "anvil {pid} survived the panic");
}
