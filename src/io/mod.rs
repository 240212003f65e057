//! The shell's file access: LevelDB snapshots, our JSON documents, atomic writes.

pub mod atomic;
pub mod documents;
pub mod leveldb;
