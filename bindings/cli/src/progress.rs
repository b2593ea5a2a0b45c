//! Progress on long steps (setup, building a registry, proving), drawn on stderr only when
//! it is a terminal and the output is not `--json`.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns progress off for this process (`--json`).
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

fn shown() -> bool {
    ENABLED.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// A spinner with the elapsed time, for a step of unknown length. Finish it with
/// `finish_and_clear`.
pub fn spinner(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar over `len` items, with the rate and the time left.
pub fn bar(len: u64, message: impl Into<Cow<'static, str>>) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}
