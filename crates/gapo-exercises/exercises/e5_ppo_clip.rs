//! # Exercise 5 — PPO's clipped policy loss
//!
//! **What.** The generator is updated several times on one rollout. The ratio ρ = π_θ(token)/π_old(token)
//! says how far the update has moved; PPO stops the gain once ρ leaves [1 − ε, 1 + ε].
//!
//! **Why.** Without the clip one rollout with a lucky reward can push the policy far away in a single
//! update, and training collapses.
//!
//! **The formula**, per generated token, with `ρ = exp(logp − old_logp)`:
//!
//! ```text
//! ℓ_t = −min(ρ·A_t, clip(ρ, 1 − ε, 1 + ε)·A_t)
//! ```
//!
//! The loss averages ℓ over each response's generated tokens (mask 1), then over responses. Shapes: `logp,
//! old_logp, advantages, mask [B, N]` → `[1]`. Gradients must flow through `logp` only.
//!
//! Check it: `cargo run -p gapo-exercises -- check`.

use burn::tensor::Tensor;

pub fn clipped_policy_loss(
    logp: Tensor<2>,
    old_logp: Tensor<2>,
    advantages: Tensor<2>,
    mask: Tensor<2>,
    eps: f64,
) -> Tensor<1> {
    let _ = (logp, old_logp, advantages, mask, eps);
    todo!("exercise 5: the clipped surrogate loss, averaged per response then over responses")
}
