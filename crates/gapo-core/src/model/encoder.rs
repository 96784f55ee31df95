//! The discriminator D(prompt, response) -> logit: an encoder-only transformer (BERT shape) over
//! `[CLS] prompt [SEP] response [SEP]`, with token, position and segment embeddings (segment 0 for
//! `[CLS] prompt [SEP]`, 1 for `response [SEP]`), bidirectional attention over real tokens, and a scalar
//! head read at a pooled position: the first token (`[CLS]`, the encoder-classifier convention), the last
//! real token (what the authors' OpenRLHF code reads), or the mean over real tokens.
//!
//! Padding never changes a score: padded keys are masked out of attention, positions count real tokens
//! only, and every pooling ignores padded positions.

use super::block::{Block, BlockConfig};
use super::generator::{positions_from_mask, validate_dims};
use super::heads::{ScalarHead, ScalarHeadConfig, last_token, mean_pool};
use super::mask::key_padding_bias;

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::tensor::{Device, Int, Tensor};

/// Which position's hidden state the scalar head reads.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The `[CLS]` token (position 0 of a right-padded row).
    First,
    /// The last real token (the final `[SEP]`).
    Last,
    /// The mean over real tokens.
    Mean,
}

#[derive(Config, Debug)]
pub struct DiscriminatorConfig {
    pub vocab_size: usize,
    #[config(default = 128)]
    pub d_model: usize,
    #[config(default = 4)]
    pub n_layers: usize,
    #[config(default = 4)]
    pub n_heads: usize,
    #[config(default = 128)]
    pub max_seq_len: usize,
    #[config(default = "Pooling::First")]
    pub pooling: Pooling,
    /// Pre-LN blocks (true) train more stably from scratch; post-LN (false) is BERT's layout.
    #[config(default = true)]
    pub norm_first: bool,
    #[config(default = 1e-5)]
    pub layer_norm_eps: f64,
}

impl DiscriminatorConfig {
    pub fn validate(&self) -> crate::Result<()> {
        validate_dims("discriminator", self.vocab_size, self.d_model, self.n_layers, self.n_heads, self.max_seq_len)
    }

    pub fn init(&self, device: &Device) -> Discriminator {
        let ln = || LayerNormConfig::new(self.d_model).with_epsilon(self.layer_norm_eps).init(device);
        let block = BlockConfig::new(self.d_model, self.n_heads)
            .with_norm_first(self.norm_first)
            .with_layer_norm_eps(self.layer_norm_eps);
        Discriminator {
            tok_emb: EmbeddingConfig::new(self.vocab_size, self.d_model)
                .with_initializer(super::init_weights())
                .init(device),
            pos_emb: EmbeddingConfig::new(self.max_seq_len, self.d_model)
                .with_initializer(super::init_weights())
                .init(device),
            seg_emb: EmbeddingConfig::new(2, self.d_model).with_initializer(super::init_weights()).init(device),
            emb_ln: ln(),
            blocks: (0..self.n_layers).map(|_| block.init(device)).collect(),
            ln_f: ln(),
            head: ScalarHeadConfig::new(self.d_model).init(device),
            pooling: self.pooling,
            max_seq_len: self.max_seq_len,
        }
    }
}

#[derive(Module, Debug)]
pub struct Discriminator {
    pub tok_emb: Embedding,
    pub pos_emb: Embedding,
    /// `[2, D]`: segment 0 = `[CLS] prompt [SEP]`, 1 = `response [SEP]`.
    pub seg_emb: Embedding,
    pub emb_ln: LayerNorm,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
    pub head: ScalarHead,
    #[module(skip)]
    pub pooling: Pooling,
    pub max_seq_len: usize,
}

impl Discriminator {
    /// `ids`, `segments`: `[B, T]` Int; `mask`: `[B, T]` (1 real, 0 padding). Returns `[B, T, D]`.
    pub fn hidden(&self, ids: Tensor<2, Int>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let positions = positions_from_mask(mask.clone());
        let x = self.tok_emb.forward(ids) + self.pos_emb.forward(positions) + self.seg_emb.forward(segments);
        let mut x = self.emb_ln.forward(x); // [B, T, D]
        let bias = key_padding_bias(mask); // [B, 1, 1, T]
        for block in &self.blocks {
            x = block.forward(x, bias.clone(), None);
        }
        self.ln_f.forward(x)
    }

    /// The pooled features the head reads. `hidden`: `[B, T, D]`. Returns `[B, D]`.
    pub fn pool(&self, hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
        match self.pooling {
            Pooling::First => {
                // First real token: with left padding it is not at 0, so reuse last_token on a mask that
                // marks only the first real token.
                let first_only = (mask.clone() - shift_right(mask)).clamp_min(0.0);
                last_token(hidden, first_only)
            }
            Pooling::Last => last_token(hidden, mask),
            Pooling::Mean => mean_pool(hidden, mask),
        }
    }

    /// The discriminator's logit for each (prompt, response) row. Returns `[B]`; `sigmoid` of it is
    /// D's probability that the response is a real answer to that prompt.
    pub fn forward(&self, ids: Tensor<2, Int>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<1> {
        let hidden = self.hidden(ids, segments, mask.clone());
        self.head.pooled(self.pool(hidden, mask))
    }
}

/// `mask` shifted one step to the right with a 0 entering on the left: `[B, T] -> [B, T]`.
fn shift_right(mask: Tensor<2>) -> Tensor<2> {
    let [b, t] = mask.dims();
    let zeros = Tensor::<2>::zeros([b, 1], &mask.device());
    Tensor::cat(vec![zeros, mask.narrow(1, 0, t - 1)], 1)
}
