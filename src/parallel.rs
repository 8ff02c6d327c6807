//! Work spread over threads: each thread takes the next item until none is left, and the results
//! come back in the items' order, whatever order the threads finish in. Native only: a wasm page
//! has one thread, and calls these with `threads = 1`, which runs on the caller's thread.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc;

/// `f(index, item)` for every item on up to `threads` threads, results in the items' order. With
/// one thread (or one item) it runs on the caller's thread.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| f(i, item))
            .collect();
    }
    let next = Mutex::new(0usize);
    let results = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, items.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let index = take_next(&next);
                        let Some(item) = items.get(index) else { break };
                        let result = f(index, item);
                        results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((index, result));
                    }
                })
            })
            .collect();
        join_all(workers);
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `f(index, item)` for every item on up to `threads` worker threads, with `sink(index, result)`
/// called on the caller's thread in the items' order as soon as each next result is ready: a long
/// list is reported as it goes, never all at the end. With one thread nothing is spawned.
pub fn for_each_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
    mut sink: impl FnMut(usize, R),
) {
    if threads <= 1 || items.len() <= 1 {
        for (i, item) in items.iter().enumerate() {
            sink(i, f(i, item));
        }
        return;
    }
    let next = Mutex::new(0usize);
    let (send, receive) = mpsc::channel();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                let send = send.clone();
                let (next, f) = (&next, &f);
                scope.spawn(move || {
                    loop {
                        let index = take_next(next);
                        let Some(item) = items.get(index) else { break };
                        if send.send((index, f(index, item))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(send);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (index, result) in receive {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&due) {
                sink(due, result);
                due += 1;
            }
        }
        join_all(workers);
    });
}

/// The next item's index, for whichever worker asks first.
fn take_next(next: &Mutex<usize>) -> usize {
    let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
    *next += 1;
    *next - 1
}

/// Joins every worker and returns their results in the workers' order; if any panicked, raises
/// the first panic with its own message once all have been joined (the scope's implicit join
/// would raise a generic one). Joined explicitly also so that each worker's thread-local data
/// is freed before the caller goes on (rust-lang/rust#116179).
pub(crate) fn join_all<R>(workers: Vec<std::thread::ScopedJoinHandle<'_, R>>) -> Vec<R> {
    let mut results = Vec::with_capacity(workers.len());
    let mut panic = None;
    for worker in workers {
        match worker.join() {
            Ok(result) => results.push(result),
            Err(payload) => {
                panic.get_or_insert(payload);
            }
        }
    }
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u64> = (0..50).collect();
        let slow_first = |i: usize, x: &u64| {
            std::thread::sleep(std::time::Duration::from_micros(50 * (50 - i as u64)));
            x * x
        };
        let expected: Vec<u64> = items.iter().map(|x| x * x).collect();
        assert_eq!(map_in_order(&items, 3, slow_first), expected);
        assert_eq!(map_in_order(&items, 1, slow_first), expected);
        assert!(map_in_order(&[] as &[u64], 2, slow_first).is_empty());
    }

    #[test]
    fn a_panic_in_a_worker_reaches_the_caller_with_its_own_message() {
        let items: Vec<u64> = (0..20).collect();
        let fails_at_7 = |i: usize, x: &u64| {
            assert!(i != 7, "item {i} failed");
            *x
        };
        for threads in [1, 2, 3] {
            let runs: [Box<dyn Fn()>; 2] = [
                Box::new(|| drop(map_in_order(&items, threads, fails_at_7))),
                Box::new(|| for_each_in_order(&items, threads, fails_at_7, |_, _| {})),
            ];
            for run in runs {
                let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                    .expect_err("the panic is raised");
                let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                assert_eq!(message, "item 7 failed", "{threads} threads");
            }
        }
    }

    #[test]
    fn streamed_results_arrive_in_order_on_the_callers_thread() {
        let items: Vec<u64> = (0..40).collect();
        let caller = std::thread::current().id();
        for threads in [1, 2, 3] {
            let mut seen = Vec::new();
            for_each_in_order(
                &items,
                threads,
                |i, x| {
                    std::thread::sleep(std::time::Duration::from_micros(40 * (40 - i as u64)));
                    x + 1
                },
                |i, r| {
                    assert_eq!(std::thread::current().id(), caller);
                    seen.push((i, r));
                },
            );
            let expected: Vec<(usize, u64)> = items.iter().map(|&x| (x as usize, x + 1)).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }
}
