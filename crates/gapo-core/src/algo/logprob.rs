//! Log-probabilities of a response under a generator, the quantity every preference method compares.
//!
//! A batch holds `[BOS] prompt [SEP] response [EOS]` rows; `target_mask` marks the response tokens (and
//! `[EOS]`). For each row: `Σ_t m_t · log π(x_t | x_<t)` and the number of such tokens.

use super::sft::next_token_logprobs;
use crate::model::CausalLm;
use burn::tensor::{Int, Tensor};

/// Per-row sum of target-token log-probs `[B]` and target-token counts `[B]`.
pub fn sequence_logps(
    model: &impl CausalLm,
    ids: Tensor<2, Int>,
    mask: Tensor<2>,
    target_mask: Tensor<2>,
) -> (Tensor<1>, Tensor<1>) {
    let [b, t] = ids.dims();
    let logp = next_token_logprobs(model, ids, mask); // [B, T-1]
    let targets = target_mask.narrow(1, 1, t - 1); // [B, T-1]
    let sum = (logp * targets.clone()).sum_dim(1).reshape([b]);
    let count = targets.sum_dim(1).reshape([b]).clamp_min(1.0);
    (sum, count)
}
