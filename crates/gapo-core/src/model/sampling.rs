//! Sampling on the device: temperature, top-k, top-p (nucleus) and greedy, and batched decoding with the KV
//! cache. Sampled tokens stay on the device until the caller reads the whole rollout back: no per-token
//! readback, so the browser build never blocks and a GPU never idles waiting for the host.
//!
//! Sampling uses the Gumbel-max trick: `argmax(logits / T + g)` with `g = -ln(-ln(u))`, `u ~ U(0, 1)`,
//! draws from `softmax(logits / T)` using only elementwise ops and an argmax, which every backend has.

use super::attention::KvCache;
use super::lm::CausalLm;
use super::mask::MASKED;
use super::mask::positions_from_mask;
use crate::error::GapoError;
use burn::config::Config;
use burn::tensor::activation::softmax;
use burn::tensor::{Distribution, Int, Tensor};

#[derive(Config, Debug, PartialEq)]
pub struct SamplingConfig {
    /// Divides the logits; ignored when `greedy`.
    #[config(default = 1.0)]
    pub temperature: f64,
    /// Keep only the k most likely tokens; 0 turns it off.
    #[config(default = 0)]
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability reaches p; 1.0 turns it off.
    #[config(default = 1.0)]
    pub top_p: f64,
    /// Argmax instead of sampling (evaluation).
    #[config(default = false)]
    pub greedy: bool,
}

impl SamplingConfig {
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |field: &str, message: &str| GapoError::Config {
            field: format!("sampling.{field}"),
            message: message.into(),
        };
        if !self.greedy && !(self.temperature > 0.0 && self.temperature.is_finite()) {
            return Err(bad("temperature", "must be a finite number above 0 (or set greedy = true)"));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(bad("top_p", "must be in (0, 1]"));
        }
        Ok(())
    }
}

/// Sets every logit outside the top k of its row to MASKED. `logits`: `[B, V]`.
pub fn filter_top_k(logits: Tensor<2>, k: usize) -> Tensor<2> {
    let [_, v] = logits.dims();
    if k == 0 || k >= v {
        return logits;
    }
    let kth = logits.clone().topk(k, 1).narrow(1, k - 1, 1); // [B, 1]: the k-th largest
    let below = logits.clone().lower(kth.expand(logits.dims()));
    logits.mask_fill(below, MASKED)
}

/// Keeps the smallest set of most likely tokens whose total probability reaches `p` (always at least the
/// most likely one), as in Holtzman et al. and HF `TopPLogitsWarper`. `logits`: `[B, V]`.
pub fn filter_top_p(logits: Tensor<2>, p: f64) -> Tensor<2> {
    if p >= 1.0 {
        return logits;
    }
    let (sorted, _) = logits.clone().sort_descending_with_indices(1); // [B, V]
    let probs = softmax(sorted.clone(), 1);
    // Mass strictly before each token; a token is dropped once that mass already reaches p.
    let before = probs.clone().cumsum(1) - probs;
    let dropped = before.greater_equal_elem(p);
    // Smallest logit that survives in each row; everything below it goes.
    let threshold = sorted.mask_fill(dropped, f32::INFINITY).min_dim(1); // [B, 1]
    let below = logits.clone().lower(threshold.expand(logits.dims()));
    logits.mask_fill(below, MASKED)
}

/// One token per row, on the device. `logits`: `[B, V]`. Returns `[B]` Int.
pub fn sample_next(logits: Tensor<2>, cfg: &SamplingConfig) -> Tensor<1, Int> {
    let [b, v] = logits.dims();
    if cfg.greedy {
        return logits.argmax(1).reshape([b]);
    }
    let logits = filter_top_p(filter_top_k(logits.div_scalar(cfg.temperature), cfg.top_k), cfg.top_p);
    let u = Tensor::<2>::random([b, v], Distribution::Uniform(1e-10, 1.0 - 1e-7), &logits.device());
    let gumbel = u.log().neg().log().neg();
    (logits + gumbel).argmax(1).reshape([b])
}

/// A finished rollout, still on the device.
#[derive(Clone, Debug)]
pub struct Rollout {
    /// `[B, N]` sampled tokens; after a row's EOS every token is `pad_id`.
    pub tokens: Tensor<2, Int>,
    /// `[B, N]`: 1.0 for generated tokens up to and including EOS, 0.0 after.
    pub mask: Tensor<2>,
}

/// Samples up to `max_new` tokens for a batch of left-padded prompts with the KV cache.
/// `prompt_ids`, `prompt_mask`: `[B, P]` with padding on the left.
pub fn generate(
    model: &impl CausalLm,
    prompt_ids: Tensor<2, Int>,
    prompt_mask: Tensor<2>,
    max_new: usize,
    cfg: &SamplingConfig,
    eos_id: u32,
    pad_id: u32,
) -> crate::Result<Rollout> {
    cfg.validate()?;
    let [b, p] = prompt_ids.dims();
    model.check_len(p + max_new)?;
    let device = prompt_ids.device();
    let mut cache = KvCache::default();
    let positions = positions_from_mask(prompt_mask.clone());
    let mut next_pos = positions.clone().narrow(1, p - 1, 1); // [B, 1]: position of the last prompt token
    let mut key_mask = prompt_mask.clone();
    // The prefill fills the cache at every prompt position but only the last one's logits are read, so the
    // hidden states are cut before the output projection (no `[B, P, V]` product for P - 1 unread rows).
    let hidden = model.hidden_cached(prompt_ids, positions, prompt_mask, &mut cache); // [B, P, D]
    let logits = model.logits(hidden.narrow(1, p - 1, 1)); // [B, 1, V]
    let v = logits.dims()[2];
    let mut last = logits.reshape([b, v]);
    // An EOS id outside the vocabulary is never sampled (`gapo bench` passes one so that every row runs its
    // full length): no comparison then. The GPU backends' int tensors are 32-bit, and a scalar that does not
    // fit, such as u32::MAX, panics inside burn instead of comparing unequal.
    let eos_in_vocab = (eos_id as usize) < v;
    let mut alive = Tensor::<2>::ones([b, 1], &device); // 1 until a row has emitted EOS
    let mut tokens = Vec::with_capacity(max_new);
    let mut masks = Vec::with_capacity(max_new);
    for step in 0..max_new {
        let sampled = sample_next(last, cfg).reshape([b, 1]); // [B, 1]
        // Rows already finished emit padding.
        let alive_int = alive.clone().int();
        let token = sampled.clone() * alive_int.clone() + (alive_int.neg().add_scalar(1)).mul_scalar(pad_id as i64);
        tokens.push(token.clone());
        masks.push(alive.clone());
        if eos_in_vocab {
            alive = alive * token.clone().not_equal_elem(eos_id as i64).float();
        }
        if step + 1 == max_new {
            break;
        }
        next_pos = next_pos.add_scalar(1);
        key_mask = Tensor::cat(vec![key_mask, Tensor::<2>::ones([b, 1], &device)], 1);
        last = model.forward_cached(token, next_pos.clone(), key_mask.clone(), &mut cache).reshape([b, v]);
    }
    Ok(Rollout { tokens: Tensor::cat(tokens, 1), mask: Tensor::cat(masks, 1) })
}
