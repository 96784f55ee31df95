//! The generator: a decoder-only transformer (GPT-2 shape) with learned positions, pre-LN causal blocks,
//! a final LayerNorm and an output projection tied to the token embedding. Decoding reuses past keys and
//! values through a [`KvCache`].
//!
//! Padding: prompts in a batch may be left-padded. Position ids count real tokens only
//! (`cumsum(mask) - 1`), so a padded row gets the same positions, and hence the same logits, as the row alone.

use super::attention::KvCache;
use super::block::{Block, BlockConfig};
use super::lm::CausalLm;
use crate::error::GapoError;
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::tensor::{Device, Int, Tensor};

#[derive(Config, Debug)]
pub struct GeneratorConfig {
    pub vocab_size: usize,
    #[config(default = 128)]
    pub d_model: usize,
    #[config(default = 4)]
    pub n_layers: usize,
    #[config(default = 4)]
    pub n_heads: usize,
    /// Longest sequence (prompt + response) the learned positions cover.
    #[config(default = 128)]
    pub max_seq_len: usize,
    #[config(default = 1e-5)]
    pub layer_norm_eps: f64,
}

/// Checks shared by both model configs; `prefix` is the config section, for the error's field name.
pub(crate) fn validate_dims(
    prefix: &str,
    vocab_size: usize,
    d_model: usize,
    n_layers: usize,
    n_heads: usize,
    max_seq_len: usize,
) -> crate::Result<()> {
    let bad = |field: &str, message: String| GapoError::Config { field: format!("{prefix}.{field}"), message };
    if vocab_size == 0 {
        return Err(bad("vocab_size", "must be at least 1".into()));
    }
    if d_model == 0 {
        return Err(bad("d_model", "must be at least 1".into()));
    }
    if n_layers == 0 {
        return Err(bad("n_layers", "must be at least 1".into()));
    }
    if n_heads == 0 || d_model % n_heads != 0 {
        return Err(bad("n_heads", format!("{n_heads} must be at least 1 and divide d_model = {d_model}")));
    }
    if max_seq_len == 0 {
        return Err(bad("max_seq_len", "must be at least 1".into()));
    }
    Ok(())
}

impl GeneratorConfig {
    pub fn validate(&self) -> crate::Result<()> {
        validate_dims("generator", self.vocab_size, self.d_model, self.n_layers, self.n_heads, self.max_seq_len)
    }

    /// Builds the model with burn's default initialisation; call [`GeneratorConfig::validate`] first.
    pub fn init(&self, device: &Device) -> Generator {
        let block = BlockConfig::new(self.d_model, self.n_heads).with_layer_norm_eps(self.layer_norm_eps);
        Generator {
            tok_emb: EmbeddingConfig::new(self.vocab_size, self.d_model)
                .with_initializer(super::init_weights())
                .init(device),
            pos_emb: EmbeddingConfig::new(self.max_seq_len, self.d_model)
                .with_initializer(super::init_weights())
                .init(device),
            blocks: (0..self.n_layers).map(|_| block.init(device)).collect(),
            ln_f: LayerNormConfig::new(self.d_model).with_epsilon(self.layer_norm_eps).init(device),
            max_seq_len: self.max_seq_len,
        }
    }

    /// Number of trainable parameters (tied embedding counted once).
    pub fn num_params(&self) -> usize {
        let d = self.d_model;
        let block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
        self.vocab_size * d + self.max_seq_len * d + self.n_layers * block + 2 * d
    }
}

#[derive(Module, Debug)]
pub struct Generator {
    /// `[V, D]`, also the output projection (tied).
    pub tok_emb: Embedding,
    /// `[max_seq_len, D]`.
    pub pos_emb: Embedding,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
    pub max_seq_len: usize,
}

impl Generator {
    pub fn n_layers(&self) -> usize {
        self.blocks.len()
    }

    /// Final hidden states. `ids`: `[B, T]` Int, `mask`: `[B, T]` (1 real, 0 padding). Returns `[B, T, D]`.
    /// (The padding and causal masks are `CausalLm`'s, shared with the imported decoder.)
    pub fn hidden(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        CausalLm::hidden(self, ids, mask)
    }

    /// Next-token logits. `ids`, `mask`: `[B, T]`. Returns `[B, T, V]`.
    pub fn forward(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        CausalLm::forward(self, ids, mask)
    }

    /// Tied output projection. `hidden`: `[B, T, D]`. Returns `[B, T, V]`.
    pub fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        let [b, t, d] = hidden.dims();
        let w = self.tok_emb.weight.val(); // [V, D]
        let v = w.dims()[0];
        hidden.reshape([b * t, d]).matmul(w.transpose()).reshape([b, t, v])
    }

    /// One decoding step over `T_new` new tokens, reading and extending `cache` (see
    /// [`CausalLm::forward_cached`]). Returns logits `[B, T_new, V]`.
    pub fn forward_cached(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        key_mask: Tensor<2>,
        cache: &mut KvCache,
    ) -> Tensor<3> {
        CausalLm::forward_cached(self, ids, positions, key_mask, cache)
    }
}

impl CausalLm for Generator {
    fn run_layers(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        bias: Tensor<4>,
        mut cache: Option<&mut KvCache>,
    ) -> Tensor<3> {
        let mut x = self.tok_emb.forward(ids) + self.pos_emb.forward(positions); // [B, T, D]
        for (i, block) in self.blocks.iter().enumerate() {
            let slot = cache.as_deref_mut().map(|c| &mut c.layers[i]);
            x = block.forward(x, bias.clone(), slot);
        }
        self.ln_f.forward(x)
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        Generator::logits(self, hidden)
    }
    fn n_layers(&self) -> usize {
        self.blocks.len()
    }
    fn max_len(&self) -> usize {
        self.max_seq_len
    }
    fn d_model(&self) -> usize {
        self.tok_emb.weight.dims()[1]
    }
}
