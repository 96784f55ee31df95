//! gapo-playground patch: the buffers of the row kernels that burn-autodiff hands training operations to
//! (`layer_norm_train`, `softmax_train`): contiguous f32 rows in, outputs written once into uninitialised
//! memory, and how many rows a rayon task takes.

#![cfg(feature = "simd")]

use crate::{FlexTensor, Layout};
use alloc::vec::Vec;
use burn_backend::DType;
use burn_std::{Bytes, Shape};
use core::mem::MaybeUninit;

/// The rows of a contiguous f32 tensor at offset 0, or `None`.
pub(crate) fn rows_f32(t: &FlexTensor) -> Option<&[f32]> {
    if t.dtype() != DType::F32 || !t.layout().is_contiguous() || t.layout().start_offset() != 0 {
        return None;
    }
    let n = t.layout().num_elements();
    Some(&t.storage::<f32>()[..n])
}

/// `n` floats for a kernel to write, not zeroed first (a whole-buffer `memset` per output otherwise).
pub(crate) fn uninit_f32(n: usize) -> Vec<f32> {
    Vec::with_capacity(n)
}

/// The kernel's view of `v`'s capacity: `n` slots that may be uninitialised.
pub(crate) fn slots(v: &mut Vec<f32>, n: usize) -> &mut [MaybeUninit<f32>] {
    &mut v.spare_capacity_mut()[..n]
}

/// A new contiguous f32 tensor of `shape` from `data`, whose first `shape.num_elements()` slots the kernel
/// has written.
pub(crate) fn tensor_f32(mut data: Vec<f32>, shape: Shape) -> FlexTensor {
    // SAFETY: every caller passes a buffer of that capacity after a kernel wrote each of its slots
    // (`layer_norm_train_rows_f32` writes every output element and σ of every row it is given; the
    // backward writes every element of `dx` and `g_xhat`; `softmax_backward_rows_f32` every element of
    // `dx`; the row blocks cover the buffer).
    unsafe { data.set_len(shape.num_elements()) };
    FlexTensor::new(Bytes::from_elems(data), Layout::contiguous(shape), DType::F32)
}

/// Rows per rayon task: as many as make one task of the element-wise loops (`crate::par_map::CHUNK`).
#[cfg(feature = "rayon")]
pub(crate) fn rows_per_task(d: usize) -> usize {
    (crate::par_map::CHUNK / d.max(1)).max(1)
}
