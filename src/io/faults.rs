//! Named points of the writers where a test can freeze the process (`LOOKCOIN_STALL_AT=<point>`), to kill it
//! there and prove that what a kill leaves behind is the old set or the new set, never a mix. Reads that one
//! environment variable; without it every point is a no-op.

/// Freezes the process at `point` when `LOOKCOIN_STALL_AT` names it: says so on stderr, then sleeps until killed.
pub fn stall_at(point: &str) {
    if std::env::var("LOOKCOIN_STALL_AT").is_ok_and(|wanted| wanted == point) {
        let said = format!("stalled at {point}\n");
        // Straight to fd 2: the caller may hold the standard error lock.
        // SAFETY: write(2) of a valid buffer to the standard error descriptor.
        unsafe { libc::write(2, said.as_ptr().cast(), said.len()) };
        loop {
            std::thread::park();
        }
    }
}
