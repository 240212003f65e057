//! A local anvil node on a free 127.0.0.1 port: found, started, waited for, and killed on drop.
//!
//! The binary is looked up when a node starts, never fixed at build time: `LOOKCOIN_ANVIL`, else the pinned npm
//! package `@foundry-rs/anvil-linux-amd64` installed under the current folder (`fixtures/chain/package.json`;
//! the repository root when run from a checkout, as the demo and tests are), else `anvil` on PATH, so a
//! developer with Foundry installed needs nothing else. Nothing is downloaded here.

use super::reaper;
use super::rpc::LabRpc;
use crate::error::{ErrorKind, ToolError};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `npm ci` in `fixtures/chain` puts the binary, relative to the repository root.
pub const NPM_ANVIL: &str = "fixtures/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

/// The hint of every "anvil is missing" error.
pub const INSTALL_HINT: &str = "install the pinned anvil with `cd fixtures/chain && npm ci` (node >= 20), \
or set LOOKCOIN_ANVIL to an anvil binary, or put Foundry's anvil on PATH";

/// How long a node may take to answer `eth_chainId` after it was started (measured: about 150 ms when idle; a
/// busy 2-core machine compiling in parallel can be far slower).
const READY_WAIT: Duration = Duration::from_secs(30);
/// Starts tried when a node dies at once (another process took the free port between our probe and its bind).
const START_ATTEMPTS: u32 = 3;

/// A running anvil node. Dropping it kills and reaps the process (also during a panic's unwinding).
#[derive(Debug)]
pub struct AnvilNode {
    child: Child,
    chain_id: u64,
    port: u16,
    url: url::Url,
}

impl AnvilNode {
    /// Starts `anvil --chain-id N --port P --silent` on a free port and waits until it answers with chain id N.
    pub fn start(chain_id: u64) -> Result<AnvilNode, ToolError> {
        let binary = find_binary()?;
        let mut attempt = 1;
        loop {
            match start_once(&binary, chain_id) {
                Ok(node) => return Ok(node),
                Err(Start::Died(e)) if attempt >= START_ATTEMPTS => return Err(e),
                Err(Start::Died(_)) => attempt += 1,
                Err(Start::Failed(e)) => return Err(e),
            }
        }
    }

    /// The node's JSON-RPC URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A JSON-RPC client for this node.
    pub fn rpc(&self) -> LabRpc {
        LabRpc::new(self.url.clone())
    }
}

impl Drop for AnvilNode {
    fn drop(&mut self) {
        if reaper::release(self.child.id()) {
            let _ = self.child.wait();
        }
    }
}

/// The anvil binary: `LOOKCOIN_ANVIL`, else the npm package under the current folder, else `anvil` on PATH.
pub fn find_binary() -> Result<PathBuf, ToolError> {
    if let Some(path) = std::env::var_os("LOOKCOIN_ANVIL") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ToolError::new(ErrorKind::MissingTool, "LOOKCOIN_ANVIL", format!("{} is not a file", path.display()))
                .with_hint(INSTALL_HINT))
        };
    }
    if Path::new(NPM_ANVIL).is_file() {
        return Ok(PathBuf::from(NPM_ANVIL));
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|d| d.join("anvil")).find(|p| p.is_file()))
        .unwrap_or_default();
    on_path.ok_or_else(|| {
        ToolError::new(ErrorKind::MissingTool, "anvil", "the anvil binary was not found (needed for local chains)")
            .caused_by(format!("looked at $LOOKCOIN_ANVIL, {NPM_ANVIL} and PATH"))
            .with_hint(INSTALL_HINT)
    })
}

/// A port nobody listens on right now. anvil binds it a moment later; [`START_ATTEMPTS`] covers losing the race.
fn free_port() -> Result<u16, ToolError> {
    let no_port = |e| {
        ToolError::new(ErrorKind::LocalChain, "127.0.0.1", "cannot find a free port for a local chain").caused_by(e)
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(no_port)?;
    listener.local_addr().map(|a| a.port()).map_err(no_port)
}

/// Why one start failed: a node that died at once is worth another port; anything else is not.
enum Start {
    Died(ToolError),
    Failed(ToolError),
}

fn start_once(binary: &Path, chain_id: u64) -> Result<AnvilNode, Start> {
    let port = free_port().map_err(Start::Failed)?;
    let subject = format!("anvil --chain-id {chain_id} --port {port}");
    let fail = |what: &str| Start::Failed(ToolError::new(ErrorKind::LocalChain, &subject, what.to_string()));
    let log = tempfile::tempfile().map_err(|_| fail("cannot create a log file"))?;
    let log_for_child = log.try_clone().map_err(|_| fail("cannot create a log file"))?;
    let mut command = Command::new(binary);
    command
        .args(["--chain-id", &chain_id.to_string(), "--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_for_child));
    let child = reaper::spawn(command).map_err(|e| {
        Start::Failed(
            ToolError::new(ErrorKind::MissingTool, binary.display().to_string(), "cannot start anvil")
                .caused_by(e)
                .with_hint(INSTALL_HINT),
        )
    })?;
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("a literal URL parses");
    let mut node = AnvilNode { child, chain_id, port, url };
    wait_ready(&mut node, log).map(|()| node)
}

/// Polls `eth_chainId` (bounded) until the node answers; an early exit is reported with anvil's own words.
fn wait_ready(node: &mut AnvilNode, mut log: std::fs::File) -> Result<(), Start> {
    let subject = format!("anvil --chain-id {} --port {}", node.chain_id, node.port);
    let error = |what: String| ToolError::new(ErrorKind::LocalChain, &subject, what);
    let started = Instant::now();
    let rpc = node.rpc();
    loop {
        if let Ok(Some(status)) = node.child.try_wait() {
            let mut said = String::new();
            let _ = log.rewind().and_then(|()| log.read_to_string(&mut said));
            return Err(Start::Died(error(format!("anvil exited at once ({status})")).caused_by(said.trim())));
        }
        match rpc.chain_id() {
            Ok(id) if id == node.chain_id => return Ok(()),
            Ok(id) => return Err(Start::Failed(error(format!("the node says chain id {id}")))),
            Err(_) if started.elapsed() < READY_WAIT => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Start::Failed(error("anvil did not answer within 30 s".into()).caused_by(e))),
        }
    }
}

/// Starts one node per chain id, all at once (each takes a fraction of a second, mostly waiting).
pub fn start_all(chain_ids: &[u64]) -> Result<Vec<AnvilNode>, ToolError> {
    let handles: Vec<_> = chain_ids.iter().map(|&id| std::thread::spawn(move || AnvilNode::start(id))).collect();
    let mut nodes = Vec::new();
    let mut first_error = None;
    for h in handles {
        match h.join().unwrap_or_else(|_| Err(ToolError::new(ErrorKind::LocalChain, "anvil", "start panicked"))) {
            Ok(node) => nodes.push(node),
            Err(e) => first_error = first_error.or(Some(e)),
        }
    }
    match first_error {
        Some(e) => Err(e), // the nodes that did start are dropped, so killed, here
        None => Ok(nodes),
    }
}
