//! gapo-playground patch: layer norm for training in one pass a row, forward and backward.
//!
//! burn-autodiff (patched in `vendor/burn-autodiff`) runs layer norm as one autodiff operation whose
//! forward is the backend trait's decomposition (mean, subtract, square, mean, add ε, sqrt, divide,
//! scale, shift: nine whole-tensor passes) and whose backward is the closed form written as about a
//! dozen more. On this backend each pass reads and writes the whole activation, so a step spent more
//! time moving memory than computing. These two functions run the same arithmetic row by row
//! (`simd::kernels::layer_norm_train_rows_f32` and `…_backward_rows_f32`), so their results are
//! bit-identical to the decomposition's; the autodiff operation calls them when its tensors are this
//! backend's and falls back to the decomposition otherwise (`None`).

use crate::FlexTensor;
#[cfg(all(feature = "simd", feature = "rayon"))]
use super::row_buffers::rows_per_task;
#[cfg(feature = "simd")]
use {
    super::row_buffers::{rows_f32, slots, tensor_f32, uninit_f32},
    alloc::vec,
    core::mem::MaybeUninit,
};

/// `y = (x − μ)/σ ⊙ γ (+ β)` over the last dimension, keeping what the backward needs: returns
/// `(y, x̂, σ)` with `x̂` shaped like `x` and `σ` shaped `[.., 1]`; `None` when a tensor is not a
/// contiguous f32 tensor at offset 0 (or without the `simd` feature), for the caller's fallback.
pub fn layer_norm_forward_saving(
    x: &FlexTensor,
    gamma: &FlexTensor,
    beta: Option<&FlexTensor>,
    epsilon: f64,
) -> Option<(FlexTensor, FlexTensor, FlexTensor)> {
    #[cfg(not(feature = "simd"))]
    {
        let _ = (x, gamma, beta, epsilon);
        None
    }
    #[cfg(feature = "simd")]
    {
        let shape = x.layout().shape().clone();
        let rank = shape.num_dims();
        let d = *shape.last()?;
        let xs = rows_f32(x)?;
        let gs = rows_f32(gamma)?;
        let bs = match beta {
            Some(b) => rows_f32(b)?,
            None => &[],
        };
        if d == 0 || gs.len() != d || !(bs.is_empty() || bs.len() == d) {
            return None;
        }
        let rows = xs.len() / d;
        // The decomposition adds ε as a scalar op, which converts it to f32 this way (`ops::binary::scalar_op`).
        let eps = epsilon as f32;
        let (mut out, mut normalized, mut denom) = (uninit_f32(xs.len()), uninit_f32(xs.len()), uninit_f32(rows));
        let (o_all, nz_all, s_all) = (slots(&mut out, xs.len()), slots(&mut normalized, xs.len()), slots(&mut denom, rows));
        let run = |x: &[f32], o: &mut [MaybeUninit<f32>], nz: &mut [MaybeUninit<f32>], s: &mut [MaybeUninit<f32>]| {
            let mut scratch = vec![0.0f32; 2 * d];
            crate::simd::kernels::layer_norm_train_rows_f32(x, gs, bs, eps, o, nz, s, &mut scratch);
        };
        #[cfg(feature = "rayon")]
        if xs.len() >= crate::par_map::PAR_MIN && rows > 1 {
            use rayon::prelude::*;
            let per = rows_per_task(d);
            o_all
                .par_chunks_mut(per * d)
                .zip(nz_all.par_chunks_mut(per * d))
                .zip(s_all.par_chunks_mut(per))
                .zip(xs.par_chunks(per * d))
                .for_each(|(((o, nz), s), x)| run(x, o, nz, s));
        } else {
            run(xs, o_all, nz_all, s_all);
        }
        #[cfg(not(feature = "rayon"))]
        run(xs, o_all, nz_all, s_all);
        let mut denom_shape = shape.clone();
        denom_shape[rank - 1] = 1;
        Some((
            tensor_f32(out, shape.clone()),
            tensor_f32(normalized, shape),
            tensor_f32(denom, denom_shape),
        ))
    }
}

/// The backward of [`layer_norm_forward_saving`] for `dx` and dγ's summand: returns `(dx, g ⊙ x̂)`, both
/// shaped like `grad`; the caller sums `g ⊙ x̂` (for dγ) and `g` (for dβ) over the rows as before. `None`
/// when a tensor is not a contiguous f32 tensor at offset 0 of the expected size.
pub fn layer_norm_backward(
    grad: &FlexTensor,
    normalized: &FlexTensor,
    denom: &FlexTensor,
    gamma: &FlexTensor,
) -> Option<(FlexTensor, FlexTensor)> {
    #[cfg(not(feature = "simd"))]
    {
        let _ = (grad, normalized, denom, gamma);
        None
    }
    #[cfg(feature = "simd")]
    {
        let shape = grad.layout().shape().clone();
        let gs = rows_f32(grad)?;
        let xs = rows_f32(normalized)?;
        let ss = rows_f32(denom)?;
        let gamma = rows_f32(gamma)?;
        let d = gamma.len();
        if d == 0 || gs.len() != xs.len() || gs.len() != ss.len() * d || normalized.layout().shape() != &shape {
            return None;
        }
        let (mut dx, mut g_xhat) = (uninit_f32(gs.len()), uninit_f32(gs.len()));
        let (dx_all, gx_all) = (slots(&mut dx, gs.len()), slots(&mut g_xhat, gs.len()));
        let run = |g: &[f32], x: &[f32], s: &[f32], o: &mut [MaybeUninit<f32>], gx: &mut [MaybeUninit<f32>]| {
            let mut scratch = vec![0.0f32; 2 * d];
            crate::simd::kernels::layer_norm_train_backward_rows_f32(g, x, s, gamma, o, gx, &mut scratch);
        };
        #[cfg(feature = "rayon")]
        if gs.len() >= crate::par_map::PAR_MIN && ss.len() > 1 {
            use rayon::prelude::*;
            let per = rows_per_task(d);
            dx_all
                .par_chunks_mut(per * d)
                .zip(gx_all.par_chunks_mut(per * d))
                .zip(ss.par_chunks(per))
                .zip(gs.par_chunks(per * d).zip(xs.par_chunks(per * d)))
                .for_each(|(((o, gx), s), (g, x))| run(g, x, s, o, gx));
        } else {
            run(gs, xs, ss, dx_all, gx_all);
        }
        #[cfg(not(feature = "rayon"))]
        run(gs, xs, ss, dx_all, gx_all);
        Some((tensor_f32(dx, shape.clone()), tensor_f32(g_xhat, shape)))
    }
}
