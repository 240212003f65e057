//! The shell's access to the outside: LevelDB (private copy, checksums, lock probe, writer), JSON files one at a
//! time, atomic writes and backups, where paths lead, the networks file, compiler artifacts, and JSON-RPC.

#![expect(clippy::disallowed_methods, reason = "the shell: file system, environment and sockets live here")]

pub mod artifacts;
pub mod atomic;
pub mod backup;
pub mod bundle;
pub mod cleanup;
pub mod documents;
pub mod faults;
pub mod leveldb;
pub mod networks_file;
pub mod paths;
pub mod rpc;
pub mod terminal;
