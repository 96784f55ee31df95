//! SimPO (Meng et al. 2024): a reference-free margin on length-normalised log-probs, as TRL's `CPOTrainer`
//! with `loss_type="simpo"` computes it.
//!
//! ```text
//! L = −log σ( β·ℓ_w/|y_w| − β·ℓ_l/|y_l| − γ )
//! ```

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;

/// `chosen_mean`, `rejected_mean`: `[B]` per-token mean log-probs. Returns the mean loss `[1]`.
pub fn simpo_loss(beta: f64, gamma: f64, chosen_mean: Tensor<1>, rejected_mean: Tensor<1>) -> Tensor<1> {
    let logits = (chosen_mean - rejected_mean).mul_scalar(beta).sub_scalar(gamma);
    log_sigmoid(logits).neg().mean()
}
