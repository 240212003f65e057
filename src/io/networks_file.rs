//! Reads the `--networks` TOML file and `--rpc CHAINID=URL` flags into endpoints per chain. Reads the file and
//! the environment (for `${VAR}` in URLs, so keys stay out of files).
//!
//! ```toml
//! [chains.56]
//! rpc = ["${BSC_RPC_URL}", "https://bsc-dataseed.bnbchain.org"]
//! quorum = 1            # endpoints that must answer (default: all of them)
//! max_batch = 500       # calls per JSON-RPC batch, for this chain's endpoints
//!
//! [chains.10]
//! rpc = [{ url = "https://mainnet.optimism.io", max_batch = 10, rps = 5, burst = 300 }]
//! ```
//!
//! A parse error never shows a value of the file (a URL there may hold a key): quoted text in the parser's message
//! is replaced by `…`.

use crate::error::{ErrorKind, ToolError};
use crate::io::rpc::{Endpoint, EndpointLimits};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworksFile {
    chains: BTreeMap<String, ChainEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainEntry {
    rpc: RpcList,
    quorum: Option<usize>,
    max_batch: Option<usize>,
    rps: Option<f64>,
    burst: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RpcList {
    One(String),
    Many(Vec<EndpointEntry>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EndpointEntry {
    Url(String),
    Table(EndpointTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointTable {
    url: String,
    max_batch: Option<usize>,
    rps: Option<f64>,
    burst: Option<u32>,
}

/// One chain's endpoints, in the order given (the first pins the block), and how many must answer.
#[derive(Debug, Clone, Default)]
pub struct ChainEndpoints {
    pub endpoints: Vec<Endpoint>,
    pub quorum: Option<usize>,
}

/// Endpoints by chain id.
pub type EndpointMap = BTreeMap<u64, ChainEndpoints>;

/// Limits given as flags: the default of every endpoint the networks file does not set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LimitFlags {
    pub max_batch: Option<usize>,
    pub rps: Option<f64>,
    pub burst: Option<u32>,
}

impl LimitFlags {
    fn apply(&self, limits: &mut EndpointLimits) {
        if let Some(n) = self.max_batch {
            limits.max_batch = n.max(1);
        }
        if self.rps.is_some() {
            limits.rps = self.rps;
        }
        if self.burst.is_some() {
            limits.burst = self.burst;
        }
    }
}

/// The parser's message with every double-quoted piece replaced by `…`: values of the file never reach output.
fn without_values(message: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in message.chars() {
        match (c, inside) {
            ('"', false) => {
                out.push_str("\"…");
                inside = true;
            }
            ('"', true) => {
                out.push('"');
                inside = false;
            }
            (c, false) => out.push(c),
            (_, true) => {}
        }
    }
    out
}

fn bad(subject: impl Into<String>, what: impl Into<String>) -> ToolError {
    ToolError::new(ErrorKind::BadEndpoint, subject, what)
}

fn bad_file(subject: impl Into<String>, what: impl Into<String>) -> ToolError {
    ToolError::new(ErrorKind::BadNetworksFile, subject, what)
}

/// Expands `${NAME}` from the environment; an unset variable is an error naming it (never an empty URL).
pub fn expand(text: &str, subject: &str) -> Result<String, ToolError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| bad(subject, "`${` without a closing `}`"))?;
        let name = &after[..end];
        let value = std::env::var(name).map_err(|_| {
            bad(subject, format!("environment variable `{name}` is not set"))
                .with_hint(format!("export {name}=<rpc url>"))
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a URL (after expansion). The message names where it came from but never shows the URL (it may hold a key).
pub fn endpoint(text: &str, subject: &str) -> Result<Endpoint, ToolError> {
    let expanded = expand(text, subject)?;
    let url = url::Url::parse(&expanded).map_err(|e| {
        bad(subject, "not a valid URL").caused_by(e).with_hint("use http://host:port or https://host/path")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(subject, format!("unsupported scheme `{}`", url.scheme()))
            .with_hint("use an http:// or https:// JSON-RPC URL"));
    }
    Ok(Endpoint::new(url))
}

/// Reads a networks file.
pub fn read_networks_file(path: &Path, flags: &LimitFlags) -> Result<EndpointMap, ToolError> {
    let shown = path.display().to_string();
    let text = String::from_utf8(crate::io::documents::read_bytes(path)?).map_err(|e| {
        ToolError::new(ErrorKind::BadNetworksFile, &shown, "the networks file is not UTF-8 text").caused_by(e)
    })?;
    let parsed: NetworksFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        let at = line.map_or(shown.clone(), |l| format!("{shown}:{l}"));
        bad_file(at, "the networks file does not parse").caused_by(without_values(e.message()))
    })?;
    let mut map = EndpointMap::new();
    for (key, entry) in parsed.chains {
        let chain: u64 = key
            .parse()
            .map_err(|_| bad_file(format!("{shown}: [chains.{key}]"), "the table name is not a chain id"))?;
        let entries = match entry.rpc {
            RpcList::One(url) => vec![EndpointEntry::Url(url)],
            RpcList::Many(list) => list,
        };
        let chain_limits = LimitFlags { max_batch: entry.max_batch, rps: entry.rps, burst: entry.burst };
        let mut endpoints = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            let subject = format!("{shown}: chains.{key}.rpc[{i}]");
            let (url, own) = match e {
                EndpointEntry::Url(url) => (url, LimitFlags::default()),
                EndpointEntry::Table(t) => (t.url, LimitFlags { max_batch: t.max_batch, rps: t.rps, burst: t.burst }),
            };
            let mut endpoint = endpoint(&url, &subject)?;
            for layer in [flags, &chain_limits, &own] {
                layer.apply(&mut endpoint.limits);
            }
            if endpoint.limits.rps.is_some_and(|r| !(r.is_finite() && (0.001..=100_000.0).contains(&r))) {
                return Err(bad_file(subject, "`rps` must be a number from 0.001 to 100000"));
            }
            endpoints.push(endpoint);
        }
        if entry.quorum.is_some_and(|q| q == 0 || q > endpoints.len()) {
            return Err(bad_file(
                format!("{shown}: chains.{key}.quorum"),
                format!("`quorum` must be between 1 and the {} endpoints given", endpoints.len()),
            ));
        }
        let slot = map.entry(chain).or_default();
        slot.endpoints.extend(endpoints);
        slot.quorum = entry.quorum.or(slot.quorum);
    }
    Ok(map)
}

/// Parses one `--rpc CHAINID=URL` flag.
pub fn parse_rpc_flag(flag: &str, flags: &LimitFlags) -> Result<(u64, Endpoint), ToolError> {
    let subject = "--rpc";
    let (chain, url) = flag.split_once('=').ok_or_else(|| {
        bad(subject, "expected CHAINID=URL").with_hint("e.g. --rpc 56=https://bsc-dataseed.bnbchain.org")
    })?;
    let chain: u64 = chain.trim().parse().map_err(|_| bad(subject, format!("`{chain}` is not a chain id")))?;
    let mut endpoint = endpoint(url.trim(), &format!("--rpc {chain}=…"))?;
    flags.apply(&mut endpoint.limits);
    Ok((chain, endpoint))
}
