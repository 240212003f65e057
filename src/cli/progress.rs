//! Step progress on stderr for long runs: drawn only when stderr is a terminal (indicatif hides it otherwise),
//! so CI logs and pipes stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// A spinner naming the current step of a command.
pub struct Steps {
    bar: ProgressBar,
}

impl Steps {
    pub fn start(command: &str) -> Steps {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("{spinner} {prefix}: {msg} ({elapsed})").expect("valid template"));
        bar.set_prefix(command.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Steps { bar }
    }

    pub fn step(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
