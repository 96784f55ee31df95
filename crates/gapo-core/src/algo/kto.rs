//! Kahneman–Tversky Optimization (Ethayarajh et al. 2024), as TRL's `KTOTrainer` computes it.
//!
//! Unpaired rows, each desirable or undesirable. With `r = log π(y|x) − log π_ref(y|x)` and a reference
//! point `z₀ = max(0, mean over mismatched pairs (x_i, y_j) of log π(y_j|x_i) − log π_ref(y_j|x_i))`
//! (detached):
//!
//! ```text
//! desirable:   L = λ_D · (1 − σ(β(r − z₀)))
//! undesirable: L = λ_U · (1 − σ(β(z₀ − r)))
//! loss = mean over all rows
//! ```
//!
//! On preferential prompts: desirable = (P_acc, R), undesirable = (P_rej, R).

use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KtoWeights {
    pub beta: f64,
    pub desirable: f64,
    pub undesirable: f64,
}

impl Default for KtoWeights {
    fn default() -> Self {
        Self { beta: 0.1, desirable: 1.0, undesirable: 1.0 }
    }
}

/// `logratio`: `[B]` policy minus reference log-probs; `desirable`: `[B]` of 1.0/0.0; `kl_logratio`: `[M]`
/// the same quantity on mismatched (prompt, completion) pairs. Returns (mean loss `[1]`, z₀ `[1]`).
pub fn kto_loss(
    w: KtoWeights,
    logratio: Tensor<1>,
    desirable: Tensor<1>,
    kl_logratio: Tensor<1>,
) -> (Tensor<1>, Tensor<1>) {
    let z0 = kl_logratio.mean().clamp_min(0.0).detach(); // [1]
    let [b] = logratio.dims();
    let z = z0.clone().expand([b]);
    let chosen =
        sigmoid((logratio.clone() - z.clone()).mul_scalar(w.beta)).neg().add_scalar(1.0).mul_scalar(w.desirable);
    let rejected = sigmoid((z - logratio).mul_scalar(w.beta)).neg().add_scalar(1.0).mul_scalar(w.undesirable);
    let losses = chosen * desirable.clone() + rejected * desirable.neg().add_scalar(1.0);
    (losses.mean(), z0)
}
