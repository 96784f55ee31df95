//! The host allocator, tuned for burn's CPU backend.
//!
//! Why: a training step on the flex backend allocates and frees many buffers of a few hundred kilobytes to a
//! few megabytes (activations, gradients, transposed copies). glibc's malloc serves every block above its
//! mmap threshold (128 KiB at first, raised only as blocks are freed) with `mmap` and returns it with `munmap`,
//! and every `munmap` in a multi-threaded process costs a TLB shootdown on the other cores. `perf` on a
//! discriminator warm-up (`--config form`) put about 30% of the time in the kernel: page faults, unmapping,
//! `smp_call_function_many_cond`. Keeping those blocks in the heap made `gapo bench`'s training steps 25–30%
//! faster (README, "Speed").
//!
//! It is a process-wide setting, so a shell calls it (the CLI's `main`, which the three-seed tests run),
//! not the core's trainers. Memory the process has freed is kept for reuse instead of being handed back to
//! the system, so the resident size stays at its peak.

/// Blocks up to this size come from the heap instead of their own mapping (glibc accepts at most 32 MiB
/// on 64-bit: half its largest heap).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 32 << 20;

/// Free memory at the top of the heap is returned to the system only above this size.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 1 << 30;

/// Sets glibc's mmap and trim thresholds (both: setting the trim threshold alone also freezes the mmap
/// threshold at its small start and made the steps twice as slow). Returns whether glibc took both; on other
/// platforms it does nothing and returns false.
pub fn tune_host_allocator() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes malloc's parameters; it is safe to call at any time, from any thread.
        unsafe {
            let mmap = libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            let trim = libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            mmap == 1 && trim == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_both_thresholds() {
        assert!(super::tune_host_allocator(), "glibc refused a threshold (is MMAP_THRESHOLD above its limit?)");
    }
}
