//! The width of the terminal standard output is shown on, so human tables can fit it.

use std::io::IsTerminal;

/// The columns of the terminal on standard output; `None` when stdout is not a terminal (a pipe, a file: the
/// tables then stay plain Markdown) or its width is unknown.
pub fn stdout_columns() -> Option<u16> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    // SAFETY: `winsize` is a plain C struct for which all-zero bytes are a valid value.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: descriptor 1 is standard output, open for the whole run; `size` is a valid, exclusive pointer.
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    if rc == 0 && size.ws_col > 0 {
        return Some(size.ws_col);
    }
    // A terminal that does not say its size (some emulators, a pseudo-terminal nobody sized): `COLUMNS`.
    std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|&c: &u16| c > 0)
}
