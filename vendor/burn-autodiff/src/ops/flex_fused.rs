//! gapo-playground patch: CPU-backend kernels for autodiff operations whose backward has no backend hook.
//!
//! burn's `Backend` trait has a forward hook for layer norm but none that keeps what the backward needs,
//! and none for the backward itself, so the autodiff operation runs both as generic tensor ops: about
//! twenty whole-tensor passes a layer norm. When the inner backend is burn-flex (a run-time fact here:
//! the `Device` picks the backend, and `Autodiff<Flex>` is what the CPU path builds), these functions hand
//! the tensors to burn-flex's row kernels (`burn_flex::ops::layer_norm_train`), which compute the same
//! values in one pass a row. Any other backend, dtype or layout gets `None` and the generic ops.

use alloc::boxed::Box;
use burn_backend::Backend;
use burn_flex::FlexTensor;
use core::any::Any;

fn as_flex<T: 'static>(t: &T) -> Option<&FlexTensor> {
    (t as &dyn Any).downcast_ref::<FlexTensor>()
}

fn from_flex<T: 'static>(t: FlexTensor) -> Option<T> {
    (Box::new(t) as Box<dyn Any>).downcast::<T>().ok().map(|b| *b)
}

/// `(y, x̂, σ)` of a layer norm over the last dimension, or `None` (not burn-flex, not f32, not contiguous).
#[allow(clippy::type_complexity)]
pub(crate) fn layer_norm_forward<B: Backend>(
    x: &B::FloatTensorPrimitive,
    gamma: &B::FloatTensorPrimitive,
    beta: Option<&B::FloatTensorPrimitive>,
    epsilon: f64,
) -> Option<(B::FloatTensorPrimitive, B::FloatTensorPrimitive, B::FloatTensorPrimitive)> {
    let beta = match beta {
        Some(b) => Some(as_flex(b)?),
        None => None,
    };
    let (y, normalized, denom) =
        burn_flex::ops::layer_norm_train::layer_norm_forward_saving(as_flex(x)?, as_flex(gamma)?, beta, epsilon)?;
    Some((from_flex(y)?, from_flex(normalized)?, from_flex(denom)?))
}

/// `(dx, g ⊙ x̂)` of that layer norm, or `None`.
pub(crate) fn layer_norm_backward<B: Backend>(
    grad: &B::FloatTensorPrimitive,
    normalized: &B::FloatTensorPrimitive,
    denom: &B::FloatTensorPrimitive,
    gamma_b: &B::FloatTensorPrimitive,
) -> Option<(B::FloatTensorPrimitive, B::FloatTensorPrimitive)> {
    let (dx, g_xhat) = burn_flex::ops::layer_norm_train::layer_norm_backward(
        as_flex(grad)?,
        as_flex(normalized)?,
        as_flex(denom)?,
        as_flex(gamma_b)?,
    )?;
    Some((from_flex(dx)?, from_flex(g_xhat)?))
}

/// `dx = y ⊙ (g − Σ_last g ⊙ y)` of a softmax over the last dimension (`y` its output), or `None`.
pub(crate) fn softmax_backward<B: Backend>(
    output: &B::FloatTensorPrimitive,
    grad: &B::FloatTensorPrimitive,
) -> Option<B::FloatTensorPrimitive> {
    from_flex(burn_flex::ops::softmax_train::softmax_backward_last(as_flex(output)?, as_flex(grad)?)?)
}
