//! Reference solution of exercise 5 (see `exercises/e5_ppo_clip.rs` for the text).

use burn::tensor::Tensor;

pub fn clipped_policy_loss(
    logp: Tensor<2>,
    old_logp: Tensor<2>,
    advantages: Tensor<2>,
    mask: Tensor<2>,
    eps: f64,
) -> Tensor<1> {
    let [b, _] = mask.dims();
    let ratio = (logp - old_logp.detach()).exp();
    let unclipped = ratio.clone() * advantages.clone();
    let clipped = ratio.clamp(1.0 - eps, 1.0 + eps) * advantages;
    let per_token = unclipped.min_pair(clipped).neg() * mask.clone();
    // Mean over each response's tokens, then over responses.
    let per_row = per_token.sum_dim(1).reshape([b]) / mask.sum_dim(1).reshape([b]).clamp_min(1.0);
    per_row.mean()
}
