//! Work spread over threads: each thread takes the next item until none is left, and the results
//! come back in the items' order, whatever order the threads finish in.

use std::sync::Mutex;

/// `f(index, item)` for every item on up to `threads` threads, results in the items' order.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = Mutex::new(0usize);
    let results = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *next;
                        *next += 1;
                        i
                    };
                    let Some(item) = items.get(index) else { break };
                    let result = f(index, item);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
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
}
