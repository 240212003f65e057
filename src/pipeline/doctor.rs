//! `doctor`'s checks: the LevelDB (readable, integrity, lock holder), the JSON (valid, manifest fresh), the output
//! folder (free space, writable), each configured endpoint (reachable, chain id, head block and its age, latency,
//! batches, state at an older block) and the tool's version. Reads the inputs, probes the endpoints with a few
//! requests each, creates and removes one probe file in the output folder; the bundle is written by the caller's
//! request only, with every URL redacted.

use super::load::read_documents;
use super::validate::validate;
use crate::core::reports::doctor::{head_age_health, Check, DoctorReport, Health};
use crate::error::{ErrorKind, ToolError};
use crate::io::leveldb::{lock_holder, read_leveldb};
use crate::io::networks_file::{read_networks_file, LimitFlags};
use crate::io::paths::{free_bytes, probe_writable};
use crate::io::rpc::probe::{probe, OLDER_BY};
use crate::io::rpc::Endpoint;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Below this much free space in the output folder, `doctor` warns (the realistic migration writes a few MB; a
/// 100,000-record one about 50 MB).
const LOW_SPACE: u64 = 512 * 1024 * 1024;

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    pub leveldb: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub networks: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub timeout: Duration,
}

fn check(area: &str, name: &str, health: Health, detail: impl Into<String>) -> Check {
    Check { area: area.to_string(), name: name.to_string(), health, detail: detail.into() }
}

fn error_line(e: &ToolError) -> String {
    let line = format!("{} {}: {}", e.code().code(), e.subject, e.causes.join(": "));
    crate::error::printable(&line).into_owned()
}

fn leveldb_checks(dir: &Path, checks: &mut Vec<Check>) {
    match lock_holder(dir) {
        Ok(None) => checks.push(check("leveldb", "lock", Health::Ok, "no process holds the lock")),
        Ok(Some(holder)) => checks.push(check("leveldb", "lock", Health::Fail, holder)),
        Err(e) => checks.push(check("leveldb", "lock", Health::Fail, error_line(&e))),
    }
    match read_leveldb(dir) {
        Ok(read) => checks.push(check(
            "leveldb",
            "readable, integrity",
            Health::Ok,
            format!("{} files' checksums verified, {} entries", read.files_verified, read.entries.len()),
        )),
        Err(e) => checks.push(check("leveldb", "readable, integrity", Health::Fail, error_line(&e))),
    }
}

fn json_checks(dir: &Path, checks: &mut Vec<Check>) {
    match validate(&[dir.to_path_buf()]) {
        Ok(report) if report.invalid() == 0 => {
            checks.push(check("json", "valid", Health::Ok, format!("{} files valid", report.files.len())));
        }
        Ok(report) => {
            let bad: Vec<String> = report
                .files
                .iter()
                .filter_map(|f| f.failure.as_ref().map(|(code, _)| format!("{} {code}", f.path)))
                .collect();
            checks.push(check("json", "valid", Health::Fail, bad.join("; ")));
        }
        Err(e) => checks.push(check("json", "valid", Health::Fail, error_line(&e))),
    }
    if !dir.join("manifest.json").is_file() {
        checks.push(check("json", "manifest fresh", Health::Warn, "no manifest.json: changes cannot be detected"));
        return;
    }
    match read_documents(dir).and_then(|docs| docs.unchanged(dir).map(|_| ())) {
        Ok(()) => checks.push(check("json", "manifest fresh", Health::Ok, "every file matches its manifest digest")),
        Err(e) => checks.push(check("json", "manifest fresh", Health::Fail, error_line(&e))),
    }
}

fn out_checks(dir: &Path, checks: &mut Vec<Check>) {
    match free_bytes(dir) {
        Ok(free) => {
            let health = if free < LOW_SPACE { Health::Warn } else { Health::Ok };
            checks.push(check("out", "free space", health, format!("{} MiB free", free / (1024 * 1024))));
        }
        Err(e) => checks.push(check("out", "free space", Health::Fail, format!("statvfs failed: {e}"))),
    }
    match probe_writable(dir) {
        Ok(()) => checks.push(check("out", "writable", Health::Ok, "a probe file was created and removed")),
        Err(e) => checks.push(check("out", "writable", Health::Fail, format!("cannot create a file: {e}"))),
    }
}

