//! Pure work spread over the machine's cores with scoped std threads (no pool, no extra crate). The results come
//! back in input order, so the output is the same whatever the number of cores. The core never starts a thread:
//! the pipeline decides what runs on how many cores.

use crate::core::inspect::{row_of_bytes, row_of_entry, InspectRow};
use crate::core::record::{parse_entry, Entry, SourceEntries};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// How many threads to use: the cores this process may run on (at least 1, at most 8: beyond that the
/// memory bandwidth, not the cores, limits these loads).
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8)
}

/// `items.iter().map(f).collect()` on every core. Workers take batches of `batch` items in turn from a shared
/// counter, so unequal items (one large file, several small ones) still keep every core busy; the results are
/// put back in input order.
pub fn map<T: Sync, R: Send>(items: &[T], batch: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let batches: Vec<&[T]> = items.chunks(batch.max(1)).collect();
    let threads = workers().min(batches.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = batches.get(i) else { return done };
            done.push((i, part.iter().map(&f).collect()));
        }
    };
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    concat(items.len(), done.into_iter().map(|(_, results)| results))
}

/// The parts one after the other, in a vector allocated once (collecting a flattened iterator would grow it by
/// doubling, copying every result about twice more).
fn concat<R>(len: usize, parts: impl Iterator<Item = Vec<R>>) -> Vec<R> {
    let mut out = Vec::with_capacity(len);
    for part in parts {
        out.extend(part);
    }
    out
}

/// [`map`] over owned items: each batch of items moves to the worker that takes it.
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, batch: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let batch = batch.max(1);
    let mut batches: Vec<Mutex<Vec<T>>> = Vec::with_capacity(items.len().div_ceil(batch));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        batches.push(Mutex::new(items.by_ref().take(batch).collect()));
    }
    let take = |slot: &Mutex<Vec<T>>| std::mem::take(&mut *slot.lock().unwrap_or_else(PoisonError::into_inner));
    let len = batches.iter().map(|b| b.lock().map_or(0, |b| b.len())).sum();
    concat(len, map(&batches, 1, |slot| take(slot).into_iter().map(&f).collect::<Vec<R>>()).into_iter())
}

/// A batch size for `items` small items (records): about eight batches per worker, so that the last batches
/// finish together (10,000 records in batches of 2,048 left one core idle for a fifth of the time), and not so
/// small that taking a batch costs more than its work.
pub fn batch_for(items: usize) -> usize {
    items.div_ceil(workers() * 8).clamp(64, 4096)
}

/// Runs `a` on a second thread while `b` runs on this one.
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), b)
    })
}

/// Frees a large structure on a thread of its own. Freeing 100,000 parsed records takes tens of milliseconds
/// that the caller (about to write files and wait for the disk) need not spend; if the process exits first,
/// the operating system reclaims the memory anyway.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// `f` over every raw entry on every core, in key order.
fn map_entries<R: Send>(entries: &SourceEntries, f: impl Fn(&[u8], &[u8]) -> R + Sync) -> Vec<R> {
    let pairs: Vec<(&[u8], &[u8])> = entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
    map(&pairs, batch_for(pairs.len()), |(key, value)| f(key, value))
}

/// [`crate::core::record::parse_entries`] on every core: the same entries in the same (key) order.
pub fn parse_entries(entries: &SourceEntries) -> Vec<Entry> {
    map_entries(entries, parse_entry)
}

/// [`crate::core::inspect::rows_of_raw`] on every core: the same rows.
pub fn rows_of_raw(entries: &SourceEntries) -> Vec<InspectRow> {
    map_entries(entries, row_of_bytes)
}

/// [`crate::core::inspect::rows_of_entries`] on every core, for entries already in key byte order (as
/// `unmigrate` and `into_entries` give them): the same rows, without the sort.
pub fn rows_of_sorted_entries(entries: Vec<Entry>) -> Vec<InspectRow> {
    let batch = batch_for(entries.len());
    map_owned(entries, batch, row_of_entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_across_chunks() {
        let items: Vec<u32> = (0..1001).collect();
        for batch in [1, 7, 2048] {
            assert_eq!(map(&items, batch, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
        assert_eq!(map(&[] as &[u32], 1, |i| *i), Vec::<u32>::new());
        for batch in [1, 7, 2048] {
            let owned: Vec<String> = items.iter().map(u32::to_string).collect();
            assert_eq!(
                map_owned(owned.clone(), batch, |s| s + "!"),
                owned.iter().map(|s| format!("{s}!")).collect::<Vec<_>>()
            );
        }
        assert_eq!(map_owned(Vec::<u32>::new(), 3, |i| i), Vec::<u32>::new());
    }

    #[test]
    fn parses_like_the_sequential_core() {
        let entries: SourceEntries = (0..100u32)
            .map(|i| (format!("56-C{i}").into_bytes(), if i % 7 == 0 { b"[1]".to_vec() } else { b"{}".to_vec() }))
            .collect();
        assert_eq!(parse_entries(&entries), crate::core::record::parse_entries(&entries));
    }

    #[test]
    fn rows_like_the_sequential_core() {
        use crate::core::inspect;
        let valid = |i: u32| {
            format!(
                r#"{{"contractName":"C{i}","chainId":56,"networkName":"bsc","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"","timestamp":{i}}}"#
            )
        };
        let entries: SourceEntries = (0..3000u32)
            .map(|i| {
                (format!("56-C{i}").into_bytes(), if i % 7 == 0 { b"[1]".to_vec() } else { valid(i).into_bytes() })
            })
            .collect();
        let rows = rows_of_raw(&entries);
        assert_eq!(rows.len(), 3000);
        assert_eq!(rows, inspect::rows_of_raw(&entries));
        let parsed = crate::core::record::parse_entries(&entries);
        assert_eq!(rows_of_sorted_entries(parsed.clone()), inspect::rows_of_entries(parsed));
    }
}
