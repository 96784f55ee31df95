//! gapo-playground patch: the element-wise loops behind `unary_op`, `binary_op` and `scalar_op` over
//! contiguous storage, split across rayon's threads and compiled for the widest x86 vector unit the CPU
//! has.
//!
//! Upstream runs these loops on the calling thread only (its SIMD kernels go parallel from 4 Mi elements,
//! its closure loops never), and compiles them for the crate's target, which on x86-64 is SSE2 unless the
//! user builds with `-C target-cpu`: a GELU over `[2048, 512]` runs four lanes wide on one core while the
//! other waits. Here each loop body is instantiated three times, plain, with AVX2 + FMA and with AVX-512,
//! and the widest the CPU reports is chosen at run time; from `PAR_MIN` elements the slice is cut into
//! `CHUNK`-element pieces that rayon spreads over its threads.
//!
//! The results are bit-identical to the plain loop: every element is computed by the same scalar
//! expression, independently of the others (no reduction, so no reordering), and Rust never contracts a
//! multiply and an add into an FMA on its own, so enabling the `fma` feature changes only explicit
//! `mul_add` calls, which are correctly rounded either way.

use alloc::vec::Vec;
use core::mem::MaybeUninit;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

/// From this many elements a loop is split across threads (256 KiB of f32: below it, the hand-off costs
/// more than the second core saves).
/// Shared by the other patched loops (`zip.rs`, `ops/reduce.rs`).
#[cfg(feature = "rayon")]
pub(crate) const PAR_MIN: usize = 64 * 1024;
/// Elements per rayon task.
#[cfg(feature = "rayon")]
pub(crate) const CHUNK: usize = 16 * 1024;

/// Which instantiation of a loop the CPU can run.
#[derive(Clone, Copy)]
enum Width {
    Plain,
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    Avx2,
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    Avx512,
}

#[inline]
fn width() -> Width {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        // The std macros cache their answer; each call is a load and a test. Every feature the AVX-512
        // instantiation is compiled with is checked (Xeon Phi has AVX-512F without VL, DQ and BW).
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512vl") && has!("avx512dq") && has!("avx512bw") && has!("avx2") && has!("fma") {
            return Width::Avx512;
        }
        if has!("avx2") && has!("fma") {
            return Width::Avx2;
        }
    }
    Width::Plain
}

/// Defines `$name` running the loop `$body` over its arguments in the widest instantiation available.
/// The body is an `#[inline(always)]` function so that it, and the closure it calls, are compiled inside
/// each `#[target_feature]` wrapper.
macro_rules! widest {
    (fn $name:ident<$($g:ident),*>($($arg:ident: $ty:ty),*) where { $($bounds:tt)* } $body:block) => {
        #[inline(always)]
        fn plain<$($g),*>($($arg: $ty),*) where $($bounds)* $body

        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2<$($g),*>($($arg: $ty),*) where $($bounds)* { plain($($arg),*) }

        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
        unsafe fn avx512<$($g),*>($($arg: $ty),*) where $($bounds)* { plain($($arg),*) }

        #[inline]
        pub(crate) fn $name<$($g),*>($($arg: $ty),*) where $($bounds)* {
            match width() {
                Width::Plain => plain($($arg),*),
                // SAFETY: `width` returned these only after the CPU reported the features.
                #[cfg(all(feature = "std", target_arch = "x86_64"))]
                Width::Avx2 => unsafe { avx2($($arg),*) },
                #[cfg(all(feature = "std", target_arch = "x86_64"))]
                Width::Avx512 => unsafe { avx512($($arg),*) },
            }
        }
    };
}

mod kernels {
    use super::*;

    widest! { fn map_chunk<E, F>(dst: &mut [E], op: &F) where { E: Copy, F: Fn(E) -> E } {
        for x in dst.iter_mut() {
            *x = op(*x);
        }
    }}
}
mod kernels_into {
    use super::*;

