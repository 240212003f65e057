//! Reads the `--networks` TOML file and `--rpc CHAINID=URL` flags into endpoints per chain. Reads the file and
//! the environment (for `${VAR}` in URLs, so keys stay out of files).
//!
//! ```toml
//! [chains.56]
//! rpc = ["${BSC_RPC_URL}", "https://bsc-dataseed.bnbchain.org"]
//! ```

use crate::error::{ErrorKind, ToolError};
use crate::io::rpc::Endpoint;
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
    rpc: Vec<String>,
}

/// Endpoints by chain id, in the order given (the first pins the block).
pub type EndpointMap = BTreeMap<u64, Vec<Endpoint>>;

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
pub fn read_networks_file(path: &Path) -> Result<EndpointMap, ToolError> {
    let shown = path.display().to_string();
    let text = String::from_utf8(crate::io::documents::read_bytes(path)?).map_err(|e| {
        ToolError::new(ErrorKind::BadNetworksFile, &shown, "the networks file is not UTF-8 text").caused_by(e)
    })?;
    let parsed: NetworksFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        let at = line.map_or(shown.clone(), |l| format!("{shown}:{l}"));
        bad_file(at, "the networks file does not parse").caused_by(e.message())
    })?;
    let mut map = EndpointMap::new();
    for (key, entry) in parsed.chains {
        let chain: u64 = key
            .parse()
            .map_err(|_| bad_file(format!("{shown}: [chains.{key}]"), "the table name is not a chain id"))?;
        let endpoints = entry
            .rpc
            .iter()
            .enumerate()
            .map(|(i, u)| endpoint(u, &format!("{shown}: chains.{key}.rpc[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        map.entry(chain).or_default().extend(endpoints);
    }
    Ok(map)
}

/// Parses one `--rpc CHAINID=URL` flag.
pub fn parse_rpc_flag(flag: &str) -> Result<(u64, Endpoint), ToolError> {
    let subject = "--rpc";
    let (chain, url) = flag.split_once('=').ok_or_else(|| {
        bad(subject, "expected CHAINID=URL").with_hint("e.g. --rpc 56=https://bsc-dataseed.bnbchain.org")
    })?;
    let chain: u64 = chain.trim().parse().map_err(|_| bad(subject, format!("`{chain}` is not a chain id")))?;
    Ok((chain, endpoint(url.trim(), &format!("--rpc {chain}=…"))?))
}
