//! The steps every command is made of: load -> compute -> prove -> write, one function per command that the
//! CLI, the property tests, the benches and the demo all call (none of them goes through `cli`).
//!
//! Shell code: it reads and writes files through `io`, asks the chains through `io::rpc`, spreads pure work over
//! the cores (`parallel`), and reads the clock and `SOURCE_DATE_EPOCH` (`migration_time`). The work itself is
//! done by `core`; what a step returns is report data from `core::reports`.

#![expect(clippy::disallowed_methods, reason = "the shell: reads the clock, SOURCE_DATE_EPOCH and files, runs threads")]

/// Runs `$body` and logs its duration at debug under the component `$target` (`-vv`, `LOOKCOIN_LOG`).
macro_rules! phase {
    ($target:literal, $name:expr, $body:expr) => {{
        let started = std::time::Instant::now();
        let value = $body;
        tracing::debug!(target: $target, phase = $name, ms = started.elapsed().as_secs_f64() * 1000.0, "phase done");
        value
    }};
}
pub(crate) use phase;

pub mod compare;
pub mod demo;
pub mod doctor;
pub mod history;
pub mod inspect;
pub mod load;
pub mod locate;
pub mod migrate;
pub mod parallel;
pub mod preflight;
pub mod proof;
pub mod reconcile;
pub mod rollback;
pub mod validate;
pub mod verify;

use crate::core::primitives::TimestampMs;
use crate::error::{ErrorKind, ToolError};

/// The migration time: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible output; else the clock.
pub fn migration_time() -> Result<TimestampMs, ToolError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => time_of_epoch_text(&text),
        Err(std::env::VarError::NotPresent) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Ok(TimestampMs(now.as_millis() as u64))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(ToolError::new(ErrorKind::BadEnvironment, "SOURCE_DATE_EPOCH", "the value is not text")
                .with_hint("unset it, or set it to whole seconds since 1970"))
        }
    }
}

/// `SOURCE_DATE_EPOCH`'s value as a time: whole seconds since 1970, before year 10000.
fn time_of_epoch_text(text: &str) -> Result<TimestampMs, ToolError> {
    let secs: u64 = text.trim().parse().map_err(|_| {
        ToolError::new(ErrorKind::BadEnvironment, "SOURCE_DATE_EPOCH", format!("`{text}` is not a number of seconds"))
            .with_hint("unset it, or set it to whole seconds since 1970")
    })?;
    let at = TimestampMs(secs.saturating_mul(1000));
    if at > TimestampMs::MAX_RFC3339 {
        return Err(ToolError::new(
            ErrorKind::BadEnvironment,
            "SOURCE_DATE_EPOCH",
            format!("{secs} is after year 9999"),
        )
        .with_hint("set it to whole seconds since 1970 before year 10000"));
    }
    Ok(at)
}
