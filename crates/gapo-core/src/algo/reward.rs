//! Reward-model objectives.
//!
//! **Pointwise BCE** (GAPO's discriminator): D(prompt, response) → logit s, label y ∈ {0, 1}:
//! `L = mean(softplus(s) − y·s)` = `−mean(y log σ(s) + (1 − y) log(1 − σ(s)))`.
//!
//! **Bradley–Terry** (the decoder reward-model baseline, OpenRLHF `train_rm`): scores of a chosen and a
//! rejected row, `L = −mean(log σ(r_w − r_l))`.
//!
//! Classification metrics at threshold σ(s) > 0.5 (accuracy, precision, recall, F1, zero-division → 0),
//! as the authors' `CLSTrainer` logs them.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, softplus};
use serde::{Deserialize, Serialize};

/// `logits`, `labels`: `[B]`. Returns the mean BCE `[1]`: `mean(softplus(s) − y·s)`, the numerically
/// stable form of `−y·log σ(s) − (1−y)·log(1−σ(s))`.
pub fn bce_loss(logits: Tensor<1>, labels: Tensor<1>) -> Tensor<1> {
    (softplus(logits.clone(), 1.0) - labels * logits).mean()
}

/// `chosen`, `rejected`: `[B]` scores. Returns the mean Bradley–Terry loss `[1]`.
pub fn bradley_terry_loss(chosen: Tensor<1>, rejected: Tensor<1>) -> Tensor<1> {
    log_sigmoid(chosen - rejected).neg().mean()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Metrics of logits against 0/1 labels (host values).
pub fn classification(logits: &[f32], labels: &[f32]) -> Classification {
    let (mut tp, mut fp, mut tn, mut fn_) = (0.0, 0.0, 0.0, 0.0);
    for (&s, &y) in logits.iter().zip(labels) {
        match (s > 0.0, y > 0.5) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, false) => tn += 1.0,
            (false, true) => fn_ += 1.0,
        }
    }
    let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
    let precision = div(tp, tp + fp);
    let recall = div(tp, tp + fn_);
    Classification {
        accuracy: div(tp + tn, tp + tn + fp + fn_),
        precision,
        recall,
        f1: div(2.0 * precision * recall, precision + recall),
    }
}
