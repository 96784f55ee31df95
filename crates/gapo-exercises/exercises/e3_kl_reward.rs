//! # Exercise 3 — the per-token reward with a KL penalty
//!
//! **What.** PPO in RLHF does not reward a response once and for all: every generated token t gets a
//! penalty for drifting from the frozen reference model, and the last token also gets D's score.
//!
//! **Why.** Without the penalty the generator can find text that fools D but reads nothing like language
//! (reward hacking). β sets the price of drifting.
//!
//! **The formula** (OpenRLHF's `compute_reward`). For response `b` with token mask `m` (1 on generated
//! tokens) and per-token KL estimate `k`:
//!
//! ```text
//! r[b, t] = −β · k[b, t] · m[b, t]  +  1[t is the last token of b] · clip(score[b], −c, c)
//! ```
//!
//! The last token is the last `t` where `m[b, t] = 1`. Shapes: `kl [B, N]`, `scores [B]`, `mask [B, N]` →
//! `[B, N]`. Hint for the one-hot of the last token: the number of ones in a row, minus one, is its index.
//!
//! Check it: `cargo run -p gapo-exercises -- check`.

use burn::tensor::Tensor;

pub fn shaped_rewards(kl: Tensor<2>, scores: Tensor<1>, mask: Tensor<2>, beta: f64, clip: f64) -> Tensor<2> {
    let _ = (kl, scores, mask, beta, clip);
    todo!("exercise 3: −β·KL on every generated token, plus the clipped score on the last one")
}
