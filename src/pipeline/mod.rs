//! The steps a command runs, between the shell (`io`) and the pure core: each takes paths and options and
//! returns report data. Commands, tests and benches call these; nothing here parses flags or renders.

pub mod history;
pub mod rollback;
