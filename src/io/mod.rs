//! The shell's file access: LevelDB snapshots, our JSON documents, atomic writes.

// The shell: this is where file system access lives (see clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod artifacts;
pub mod atomic;
pub mod backup;
pub mod documents;
pub mod leveldb;
pub mod networks_file;
pub mod rpc;
pub mod sources;
