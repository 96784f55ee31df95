//! PPO for RLHF, as OpenRLHF (the authors' base, commit 9fff33eb) computes it. Tensors are `[B, N]` over
//! the N response positions of B rollouts; `mask` is 1 on generated tokens (up to and including `[EOS]`).
//!
//! **KL-shaped reward.** With `d_t = log π_old(a_t|s_t) − log π_ref(a_t|s_t)`:
//! k1: `k_t = d_t`; k3: `k_t = e^{−d_t} − 1 + d_t` (Schulman's unbiased, non-negative estimator).
//! `r_t = −β·k_t` on every generated token, plus `clip(score, −c, c)` on the last one.
//!
//! **GAE.** `δ_t = r_t + γ·V_{t+1} − V_t` (V = 0 past the end), `A_t = Σ_{l≥0} (γλ)^l δ_{t+l}`,
//! returns `G_t = A_t + V_t`. Computed for the whole batch at once as `A = δ · Mᵀ`, with
//! `M[t, s] = (γλ)^{s−t}` for `s ≥ t` (one matmul instead of a loop over t).
//!
//! **Whitening.** `A ← (A − mean) / sqrt(max(var, 1e-8))`, mean and variance over generated tokens.
//!
//! **Policy loss.** `ρ_t = exp(log π_θ − log π_old)`; per token `−min(ρ_t A_t, clip(ρ_t, 1 ± ε) A_t)`;
//! masked mean over each sequence's tokens, then mean over sequences.
//!
//! **Value loss.** `V_clip = V_old + clip(V − V_old, ±ε_v)`;
//! `0.5 · masked_mean(max((V − G)², (V_clip − G)²))`.

use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlEstimator {
    K1,
    K3,
}

/// Per-token KL estimate `[B, N]`, zero on padding.
pub fn kl_estimate(kind: KlEstimator, logp: Tensor<2>, ref_logp: Tensor<2>, mask: Tensor<2>) -> Tensor<2> {
    let d = logp - ref_logp;
    let k = match kind {
        KlEstimator::K1 => d,
        KlEstimator::K3 => d.clone().neg().exp().sub_scalar(1.0) + d,
    };
    k * mask
}

/// RLOO's baseline (Ahmadian et al. 2024; OpenRLHF `rloo`): `scores` `[B]` holds groups of `k` samples of one
/// prompt in a row; each score minus the mean of the other `k − 1` in its group.
pub fn leave_one_out(scores: Tensor<1>, k: usize) -> Tensor<1> {
    let [b] = scores.dims();
    let groups = scores.reshape([b / k, k]);
    let others = (groups.clone().sum_dim(1).expand([b / k, k]) - groups.clone()).div_scalar((k - 1) as f64);
    (groups - others).reshape([b])
}

/// GRPO's group normalisation (Shao et al. 2024; OpenRLHF `group_norm`): `scores` `[B]` holds groups of `k`
/// samples of one prompt in a row; each score minus its group's mean, over the group's standard deviation
/// (unbiased, as `torch.std`) plus 1e-9. A group whose samples all score alike gets 0.
pub fn group_norm(scores: Tensor<1>, k: usize) -> Tensor<1> {
    let [b] = scores.dims();
    let groups = scores.reshape([b / k, k]);
    let centred = groups.clone() - groups.mean_dim(1).expand([b / k, k]);
    let std = (centred.clone().powf_scalar(2.0).sum_dim(1) / (k - 1) as f64).sqrt().add_scalar(1e-9);
    (centred / std.expand([b / k, k])).reshape([b])
}

/// One-hot `[B, N]` of each row's last generated token. `mask` is contiguous from position 0.
pub fn last_token_onehot(mask: Tensor<2>) -> Tensor<2> {
    let [b, n] = mask.dims();
    let last = mask.clone().sum_dim(1).sub_scalar(1.0).clamp_min(0.0); // [B, 1]
    let steps = Tensor::<1, Int>::arange(0..n as i64, &mask.device()).float().reshape([1, n]).expand([b, n]);
    steps.equal(last.expand([b, n])).float() * mask
}

/// `r_t = −β·k_t·m_t + 1[t = last]·clip(score, −c, c)`. `scores`: `[B]`. Returns `[B, N]`.
pub fn shaped_rewards(kl: Tensor<2>, scores: Tensor<1>, mask: Tensor<2>, beta: f64, clip: f64) -> Tensor<2> {
    let [b, n] = mask.dims();
    let last = last_token_onehot(mask.clone());
    let score = scores.clamp(-clip, clip).reshape([b, 1]).expand([b, n]);
    kl.mul_scalar(-beta) * mask + last * score
}

/// The discount matrix `Mᵀ` `[N, N]` with `Mᵀ[s, t] = (γλ)^{s−t}` for `s ≥ t`, else 0.
fn discount_matrix(n: usize, gamma_lambda: f64, device: &Device) -> Tensor<2> {
    let mut m = vec![0.0f32; n * n];
    for s in 0..n {
        for t in 0..=s {
            m[s * n + t] = gamma_lambda.powi((s - t) as i32) as f32;
        }
    }
    Tensor::from_data(TensorData::new(m, [n, n]), device)
}

