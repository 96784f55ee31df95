//! gapo-playground patch: the backward of softmax over the last dimension in one pass a row.
//!
//! burn-autodiff (patched in `vendor/burn-autodiff`) runs softmax as one autodiff operation whose backward
//! is `dx = y ⊙ (g − Σ_dim g ⊙ y)` written as four tensor ops (multiply, sum, subtract, multiply): on
//! attention's `[B, H, T, S]` weights that is four whole-tensor passes and two temporaries of that size.
//! This function runs the same arithmetic row by row (`simd::kernels::softmax_backward_rows_f32`), so its
//! result is bit-identical to the four ops'; the autodiff operation calls it when its tensors are this
//! backend's and falls back to the ops otherwise (`None`).

use crate::FlexTensor;
#[cfg(feature = "simd")]
use {
    super::row_buffers::{rows_f32, slots, tensor_f32, uninit_f32},
    alloc::vec,
    core::mem::MaybeUninit,
};

/// `dx = y ⊙ (g − Σ_last g ⊙ y)` for softmax output `y` along the last dimension and the gradient `grad`
/// of the same shape; `None` when either is not a contiguous f32 tensor at offset 0, the shapes differ,
/// or the build has no `simd` feature.
pub fn softmax_backward_last(y: &FlexTensor, grad: &FlexTensor) -> Option<FlexTensor> {
    #[cfg(not(feature = "simd"))]
    {
        let _ = (y, grad);
        None
    }
    #[cfg(feature = "simd")]
    {
        let shape = y.layout().shape().clone();
        let d = *shape.last()?;
        if d == 0 || grad.layout().shape() != &shape {
            return None;
        }
        let (ys, gs) = (rows_f32(y)?, rows_f32(grad)?);
        let mut dx = uninit_f32(ys.len());
        let dx_all = slots(&mut dx, ys.len());
        let run = |y: &[f32], g: &[f32], o: &mut [MaybeUninit<f32>]| {
            let mut scratch = vec![0.0f32; d];
            crate::simd::kernels::softmax_backward_rows_f32(y, g, o, &mut scratch);
        };
        #[cfg(feature = "rayon")]
        if ys.len() >= crate::par_map::PAR_MIN && ys.len() > d {
            use rayon::prelude::*;
            let per = super::row_buffers::rows_per_task(d) * d;
            dx_all
                .par_chunks_mut(per)
                .zip(ys.par_chunks(per).zip(gs.par_chunks(per)))
                .for_each(|(o, (y, g))| run(y, g, o));
        } else {
            run(ys, gs, dx_all);
        }
        #[cfg(not(feature = "rayon"))]
        run(ys, gs, dx_all);
        Some(tensor_f32(dx, shape))
    }
}