    widest! { fn map_into_chunk<E, R, F>(out: &mut [MaybeUninit<R>], src: &[E], op: &F)
        where { E: Copy, F: Fn(E) -> R } {
        for (o, &x) in out.iter_mut().zip(src) {
            o.write(op(x));
        }
    }}
}
mod kernels_zip {
    use super::*;

    widest! { fn zip_chunk<E, F>(dst: &mut [E], src: &[E], op: &F) where { E: Copy, F: Fn(E, E) -> E } {
        for (l, &r) in dst.iter_mut().zip(src) {
            *l = op(*l, r);
        }
    }}
}
mod kernels_zip_into {
    use super::*;

    widest! { fn zip_into_chunk<E, R, F>(out: &mut [MaybeUninit<R>], a: &[E], b: &[E], op: &F)
        where { E: Copy, F: Fn(E, E) -> R } {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            o.write(op(x, y));
        }
    }}
}

/// `dst[i] = op(dst[i])`.
pub(crate) fn map_inplace<E, F>(dst: &mut [E], op: F)
where
    E: Copy + Send + Sync,
    F: Fn(E) -> E + Sync,
{
    #[cfg(feature = "rayon")]
    if dst.len() >= PAR_MIN {
        dst.par_chunks_mut(CHUNK).for_each(|c| kernels::map_chunk(c, &op));
        return;
    }
    kernels::map_chunk(dst, &op)
}

/// `dst[i] = op(dst[i], src[i])`; `src` is at least as long as `dst`.
pub(crate) fn zip_inplace<E, F>(dst: &mut [E], src: &[E], op: F)
where
    E: Copy + Send + Sync,
    F: Fn(E, E) -> E + Sync,
{
    let src = &src[..dst.len()];
    #[cfg(feature = "rayon")]
    if dst.len() >= PAR_MIN {
        dst.par_chunks_mut(CHUNK)
            .zip(src.par_chunks(CHUNK))
            .for_each(|(d, s)| kernels_zip::zip_chunk(d, s, &op));
        return;
    }
    kernels_zip::zip_chunk(dst, src, &op)
}

/// `op(src[i])` into a new vector.
pub(crate) fn map_into<E, R, F>(src: &[E], op: F) -> Vec<R>
where
    E: Copy + Send + Sync,
    R: Send,
    F: Fn(E) -> R + Sync,
{
    let n = src.len();
    let mut out: Vec<R> = Vec::with_capacity(n);
    {
        let spare = &mut out.spare_capacity_mut()[..n];
        #[cfg(feature = "rayon")]
        if n >= PAR_MIN {
            spare
                .par_chunks_mut(CHUNK)
                .zip(src.par_chunks(CHUNK))
                .for_each(|(o, s)| kernels_into::map_into_chunk(o, s, &op));
        } else {
            kernels_into::map_into_chunk(spare, src, &op);
        }
        #[cfg(not(feature = "rayon"))]
        kernels_into::map_into_chunk(spare, src, &op);
    }
    // SAFETY: every one of the first `n` slots was written above.
    unsafe { out.set_len(n) };
    out
}

/// `op(a[i], b[i])` into a new vector of `min(a.len(), b.len())` elements.
pub(crate) fn zip_into<E, R, F>(a: &[E], b: &[E], op: F) -> Vec<R>
where
    E: Copy + Send + Sync,
    R: Send,
    F: Fn(E, E) -> R + Sync,
{
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut out: Vec<R> = Vec::with_capacity(n);
    {
        let spare = &mut out.spare_capacity_mut()[..n];
        #[cfg(feature = "rayon")]
        if n >= PAR_MIN {
            spare
                .par_chunks_mut(CHUNK)
                .zip(a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)))
                .for_each(|(o, (x, y))| kernels_zip_into::zip_into_chunk(o, x, y, &op));
        } else {
            kernels_zip_into::zip_into_chunk(spare, a, b, &op);
        }
        #[cfg(not(feature = "rayon"))]
        kernels_zip_into::zip_into_chunk(spare, a, b, &op);
    }
    // SAFETY: every one of the first `n` slots was written above.
    unsafe { out.set_len(n) };
    out
}
