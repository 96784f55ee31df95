//! A BERT/RoBERTa-family encoder: word + position + token-type embeddings → LayerNorm, then N post-LN
//! layers {self-attention → dense → LayerNorm(x + ·); GELU MLP → LayerNorm(x + ·)}. Returns the last hidden
//! states; [`mean_embedding`] gives sentence-transformers' mean-pooled, normalised sentence vector, and the
//! discriminator puts its scalar head on a pooled state.
//!
//! Positions count real tokens (right padding, as BERT tokenizers pad): BERT from 0, RoBERTa from
//! `pad_token_id + 1`, which is what transformers computes for right-padded rows.

use super::config::{EncoderFamily, EncoderSpec};
use super::decoder::load_linear;
use super::weights::Weights;
use crate::model::mask::key_padding_bias;
use burn::module::{Module, Param};
use burn::nn::{Embedding, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::activation::{gelu, softmax};
use burn::tensor::{Device, Int, Tensor};

#[derive(Module, Debug)]
pub struct HfEncoder {
    pub word: Embedding,
    pub position: Embedding,
    pub token_type: Embedding,
    pub emb_norm: LayerNorm,
    pub layers: Vec<EncoderLayer>,
    #[module(skip)]
    pub spec: EncoderSpec,
}

#[derive(Module, Debug)]
pub struct EncoderLayer {
    /// `[D, D]` each.
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    pub attn_out: Linear,
    pub attn_norm: LayerNorm,
    /// `[D, F]`, `[F, D]`.
    pub intermediate: Linear,
    pub output: Linear,
    pub out_norm: LayerNorm,
}

fn load_layer_norm(w: &Weights, name: &str, d: usize, eps: f64, device: &Device) -> crate::Result<LayerNorm> {
    let mut norm = LayerNormConfig::new(d).with_epsilon(eps).init(device);
    norm.gamma = Param::from_tensor(w.tensor::<1>(&format!("{name}.weight"), [d], device)?);
    norm.beta = Some(Param::from_tensor(w.tensor::<1>(&format!("{name}.bias"), [d], device)?));
    Ok(norm)
}

fn load_embedding(w: &Weights, name: &str, n: usize, d: usize, device: &Device) -> crate::Result<Embedding> {
    Ok(Embedding { weight: Param::from_tensor(w.tensor::<2>(name, [n, d], device)?) })
}

impl HfEncoder {
    /// Reads a BERT/RoBERTa checkpoint. Names may carry a model prefix (`bert.`, `roberta.`, as task heads
    /// save them); it is found from the word-embedding tensor.
    pub fn load(spec: &EncoderSpec, w: &Weights, device: &Device) -> crate::Result<Self> {
        let suffix = "embeddings.word_embeddings.weight";
        let prefix = w
            .names()
            .find(|n| n.ends_with(suffix))
            .map(|n| n[..n.len() - suffix.len()].to_string())
            .unwrap_or_default();
        let (d, f, eps) = (spec.hidden_size, spec.intermediate_size, spec.layer_norm_eps);
        let e = |s: &str| format!("{prefix}embeddings.{s}");
        let mut layers = Vec::with_capacity(spec.n_layers);
        for i in 0..spec.n_layers {
            let l = |s: &str| format!("{prefix}encoder.layer.{i}.{s}");
            layers.push(EncoderLayer {
                query: load_linear(w, &l("attention.self.query"), d, d, true, device)?,
                key: load_linear(w, &l("attention.self.key"), d, d, true, device)?,
                value: load_linear(w, &l("attention.self.value"), d, d, true, device)?,
                attn_out: load_linear(w, &l("attention.output.dense"), d, d, true, device)?,
                attn_norm: load_layer_norm(w, &l("attention.output.LayerNorm"), d, eps, device)?,
                intermediate: load_linear(w, &l("intermediate.dense"), d, f, true, device)?,
                output: load_linear(w, &l("output.dense"), f, d, true, device)?,
                out_norm: load_layer_norm(w, &l("output.LayerNorm"), d, eps, device)?,
            });
        }
        Ok(Self {
            word: load_embedding(w, &e("word_embeddings.weight"), spec.vocab_size, d, device)?,
            position: load_embedding(w, &e("position_embeddings.weight"), spec.max_positions, d, device)?,
            token_type: load_embedding(w, &e("token_type_embeddings.weight"), spec.type_vocab_size, d, device)?,
            emb_norm: load_layer_norm(w, &e("LayerNorm"), d, eps, device)?,
            layers,
            spec: spec.clone(),
        })
    }

    /// Longest row the position table covers.
    pub fn max_len(&self) -> usize {
        match self.spec.family {
            EncoderFamily::Bert => self.spec.max_positions,
            EncoderFamily::Roberta => self.spec.max_positions.saturating_sub(self.spec.pad_token_id + 1),
        }
    }

    /// `ids`, `token_types`: `[B, T]` Int; `mask`: `[B, T]` (1 real, 0 padding). Returns `[B, T, D]`.
    pub fn forward(&self, ids: Tensor<2, Int>, token_types: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let [b, t] = ids.dims();
        let (d, h) = (self.spec.hidden_size, self.spec.n_heads);
        let dh = d / h;
        let counted = mask.clone().cumsum(1) * mask.clone(); // [B, T]: 1, 2, … at real tokens, 0 at padding
        let positions = match self.spec.family {
            EncoderFamily::Bert => counted.sub_scalar(1.0).clamp_min(0.0),
            EncoderFamily::Roberta => counted.add_scalar(self.spec.pad_token_id as f64),
        }
        .int();
        let x = self.word.forward(ids) + self.position.forward(positions) + self.token_type.forward(token_types);
        let mut x = self.emb_norm.forward(x); // [B, T, D]
        let bias = key_padding_bias(mask); // [B, 1, 1, T]
        for layer in &self.layers {
            let heads = |y: Tensor<3>| y.reshape([b, t, h, dh]).swap_dims(1, 2); // [B, H, T, Dh]
            let q = heads(layer.query.forward(x.clone()));
            let k = heads(layer.key.forward(x.clone()));
            let v = heads(layer.value.forward(x.clone()));
            let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt()) + bias.clone(); // [B, H, T, T]
            let context = softmax(scores, 3).matmul(v).swap_dims(1, 2).reshape([b, t, d]); // [B, T, D]
            x = layer.attn_norm.forward(x + layer.attn_out.forward(context));
            let ff = layer.output.forward(gelu(layer.intermediate.forward(x.clone())));
            x = layer.out_norm.forward(x + ff);
        }
        x
    }
}

/// Mean over real tokens, then L2-normalised (sentence-transformers' Pooling(mean) + Normalize).
/// `hidden`: `[B, T, D]`; `mask`: `[B, T]`. Returns `[B, D]`.
pub fn mean_embedding(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let pooled = crate::model::heads::mean_pool(hidden, mask); // [B, D]
    let norm = pooled.clone().square().sum_dim(1).sqrt().clamp_min(1e-12); // [B, 1]
    pooled / norm
}
