//! How every property runs: [`check`] (seeded from one process-wide seed, saved failures first, a failure message
//! naming the seed and the replay command) and the fixed migration context.

use lookcoin_state::core::document::SourceInfo;
use lookcoin_state::core::migrate::{migrate, MigrationContext};
use lookcoin_state::core::network::NetworkTable;
use lookcoin_state::core::output::{render_migration, OutputFile};
use lookcoin_state::core::primitives::TimestampMs;
use lookcoin_state::core::record::SourceEntries;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseResult, TestRunner};
use std::sync::{LazyLock, OnceLock};

/// The seed of this test process: `PROPTEST_RNG_SEED` when set, else a fresh random one. Every property of the
/// run starts from it, so that one number replays the run.
pub fn run_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match Config::default().rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new().build_hasher().finish()
        }
    })
}

/// Runs one property: first the cases saved in `<property file>.proptest-regressions` (proptest saves every new
/// failure there), then `cases` new cases (or `PROPTEST_CASES` when set) from [`run_seed`]. A failure panics with
/// proptest's minimal failing input, the seed, and the command replaying it.
#[track_caller]
pub fn check<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> TestCaseResult) {
    let file = std::panic::Location::caller().file();
    let name = std::thread::current().name().unwrap_or("<property>").to_string();
    let saved = format!("{}.proptest-regressions", file.trim_end_matches(".rs"));
    let seed = run_seed();
    if let Err(failure) = TestRunner::new(config(file, seed, 0)).run(&strategy, &test) {
        panic!("{failure}\nproperty `{name}` fails on a case saved in {saved} (it runs first on every run)");
    }
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() { Config::default().cases } else { cases };
    let mut runner = TestRunner::new(config(file, seed, cases));
    if let Err(failure) = runner.run(&strategy, &test) {
        panic!(
            "{failure}\n{runner}property `{name}` failed; seed PROPTEST_RNG_SEED={seed}, {cases} cases; case saved in \
             {saved}\nreplay: PROPTEST_RNG_SEED={seed} PROPTEST_CASES={cases} cargo test --test properties -- --exact {name}"
        );
    }
}

fn config(file: &'static str, seed: u64, cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        source_file: Some(file),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..shrinking(Config::default())
    }
}

/// Shrink for up to 4096 steps or 30 s (proptest's default is 4 steps per case) unless the environment says more.
fn shrinking(mut config: Config) -> Config {
    if config.max_shrink_iters == u32::MAX {
        config.max_shrink_iters = 4096;
    }
    if config.max_shrink_time == 0 {
        config.max_shrink_time = 30_000;
    }
    config
}

/// The migration context of every property: builtin networks, fixed source, version and time.
pub fn context() -> MigrationContext<'static> {
    static TABLE: LazyLock<NetworkTable> = LazyLock::new(NetworkTable::builtin);
    MigrationContext {
        networks: &TABLE,
        source: SourceInfo { kind: "leveldb".into(), label: "generated".into() },
        tool_version: "0.0.0-properties".into(),
        migrated_at: TimestampMs(1_754_352_000_123),
    }
}

/// The files a migration of `entries` writes, in [`context`].
pub fn migrated_files(entries: &SourceEntries) -> Vec<OutputFile> {
    render_migration(&migrate(entries, &context()))
}