fn endpoint_checks(chain: u64, endpoint: &Endpoint, timeout: Duration, now_s: u64, checks: &mut Vec<Check>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let found = match runtime {
        Ok(rt) => rt.block_on(probe(endpoint, timeout)),
        Err(e) => {
            checks.push(check(&format!("rpc {chain}"), "runtime", Health::Fail, e.to_string()));
            return;
        }
    };
    let area = format!("rpc {chain} {}", endpoint.shown);
    match found.chain_id {
        Ok((id, latency)) if id == chain => {
            checks.push(check(&area, "reachable, chain id", Health::Ok, format!("chain {id}")));
            checks.push(check(&area, "latency", Health::Ok, format!("{} ms (eth_chainId)", latency.as_millis())));
        }
        Ok((id, _)) => {
            checks.push(check(&area, "reachable, chain id", Health::Fail, format!("answers for chain {id}")));
        }
        Err(e) => checks.push(check(&area, "reachable, chain id", Health::Fail, e)),
    }
    match found.head {
        Ok((number, timestamp)) => {
            let age = now_s as i64 - timestamp as i64;
            checks.push(check(&area, "head block", head_age_health(age), format!("{number}, {age} s old")));
        }
        Err(e) => checks.push(check(&area, "head block", Health::Fail, e)),
    }
    match found.batch {
        Ok(0) => checks.push(check(&area, "batch", Health::Warn, "batches refused: one request per call")),
        Ok(n) => checks.push(check(&area, "batch", Health::Ok, format!("answered a batch of {n} calls"))),
        Err(e) => checks.push(check(&area, "batch", Health::Warn, e)),
    }
    match found.older_state {
        Ok((block, true)) => {
            checks.push(check(&area, "older state", Health::Ok, format!("served the state of block {block}")))
        }
        Ok((block, false)) => checks.push(check(
            &area,
            "older state",
            Health::Warn,
            format!("no state at block {block}, {OLDER_BY} back (not an archive node): pin --block near the head"),
        )),
        Err(e) => checks.push(check(&area, "older state", Health::Warn, e)),
    }
}

/// Runs every check the options allow; `Err` only for bad input (a networks file that does not parse).
pub fn doctor(options: &DoctorOptions) -> Result<(DoctorReport, Vec<Endpoint>), ToolError> {
    let endpoints = match &options.networks {
        Some(path) => read_networks_file(path, &LimitFlags::default())?,
        None => Default::default(),
    };
    let mut checks = vec![check("tool", "version", Health::Ok, crate::VERSION)];
    if let Some(dir) = &options.leveldb {
        leveldb_checks(dir, &mut checks);
    }
    if let Some(dir) = &options.json {
        json_checks(dir, &mut checks);
    }
    if let Some(dir) = &options.out {
        out_checks(dir, &mut checks);
    }
    let now_s = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut all = Vec::new();
    for (chain, chain_endpoints) in &endpoints {
        for endpoint in &chain_endpoints.endpoints {
            endpoint_checks(*chain, endpoint, options.timeout, now_s, &mut checks);
            all.push(endpoint.clone());
        }
    }
    if options.networks.is_some() && all.is_empty() {
        checks.push(check("rpc", "endpoints", Health::Warn, "the networks file names no endpoint"));
    }
    let environment = vec![
        ("version".to_string(), crate::VERSION.to_string()),
        ("os".to_string(), std::env::consts::OS.to_string()),
        ("arch".to_string(), std::env::consts::ARCH.to_string()),
        (
            "cpus".to_string(),
            std::thread::available_parallelism().map(|n| n.get().to_string()).unwrap_or_else(|_| "?".into()),
        ),
        ("endpoints".to_string(), all.len().to_string()),
    ];
    Ok((DoctorReport { version: crate::VERSION.to_string(), checks, environment }, all))
}

/// Removes every piece of every endpoint URL from `text` (the bundle's belt and braces: the report holds only
/// redacted URLs already).
pub fn scrub_all(text: &str, endpoints: &[Endpoint]) -> String {
    endpoints.iter().fold(text.to_string(), |t, e| e.scrub(&t))
}

/// Refuses an unusable `--out` early: that is bad input, not a failed check.
pub fn check_out(out: &Path) -> Result<(), ToolError> {
    if out.is_dir() {
        Ok(())
    } else {
        Err(ToolError::new(ErrorKind::BadFlag, out.display().to_string(), "--out is not an existing folder"))
    }
}
