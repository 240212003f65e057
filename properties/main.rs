//! The integration target: property suites of the pure core, the LevelDB reader against C++ LevelDB fixtures,
//! the built binary's contract (exit codes, stdout/stderr, files), and insta snapshots of the renderings.

// Tests are shell: they read fixtures and write temporary folders (see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod support;

mod architecture;

mod strategies;

mod migrate_laws;
mod parsing_never_panics;

mod leveldb_reader;

mod history_laws;
mod rollback;

mod binary_contract;
mod binary_documents;
mod renderings;

mod compare_cli;
mod compare_laws;
mod compare_renderings;
mod format_writers;
mod integrity;
mod locations;
mod realworld;
mod reconcile_apply;

mod chain_lab;
mod relay;

mod demo_job;
mod doctor;
mod onchain;
mod preflight;
mod provider_profiles;
mod report_schemas;
mod runbook;
mod terminal;
mod verify_cli;
