//! One small work-stealing loop for the passes after the walk (wrapper callers, the provider
//! graph): items are handed out one at a time, so a big file does not hold up a fixed share.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `f` over `items` on `threads` workers (0: one per core) and collects what it returns,
/// in no particular order: callers sort what they keep.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Option<R> + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::new());
    let workers = if threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        threads
    }
    .min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    break;
                };
                if let Some(r) = f(item) {
                    out.lock().unwrap().push(r);
                }
            });
        }
    });
    out.into_inner().unwrap()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_is_mapped_once() {
        let items: Vec<u32> = (0..100).collect();
        let mut got = super::map(&items, 3, |&i| (i % 2 == 0).then_some(i * 2));
        got.sort_unstable();
        assert_eq!(got, (0..50).map(|i| i * 4).collect::<Vec<_>>());
    }
}
