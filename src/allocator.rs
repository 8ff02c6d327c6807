//! Native processes only: keep freed memory for reuse instead of handing it back to the system.
//!
//! Burn's tensors and the feature buffers are allocated and freed once per operation, and a
//! batch's tensors are megabytes. glibc's malloc serves such blocks with `mmap` and returns them
//! on `free`, so each operation paid for fresh pages (faults, zeroing, unmapping): `predict` on
//! an hour of audio spent 2.5 s of system time in it, more than half its wall time. With blocks
//! up to 32 MiB served from the heap, and the heap trimmed only past 64 MiB free at its top, the
//! same run spends 0.2 s there; its peak memory grew by 10 MB (274 to 284 MB). Blocks over 32 MiB (a long
//! recording's samples) are still mapped on their own and returned when freed.

/// Largest block served from the heap (glibc's own ceiling for the setting).
pub const HEAP_BLOCK_MAX: usize = 32 << 20;
/// Free memory at the heap's top kept before it is returned to the system.
pub const TRIM_THRESHOLD: usize = 64 << 20;

/// Applies the settings above to this process's allocator. Returns whether it could: only glibc
/// (Linux) has them; elsewhere the allocator is left as it is.
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes glibc's malloc parameters; any value is accepted or
        // refused with 0, and blocks already allocated are unaffected.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, HEAP_BLOCK_MAX as libc::c_int) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD as libc::c_int) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
