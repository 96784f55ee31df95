//! ORPO (Hong et al. 2024): SFT plus an odds-ratio penalty, no reference model, as TRL's `ORPOTrainer`
//! computes it.
//!
//! With `p = exp(mean token log-prob)` of a side and `odds = p / (1 − p)`:
//!
//! ```text
//! log OR = (ℓ̄_w − ℓ̄_l) − (log(1 − e^{ℓ̄_w}) − log(1 − e^{ℓ̄_l}))
//! L      = NLL(y_w) − λ · log σ(log OR)
//! ```

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;

/// `chosen_mean`, `rejected_mean`: `[B]` per-token mean log-probs (< 0); `chosen_nll`: `[1]` the SFT loss on
/// the chosen side. Returns (loss `[1]`, mean log-odds-ratio `[1]`).
pub fn orpo_loss(
    lambda: f64,
    chosen_mean: Tensor<1>,
    rejected_mean: Tensor<1>,
    chosen_nll: Tensor<1>,
) -> (Tensor<1>, Tensor<1>) {
    // log(1 − e^x) for x < 0, computed as log(−expm1(x)); clamp keeps x away from 0.
    let log1m_exp = |x: Tensor<1>| x.clamp_max(-1e-6).exp().neg().add_scalar(1.0).log();
    let log_odds = (chosen_mean.clone() - rejected_mean.clone()) - (log1m_exp(chosen_mean) - log1m_exp(rejected_mean));
    let ratio = log_sigmoid(log_odds.clone());
    (chosen_nll - ratio.mean().mul_scalar(lambda), log_odds.mean().detach())
}
