//! # Exercise 4 — generalised advantage estimation (GAE)
//!
//! **What.** PPO needs, for every generated token, how much better the outcome was than the critic
//! expected: the advantage `A_t`. GAE mixes one-step and long-horizon estimates with λ.
//!
//! **Why.** The reward arrives at the last token; GAE carries it back to the tokens that earned it, with
//! less variance than the raw return.
//!
//! **The formula** (Schulman et al. 2016), per response, over its tokens t = 0..N−1, with `V_N = 0`:
//!
//! ```text
//! δ_t = r_t + γ·V_{t+1} − V_t
//! A_t = δ_t + γλ·A_{t+1}          (A_N = 0; computed from the last token backwards)
//! R_t = A_t + V_t                 (the returns the critic learns)
//! ```
//!
//! Multiply rewards and values by the mask first (padding counts as 0), and the results by the mask at the
//! end. Shapes: `rewards, values, mask [B, N]` → `(advantages [B, N], returns [B, N])`. A loop over t with
//! `narrow`/`cat` is fine; so is reading to the host and back (`into_data`, `Tensor::from_data`).
//!
//! Check it: `cargo run -p gapo-exercises -- check`.

use burn::tensor::Tensor;

pub fn gae(rewards: Tensor<2>, values: Tensor<2>, mask: Tensor<2>, gamma: f64, lambda: f64) -> (Tensor<2>, Tensor<2>) {
    let _ = (rewards, values, mask, gamma, lambda);
    todo!("exercise 4: advantages and returns by GAE(γ, λ)")
}
