//! The pure core: model, validation, migration, documents, digests. No file system, clock, environment,
//! randomness or async in here; everything the core needs comes in as arguments.

pub mod aliases;
pub mod bytecode;
pub mod category;
pub mod compare;
pub mod digest;
pub mod document;
pub mod excerpt;
pub mod formats;
pub mod history;
pub mod inspect;
pub mod json_keys;
pub mod leveldb_format;
pub mod location;
pub mod migrate;
pub mod network;
pub mod onchain;
pub mod output;
pub mod primitives;
pub mod reconcile;
pub mod record;
pub mod reports;
pub mod rollback;
pub mod schema;
pub mod state;
pub mod summary;
