//! (being written) compare and reconcile benches.
fn main() {}
