//! # Exercise 1 — the discriminator's loss (binary cross-entropy on logits)
//!
//! **What.** GAPO's reward model D reads (prompt, response) and outputs one logit `s`: high when the
//! response fits the prompt's constraints (label 1), low for a rejected prompt or a generated "fake"
//! (label 0). It is trained by binary cross-entropy.
//!
//! **Why.** This loss is what D learns from in the warm-up and in every discriminator phase; its gradient
//! decides what the generator is later rewarded for.
//!
//! **The formula.** With σ the logistic function, for one row
//!
//! ```text
//! ℓ(s, y) = −y·log σ(s) − (1 − y)·log(1 − σ(s))
//!         = softplus(s) − y·s            (the same, and stable for large |s|)
//! ```
//!
//! and the loss is the mean over the batch. Write it with burn tensor ops so gradients flow
//! (`burn::tensor::activation::softplus`, `*`, `-`, `.mean()`). Shapes: `logits [B]`, `labels [B]` → `[1]`.
//!
//! Check it: `cargo run -p gapo-exercises -- check`.

use burn::tensor::Tensor;

pub fn bce_loss(logits: Tensor<1>, labels: Tensor<1>) -> Tensor<1> {
    let _ = (logits, labels);
    todo!("exercise 1: the mean binary cross-entropy of the logits against the labels")
}