/// GAE advantages and returns, `[B, N]` each (masked). Vectorised: `δ_t = r_t + γ·V_{t+1} − V_t`, then
/// `A = δ · Mᵀ` with the discount matrix.
pub fn gae(rewards: Tensor<2>, values: Tensor<2>, mask: Tensor<2>, gamma: f64, lambda: f64) -> (Tensor<2>, Tensor<2>) {
    let [b, n] = rewards.dims();
    let device = rewards.device();
    let values = values * mask.clone();
    let rewards = rewards * mask.clone();
    // V_{t+1}: shift left, 0 past the end.
    let next = if n > 1 {
        Tensor::cat(vec![values.clone().narrow(1, 1, n - 1), Tensor::zeros([b, 1], &device)], 1)
    } else {
        Tensor::zeros([b, 1], &device)
    };
    let delta = rewards + next.mul_scalar(gamma) - values.clone(); // [B, N]
    let advantages = delta.matmul(discount_matrix(n, gamma * lambda, &device)) * mask.clone();
    let returns = (advantages.clone() + values) * mask;
    (advantages, returns)
}

/// Masked whitening over all generated tokens of the batch.
pub fn whiten(x: Tensor<2>, mask: Tensor<2>) -> Tensor<2> {
    let count = mask.clone().sum().clamp_min(1.0);
    let mean = (x.clone() * mask.clone()).sum() / count.clone();
    let [b, n] = x.dims();
    let centred = x - mean.reshape([1, 1]).expand([b, n]);
    let var = (centred.clone().powf_scalar(2.0) * mask.clone()).sum() / count;
    centred / var.clamp_min(1e-8).sqrt().reshape([1, 1]).expand([b, n]) * mask
}

/// Mean over each row's masked tokens, then over rows: `[B, N] -> [1]`.
pub fn masked_mean(x: Tensor<2>, mask: Tensor<2>) -> Tensor<1> {
    let [b, _] = x.dims();
    let per_row = (x * mask.clone()).sum_dim(1).reshape([b]) / mask.sum_dim(1).reshape([b]).clamp_min(1.0);
    per_row.mean()
}

/// The clipped policy loss and its diagnostics.
pub struct PolicyLoss {
    pub loss: Tensor<1>,
    /// Share of tokens where the clipped term was the active one.
    pub clipfrac: Tensor<1>,
    /// `0.5·mean((log π_θ − log π_old)²)`.
    pub approxkl: Tensor<1>,
    /// Mean ratio over tokens.
    pub ratio: Tensor<1>,
}

/// `−mean_tokens(min(ρ·A, clip(ρ, 1−ε, 1+ε)·A))` with `ρ = exp(log π_θ − log π_old)` (per row, then over
/// rows, as `masked_mean`).
pub fn policy_loss(
    logp: Tensor<2>,
    old_logp: Tensor<2>,
    advantages: Tensor<2>,
    mask: Tensor<2>,
    eps: f64,
) -> PolicyLoss {
    let diff = logp - old_logp;
    let ratio = diff.clone().exp();
    let surr1 = ratio.clone() * advantages.clone();
    let surr2 = ratio.clone().clamp(1.0 - eps, 1.0 + eps) * advantages;
    let losses = surr1.clone().neg().max_pair(surr2.clone().neg()); // −min(surr1, surr2)
    let clipped = surr2.neg().greater(surr1.neg()).float();
    let count = mask.clone().sum().clamp_min(1.0);
    let loss = masked_mean(losses, mask.clone());
    PolicyLoss {
        loss,
        clipfrac: ((clipped * mask.clone()).sum() / count.clone()).detach(),
        approxkl: ((diff.powf_scalar(2.0) * mask.clone()).sum().mul_scalar(0.5) / count.clone()).detach(),
        ratio: ((ratio * mask).sum() / count).detach(),
    }
}

/// The clipped value loss and the share of tokens where clipping was active.
pub fn value_loss(
    values: Tensor<2>,
    old_values: Tensor<2>,
    returns: Tensor<2>,
    mask: Tensor<2>,
    clip: f64,
) -> (Tensor<1>, Tensor<1>) {
    let clipped = old_values.clone() + (values.clone() - old_values).clamp(-clip, clip);
    let l1 = (values - returns.clone()).powf_scalar(2.0);
    let l2 = (clipped - returns).powf_scalar(2.0);
    let frac = (l2.clone().greater(l1.clone()).float() * mask.clone()).sum() / mask.clone().sum().clamp_min(1.0);
    (masked_mean(l1.max_pair(l2), mask).mul_scalar(0.5), frac.detach())
}

/// GAE by the textbook backward loop, on the host: the reference the vectorised version is tested against.
pub fn gae_naive(
    rewards: &[Vec<f32>],
    values: &[Vec<f32>],
    mask: &[Vec<f32>],
    gamma: f64,
    lambda: f64,
) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let mut advs = Vec::new();
    let mut rets = Vec::new();
    for ((r, v), m) in rewards.iter().zip(values).zip(mask) {
        let n = r.len();
        let mut adv = vec![0.0f32; n];
        let mut last = 0.0f64;
        for t in (0..n).rev() {
            let v_t = (v[t] * m[t]) as f64;
            let v_next = if t + 1 < n { (v[t + 1] * m[t + 1]) as f64 } else { 0.0 };
            let delta = (r[t] * m[t]) as f64 + gamma * v_next - v_t;
            last = delta + gamma * lambda * last;
            adv[t] = (last * m[t] as f64) as f32;
        }
        rets.push(adv.iter().zip(v).zip(m).map(|((a, v), m)| (a + v * m) * m).collect());
        advs.push(adv);
    }
    (advs, rets)
}
