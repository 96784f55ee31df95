//! Attention masks as additive biases. A large finite negative (not -inf) keeps fully masked rows (the
//! queries at padding positions) finite: their softmax is uniform and their outputs are never read.

use burn::tensor::{Bool, Device, Int, Tensor};

/// Added to the attention score of a position that must not be attended to.
pub const MASKED: f32 = -1.0e9;

/// Bias that hides padded keys. `key_mask`: `[B, S]`, 1.0 for a real token, 0.0 for padding.
/// Returns `[B, 1, 1, S]`, broadcast over heads and queries.
pub fn key_padding_bias(key_mask: Tensor<2>) -> Tensor<4> {
    let [b, s] = key_mask.dims();
    // (1 - mask) * MASKED: 0 where real, MASKED where padding.
    (key_mask.neg().add_scalar(1.0)).mul_scalar(MASKED).reshape([b, 1, 1, s])
}

/// Bias that hides future keys from `t_new` queries that follow `past` cached positions.
/// Query i sits at slot `past + i` and may see keys `0..=past + i`. Returns `[1, 1, T_new, past + T_new]`.
pub fn causal_bias(t_new: usize, past: usize, device: &Device) -> Tensor<4> {
    let s = past + t_new;
    // tril_mask(offset = past) is true strictly above the shifted diagonal: keys in the future.
    let future: Tensor<2, Bool> = Tensor::<2, Bool>::tril_mask([t_new, s], past as i64, device);
    Tensor::<2>::zeros([t_new, s], device).mask_fill(future, MASKED).reshape([1, 1, t_new, s])
}

/// Position of each token among the real tokens of its row: `cumsum(mask) - 1`, 0 at left padding.
/// `mask`: `[B, T]` of 1.0/0.0. Returns `[B, T]` Int.
pub fn positions_from_mask(mask: Tensor<2>) -> Tensor<2, Int> {
    mask.cumsum(1).sub_scalar(1.0).clamp_min(0.0).int()
}
