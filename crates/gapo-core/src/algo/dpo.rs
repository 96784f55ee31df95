//! Direct Preference Optimization (Rafailov et al. 2023) and its IPO variant (Azar et al. 2023), as TRL's
//! `DPOTrainer` computes them.
//!
//! With `ℓ_w = log π(y_w|x_w)`, `ℓ_l = log π(y_l|x_l)` and the same under the frozen reference:
//!
//! ```text
//! h      = (ℓ_w − ℓ_l) − (ℓ_w^ref − ℓ_l^ref)
//! sigmoid: L = −log σ(β·h)
//! IPO:     L = (h − 1/(2β))²          (IPO uses per-token mean log-probs, as TRL does)
//! rewards/chosen = β(ℓ_w − ℓ_w^ref), rewards/rejected = β(ℓ_l − ℓ_l^ref)
//! ```
//!
//! On preferential-prompt pairs the two sides share the response and differ in the prompt
//! (`x_w = P_acc`, `x_l = P_rej`, `y_w = y_l = R`); on preferential-response pairs they share the prompt.

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DpoLoss {
    Sigmoid,
    Ipo,
}

/// Inputs `[B]`: policy and reference log-probs of the chosen and rejected sides (sums for sigmoid, per-token
/// means for IPO). Returns the mean loss `[1]` and the DPO diagnostics.
pub struct DpoOutput {
    pub loss: Tensor<1>,
    pub rewards_chosen: Tensor<1>,
    pub rewards_rejected: Tensor<1>,
}

pub fn dpo_loss(
    kind: DpoLoss,
    beta: f64,
    policy_chosen: Tensor<1>,
    policy_rejected: Tensor<1>,
    ref_chosen: Tensor<1>,
    ref_rejected: Tensor<1>,
) -> DpoOutput {
    let chosen_ratio = policy_chosen - ref_chosen;
    let rejected_ratio = policy_rejected - ref_rejected;
    let h = chosen_ratio.clone() - rejected_ratio.clone();
    let losses = match kind {
        DpoLoss::Sigmoid => log_sigmoid(h.mul_scalar(beta)).neg(),
        DpoLoss::Ipo => h.sub_scalar(1.0 / (2.0 * beta)).powf_scalar(2.0),
    };
    DpoOutput {
        loss: losses.mean(),
        rewards_chosen: chosen_ratio.mul_scalar(beta).detach(),
        rewards_rejected: rejected_ratio.mul_scalar(beta).detach(),
    }
}
