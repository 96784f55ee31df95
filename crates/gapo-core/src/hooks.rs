//! Plug-in points for the classroom exercises (`crates/gapo-exercises`): five pieces of GAPO a student
//! writes — the discriminator's BCE loss, the preferential-prompt builder for word limits, the KL-shaped
//! per-token reward, GAE and the PPO clipped loss. `gapo train --use-exercise-solutions` installs the
//! student's functions into the session's `Inputs::hooks`; the session hands them to the pieces that use
//! them (the discriminator's trainer, the PPO learner, the task's rejected-prompt builder), so the
//! student's own code trains the model. The default holds none: every piece is the built-in one.

use crate::rng::SplitMix64;
use crate::task::Constraint;
use burn::tensor::Tensor;

/// `(logits [B], labels [B]) -> mean BCE [1]`.
pub type BceLoss = fn(Tensor<1>, Tensor<1>) -> Tensor<1>;
/// `(response, rng) -> a MaxWords constraint the response fails`, or `None` when it is too short.
pub type TighterMaxWords = fn(&str, &mut SplitMix64) -> Option<Constraint>;
/// `(kl [B, N], scores [B], mask [B, N], β, clip) -> rewards [B, N]`.
pub type ShapedRewards = fn(Tensor<2>, Tensor<1>, Tensor<2>, f64, f64) -> Tensor<2>;
/// `(rewards, values, mask, γ, λ) -> (advantages, returns)`, all `[B, N]`.
pub type Gae = fn(Tensor<2>, Tensor<2>, Tensor<2>, f64, f64) -> (Tensor<2>, Tensor<2>);
/// `(logp, old_logp, advantages, mask, ε) -> loss [1]`.
pub type ClippedPolicyLoss = fn(Tensor<2>, Tensor<2>, Tensor<2>, Tensor<2>, f64) -> Tensor<1>;

/// Replacements for built-in pieces; `None` keeps the built-in one.
#[derive(Clone, Copy, Default)]
pub struct Hooks {
    pub bce_loss: Option<BceLoss>,
    pub tighter_max_words: Option<TighterMaxWords>,
    pub shaped_rewards: Option<ShapedRewards>,
    pub gae: Option<Gae>,
    pub clipped_policy_loss: Option<ClippedPolicyLoss>,
}
