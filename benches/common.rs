//! What the criterion benches share: the sizes they run at and how a group is configured.

use criterion::{BenchmarkGroup, SamplingMode, Throughput};
use std::time::Duration;

/// The allocator the `lookcoin-state` binary uses (src/main.rs), so that the benches time what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Records per measurement under `cargo bench`; `cargo test --benches` runs the first only.
pub const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// True under `cargo bench` (criterion is passed `--bench`); false under `cargo test --benches`.
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The sizes to run: `LOOKCOIN_BENCH_SIZES` (comma-separated) when set, else [`SIZES`] (the first only in test mode).
pub fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("LOOKCOIN_BENCH_SIZES") {
        return list
            .split(',')
            .map(|s| s.trim().parse().expect("LOOKCOIN_BENCH_SIZES: comma-separated counts"))
            .collect();
    }
    if bench_mode() {
        SIZES.to_vec()
    } else {
        SIZES[..1].to_vec()
    }
}

/// Ten flat samples with a short target time (criterion stretches it to fit ten iterations of the slow ones).
pub fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, n: usize) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(if n >= 100_000 { 1 } else { 500 }))
        .measurement_time(Duration::from_secs(if n >= 100_000 { 5 } else { 2 }))
        .throughput(Throughput::Elements(n as u64));
}
