//! What PPO, SFT, sampling and the preference methods need from a generator, and the generator a session
//! holds: our tiny GPT-2-shaped [`Generator`] or an imported Hugging Face decoder ([`HfDecoder`]).

use super::attention::KvCache;
use super::generator::Generator;
use crate::hf::HfDecoder;
use burn::module::Module;
use burn::tensor::{Int, Tensor};

/// A causal language model with left-padded batches and a KV cache (see [`Generator`] for the contract).
pub trait CausalLm {
    /// Final hidden states. `ids`: `[B, T]` Int; `mask`: `[B, T]`. Returns `[B, T, D]`.
    fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3>;
    /// `hidden`: `[B, T, D]`. Returns logits `[B, T, V]`.
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3>;
    /// `ids`, `positions`: `[B, T_new]`; `key_mask`: `[B, cache.len + T_new]`. Returns `[B, T_new, V]`.
    fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3>;
    /// Longest sequence (prompt + response) the model is run on.
    fn max_len(&self) -> usize;
    /// Width of the hidden states (what a value head reads).
    fn d_model(&self) -> usize;

    /// Next-token logits. `ids`, `mask`: `[B, T]`. Returns `[B, T, V]`.
    fn forward(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        self.logits(self.hidden(ids, mask))
    }

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

impl CausalLm for Generator {
    fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        Generator::hidden(self, ids, mask)
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        Generator::logits(self, hidden)
    }
    fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        Generator::forward_cached(self, ids, positions, key_mask, cache)
    }
    fn max_len(&self) -> usize {
        self.max_seq_len
    }
    fn d_model(&self) -> usize {
        self.tok_emb.weight.dims()[1]
    }
}

impl CausalLm for HfDecoder {
    fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        HfDecoder::hidden(self, ids, mask)
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        HfDecoder::logits(self, hidden)
    }
    fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        HfDecoder::forward_cached(self, ids, positions, key_mask, cache)
    }
    fn max_len(&self) -> usize {
        self.max_len
    }
    fn d_model(&self) -> usize {
        self.spec.hidden_size
    }
}

/// The generator of a session.
#[derive(Module, Debug)]
pub enum LanguageModel {
    Tiny(Generator),
    Hf(HfDecoder),
}

impl From<Generator> for LanguageModel {
    fn from(g: Generator) -> Self {
        Self::Tiny(g)
    }
}

impl From<HfDecoder> for LanguageModel {
    fn from(g: HfDecoder) -> Self {
        Self::Hf(g)
    }
}

impl CausalLm for LanguageModel {
    fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        match self {
            Self::Tiny(m) => m.hidden(ids, mask),
            Self::Hf(m) => m.hidden(ids, mask),
        }
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        match self {
            Self::Tiny(m) => m.logits(hidden),
            Self::Hf(m) => m.logits(hidden),
        }
    }
    fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        match self {
            Self::Tiny(m) => m.forward_cached(ids, positions, key_mask, cache),
            Self::Hf(m) => CausalLm::forward_cached(m, ids, positions, key_mask, cache),
        }
    }
    fn max_len(&self) -> usize {
        match self {
            Self::Tiny(m) => m.max_seq_len,
            Self::Hf(m) => m.max_len,
        }
    }
    fn d_model(&self) -> usize {
        match self {
            Self::Tiny(m) => CausalLm::d_model(m),
            Self::Hf(m) => CausalLm::d_model(m),
        }
    }
}
