//! The discriminator D(prompt, response) -> logit: an encoder-only transformer (BERT shape) over
//! `[CLS] prompt [SEP] response [SEP]`, with token, position and segment embeddings (segment 0 for
//! `[CLS] prompt [SEP]`, 1 for `response [SEP]`), bidirectional attention over real tokens, and a scalar
//! head read at a pooled position: the first token (`[CLS]`, the encoder-classifier convention), the last
//! real token (what the authors' OpenRLHF code reads), the mean over real tokens, or the two parts apart
//! (`pair`: the prompt's mean, the response's mean and their product, as sentence-pair classifiers read
//! two sentences).
//!
//! Padding never changes a score: padded keys are masked out of attention, positions count real tokens
//! only, and every pooling ignores padded positions.

use super::block::{Block, BlockConfig};
use super::generator::validate_dims;
use super::heads::{ScalarHead, ScalarHeadConfig, last_token, mean_pool};
use super::mask::key_padding_bias;
use super::mask::positions_from_mask;

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
    /// `[u, v, u ⊙ v]`: u the mean over the prompt's segment (`[CLS] prompt [SEP]`), v over the response's
    /// (`response [SEP]`), so the head reads the two apart and their match (InferSent, Conneau et al. 2017).
    /// A mean over both is about 80% prompt positions, and a linear head on it cannot ask whether the
    /// response has what the prompt asks for; on `u ⊙ v` it can.
    Pair,
}

impl Pooling {
    /// Width of the pooled features for hidden states of width `d`.
    pub fn width(self, d: usize) -> usize {
        if self == Self::Pair { 3 * d } else { d }
    }
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
            head: ScalarHeadConfig::new(self.pooling.width(self.d_model)).init(device),
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

    /// The pooled features the head reads. `hidden`: `[B, T, D]`. Returns `[B, width]` (`Pooling::width`).
    pub fn pool(&self, hidden: Tensor<3>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
        pool(self.pooling, hidden, segments, mask)
    }

    /// The discriminator's logit for each (prompt, response) row. Returns `[B]`; `sigmoid` of it is
    /// D's probability that the response is a real answer to that prompt.
    pub fn forward(&self, ids: Tensor<2, Int>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<1> {
        let hidden = self.hidden(ids, segments.clone(), mask.clone());
        self.head.pooled(self.pool(hidden, segments, mask))
    }
}

/// The features a scalar head reads for each row. `hidden`: `[B, T, D]`; `segments` (0 prompt, 1 response)
/// and `mask`: `[B, T]`. Returns `[B, D]`, or `[B, 3D]` for `Pair`.
pub fn pool(pooling: Pooling, hidden: Tensor<3>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
    {
        match pooling {
            Pooling::First => {
                // First real token: with left padding it is not at 0, so reuse last_token on a mask that
                // marks only the first real token.
                let first_only = (mask.clone() - shift_right(mask)).clamp_min(0.0);
                last_token(hidden, first_only)
            }
            Pooling::Last => last_token(hidden, mask),
            Pooling::Mean => mean_pool(hidden, mask),
            Pooling::Pair => {
                let response = segments.float() * mask.clone();
                let prompt = mask - response.clone();
                let u = mean_pool(hidden.clone(), prompt); // [B, D]
                let v = mean_pool(hidden, response); // [B, D]
                Tensor::cat(vec![u.clone(), v.clone(), u * v], 1) // [B, 3D]
            }
        }
    }
}

/// `mask` shifted one step to the right with a 0 entering on the left: `[B, T] -> [B, T]`.
fn shift_right(mask: Tensor<2>) -> Tensor<2> {
    let [b, t] = mask.dims();
    let zeros = Tensor::<2>::zeros([b, 1], &mask.device());
    Tensor::cat(vec![zeros, mask.narrow(1, 0, t - 1)], 1)
}

/// Starts a discriminator from a trained generator of the same width and depth (the SFT model): its token
/// and position embeddings, blocks and final norm are copied; the segment embeddings, the embedding norm
/// and the head stay fresh. The blocks were trained with causal attention and are used bidirectionally
/// here: a warm start, not an equivalent model. It gives D the generator's knowledge of the task's words,
/// which a 64-wide encoder trained from scratch on a few thousand pairs does not reach (README, "Results").
pub fn discriminator_from_generator(disc: Discriminator, generator: &super::Generator) -> crate::Result<Discriminator> {
    use burn::store::{ModuleSnapshot, PathFilter, SafetensorsStore};
    let err = |message: String| crate::GapoError::Checkpoint { source_name: "<SFT generator>".into(), message };
    let [_, d_disc] = disc.tok_emb.weight.dims();
    let [v_gen, d_gen] = generator.tok_emb.weight.dims();
    let [v_disc, _] = disc.tok_emb.weight.dims();
    if d_disc != d_gen || v_disc != v_gen || disc.blocks.len() != generator.blocks.len() {
        return Err(err(format!(
            "cannot start the discriminator (vocab {v_disc}, width {d_disc}, {} layers) from the generator \
             (vocab {v_gen}, width {d_gen}, {} layers): the shapes differ",
            disc.blocks.len(),
            generator.blocks.len()
        )));
    }
    let filter = PathFilter::new().with_regex(r"^(tok_emb|blocks|ln_f)\.");
    let mut out = SafetensorsStore::from_bytes(None).filter(filter);
    generator.valid().save_into(&mut out).map_err(|e| err(format!("cannot read its weights: {e}")))?;
    let bytes = out.get_bytes().map_err(|e| err(format!("cannot read its weights: {e}")))?;
    let mut store = SafetensorsStore::from_bytes(Some(bytes)).allow_partial(true).validate(true);
    let mut disc = disc;
    let result = disc.load_from(&mut store).map_err(|e| err(format!("does not fit the discriminator: {e}")))?;
    if !result.errors.is_empty() {
        return Err(err(format!("does not fit the discriminator: {:?}", result.errors)));
    }
    // Positions: the generator covers fewer; copy its rows into the first ones.
    let gen_pos = generator.pos_emb.weight.val().to_device(&disc.pos_emb.weight.val().device());
    let [p_gen, _] = gen_pos.dims();
    let [p_disc, _] = disc.pos_emb.weight.dims();
    let rows = p_gen.min(p_disc);
    disc.pos_emb.weight = disc.pos_emb.weight.map(|w| {
        let trainable = w.is_require_grad();
        let w = w.slice_assign([0..rows, 0..d_disc], gen_pos.narrow(0, 0, rows)).detach();
        if trainable { w.require_grad() } else { w }
    });
    Ok(disc)
}
