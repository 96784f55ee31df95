//! What PPO, SFT, sampling and the preference methods need from a generator: the tiny GPT-2-shaped
//! [`super::Generator`] and an imported Hugging Face decoder (`crate::hf::HfDecoder`) both implement it.
//!
//! The batching contract lives here once: prompts are left-padded, positions count real tokens only
//! (`cumsum(mask) - 1`), padded keys and future keys are hidden by additive biases, and decoding extends a
//! [`KvCache`]. A model supplies only its layer stack ([`CausalLm::run_layers`]) and its output projection.

use super::attention::KvCache;
use super::mask::{causal_bias, key_padding_bias, positions_from_mask};
use burn::tensor::{Int, Tensor};

/// A causal language model with left-padded batches and a KV cache.
pub trait CausalLm {
    /// The layer stack and final norm. `ids`, `positions`: `[B, T]`; `bias`: `[B, 1, T, S]` over every key
    /// so far; `cache`: extended in place with this pass's keys and values. Returns hidden states `[B, T, D]`.
    fn run_layers(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        bias: Tensor<4>,
        cache: Option<&mut KvCache>,
    ) -> Tensor<3>;
    /// `hidden`: `[B, T, D]`. Returns logits `[B, T, V]`.
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3>;
    fn n_layers(&self) -> usize;
    /// Longest sequence (prompt + response) the model is run on.
    fn max_len(&self) -> usize;
    /// Width of the hidden states (what a value head reads).
    fn d_model(&self) -> usize;

    /// Final hidden states. `ids`: `[B, T]` Int; `mask`: `[B, T]` (1 real, 0 padding). Returns `[B, T, D]`.
    fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let [_, t] = ids.dims();
        let positions = positions_from_mask(mask.clone());
        let bias = key_padding_bias(mask) + causal_bias(t, 0, &ids.device()); // [B, 1, T, T]
        self.run_layers(ids, positions, bias, None)
    }

    /// Next-token logits. `ids`, `mask`: `[B, T]`. Returns `[B, T, V]`.
    fn forward(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        self.logits(self.hidden(ids, mask))
    }

    /// Next-token logits at positions `start..start + len` only: `[B, len, V]`. The hidden states are cut
    /// before the output projection, so positions nobody reads cost no projection, no `[B, T, V]` copy and
    /// no `[B, T, V]` gradient (PPO reads 32 of 128 positions).
    fn forward_positions(&self, ids: Tensor<2, Int>, mask: Tensor<2>, start: usize, len: usize) -> Tensor<3> {
        self.logits(self.hidden(ids, mask).narrow(1, start, len))
    }

    /// One decoding step over `T_new` new tokens, reading and extending `cache`.
    /// `ids`, `positions`: `[B, T_new]`; `key_mask`: `[B, cache.len + T_new]` over every key so far.
    /// Returns the final hidden states `[B, T_new, D]` (project the ones you read with [`CausalLm::logits`]).
    fn hidden_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        let [_, t] = ids.dims();
        if cache.layers.len() != self.n_layers() {
            *cache = KvCache::new(self.n_layers());
        }
        let bias = key_padding_bias(key_mask) + causal_bias(t, cache.len, &ids.device()); // [B, 1, T, S]
        let h = self.run_layers(ids, positions, bias, Some(cache));
        cache.len += t;
        h
    }

    /// [`CausalLm::hidden_cached`] followed by the output projection. Returns logits `[B, T_new, V]`.
    fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        self.logits(self.hidden_cached(ids, positions, key_mask, cache))
    }

    /// Checks a batch against the model's limits before a forward pass.
    fn check_len(&self, total_len: usize) -> crate::Result<()> {
        if total_len > self.max_len() {
            return Err(crate::GapoError::Input(format!(
                "sequence of {total_len} tokens is longer than the generator's limit of {}",
                self.max_len()
            )));
        }
        Ok(())
    }
}
