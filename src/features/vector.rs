//! The feature loops compiled a second time for AVX2 and chosen at run time on x86-64 CPUs that
//! have it, as rustfft already does for its FFTs: the shipped binaries target baseline x86-64
//! (SSE2, four `f32` lanes), and AVX2 gives eight. Rust never fuses or reorders floating-point
//! operations on its own, so both versions give the same values bit for bit (tested); only the
//! number of lanes differs. In the browser (wasm32) there is one version, with simd128.

/// Runs `work` with the loops inlined into it compiled for AVX2 and FMA when this CPU has both,
/// and for the baseline instruction set otherwise. Only code inlined into `work` is compiled
/// twice: callers mark `work` and the hot loops it reaches `#[inline(always)]`.
#[inline]
pub fn widest<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: `with_avx2` needs AVX2 and FMA, and the CPU has just been found to have both.
        return unsafe { with_avx2(work) };
    }
    work()
}

/// `work()`, compiled with AVX2 and FMA enabled for everything inlined into it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn with_avx2<R>(work: impl FnOnce() -> R) -> R {
    work()
}
