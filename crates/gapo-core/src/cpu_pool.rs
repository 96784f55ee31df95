//! Where the CPU backend's work runs: on rayon's pool, not beside it.
//!
//! The CPU backend (burn-flex) splits its large loops and matrix products across rayon's global pool,
//! which has one worker per core. Called from the program's main thread, each split hands its pieces to
//! the workers and puts the main thread to sleep until they finish: three threads take turns on two
//! cores, and every one of the thousands of splits in a training step pays for waking a sleeping worker
//! and for putting the main thread to sleep and waking it again (`perf`: 10–15% of all samples in the
//! scheduler on the bench preset). Run on a worker instead, the caller takes the first piece itself and
//! the other worker steals the rest while it is still spinning from the previous split.
//!
//! The results do not change: which thread computes a piece never changes what it computes.

/// Runs `work` on a thread of rayon's global pool and returns its result (natively; on wasm, where the
/// CPU backend has no threads, it simply calls `work`). Blocking inside `work` (a `block_on` on a
/// device readback) is fine: it blocks that worker, and the backend's own splits only wait on each other.
pub fn on_cpu_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    #[cfg(not(target_family = "wasm"))]
    {
        rayon::scope(|_| work())
    }
    #[cfg(target_family = "wasm")]
    {
        work()
    }
}
