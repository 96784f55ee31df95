//! A Qwen2/Llama-family decoder: token embedding, N × {RMSNorm → grouped-query attention with RoPE →
//! residual; RMSNorm → SwiGLU MLP → residual}, a final RMSNorm and the output projection (tied to the
//! embedding or not, as config.json says). The same forward interface as our tiny generator
//! (`hidden`, `forward`, `forward_cached` with a [`KvCache`]), so sampling and PPO read it the same way.
//!
//! Padding follows the tiny generator: prompts are left-padded and positions count real tokens only.

use super::config::{DecoderFamily, DecoderSpec};
use super::rope;
use super::weights::Weights;
use crate::model::attention::{KvCache, LayerKv};
use crate::model::lm::CausalLm;
use burn::module::{Module, Param};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig, RmsNorm, RmsNormConfig};
use burn::tensor::activation::{silu, softmax};
use burn::tensor::{Device, Int, Tensor};

#[derive(Module, Debug)]
pub struct HfDecoder {
    /// `[V, D]`.
    pub embed: Embedding,
    pub layers: Vec<DecoderLayer>,
    pub norm: RmsNorm,
    /// `[D, V]`; `None` when the output projection is the embedding (tie_word_embeddings).
    pub lm_head: Option<Linear>,
    #[module(skip)]
    pub spec: DecoderSpec,
    /// Longest prompt + response we run (≤ the config's max_position_embeddings; memory sets it lower).
    pub max_len: usize,
}

#[derive(Module, Debug)]
pub struct DecoderLayer {
    pub input_norm: RmsNorm,
    /// `[D, H·Dh]`, `[D, Hkv·Dh]`, `[D, Hkv·Dh]`, `[H·Dh, D]`.
    pub q: Linear,
    pub k: Linear,
    pub v: Linear,
    pub o: Linear,
    pub post_norm: RmsNorm,
    /// SwiGLU: `down(silu(gate(x)) * up(x))`; `[D, F]`, `[D, F]`, `[F, D]`.
    pub gate: Linear,
    pub up: Linear,
    pub down: Linear,
}

/// Hugging Face's name of each tensor of layer `i` (also what [`super::export`] writes).
pub fn layer_names(i: usize) -> [(&'static str, String); 9] {
    let p = format!("model.layers.{i}");
    [
        ("input_norm", format!("{p}.input_layernorm.weight")),
        ("q", format!("{p}.self_attn.q_proj")),
        ("k", format!("{p}.self_attn.k_proj")),
        ("v", format!("{p}.self_attn.v_proj")),
        ("o", format!("{p}.self_attn.o_proj")),
        ("post_norm", format!("{p}.post_attention_layernorm.weight")),
        ("gate", format!("{p}.mlp.gate_proj")),
        ("up", format!("{p}.mlp.up_proj")),
        ("down", format!("{p}.mlp.down_proj")),
    ]
}

/// A Linear from Hugging Face's `{name}.weight` (`[out, in]`, transposed to burn's `[in, out]`) and
/// `{name}.bias`.
pub(crate) fn load_linear(
    w: &Weights,
    name: &str,
    d_in: usize,
    d_out: usize,
    bias: bool,
    device: &Device,
) -> crate::Result<Linear> {
    let weight = w.tensor::<2>(&format!("{name}.weight"), [d_out, d_in], device)?.transpose();
    let bias =
        if bias { Some(Param::from_tensor(w.tensor::<1>(&format!("{name}.bias"), [d_out], device)?)) } else { None };
    Ok(Linear { weight: Param::from_tensor(weight), bias })
}

fn load_rms(w: &Weights, name: &str, d: usize, eps: f64, device: &Device) -> crate::Result<RmsNorm> {
    let mut norm = RmsNormConfig::new(d).with_epsilon(eps).init(device);
    norm.gamma = Param::from_tensor(w.tensor::<1>(name, [d], device)?);
    Ok(norm)
}

impl HfDecoder {
    /// A randomly initialised decoder of this shape (benchmarks; N(0, 0.02) weights, unit norms).
    pub fn init(spec: &DecoderSpec, device: &Device) -> Self {
        let (d, f, dh) = (spec.hidden_size, spec.intermediate_size, spec.head_dim);
        let lin = |i, o, bias| {
            LinearConfig::new(i, o).with_bias(bias).with_initializer(crate::model::init_weights()).init(device)
        };
        let rms = || RmsNormConfig::new(d).with_epsilon(spec.rms_norm_eps).init(device);
        let b = spec.attention_bias;
        Self {
            embed: EmbeddingConfig::new(spec.vocab_size, d).with_initializer(crate::model::init_weights()).init(device),
            layers: (0..spec.n_layers)
                .map(|_| DecoderLayer {
                    input_norm: rms(),
                    q: lin(d, spec.n_heads * dh, b),
                    k: lin(d, spec.n_kv_heads * dh, b),
                    v: lin(d, spec.n_kv_heads * dh, b),
                    o: lin(spec.n_heads * dh, d, false),
                    post_norm: rms(),
                    gate: lin(d, f, false),
                    up: lin(d, f, false),
                    down: lin(f, d, false),
                })
                .collect(),
            norm: rms(),
            lm_head: (!spec.tie_word_embeddings).then(|| lin(d, spec.vocab_size, false)),
            spec: spec.clone(),
            max_len: spec.max_positions,
        }
    }

    /// Reads the weights of a Hugging Face checkpoint into this shape; a missing or misshapen tensor is an
    /// error naming it.
    pub fn load(spec: &DecoderSpec, w: &Weights, device: &Device) -> crate::Result<Self> {
        let (d, f, dh) = (spec.hidden_size, spec.intermediate_size, spec.head_dim);
        let (q_out, kv_out) = (spec.n_heads * dh, spec.n_kv_heads * dh);
        let b = spec.attention_bias;
        let mut layers = Vec::with_capacity(spec.n_layers);
        for i in 0..spec.n_layers {
            let [(_, input_norm), (_, q), (_, k), (_, v), (_, o), (_, post_norm), (_, gate), (_, up), (_, down)] =
                layer_names(i);
            layers.push(DecoderLayer {
                input_norm: load_rms(w, &input_norm, d, spec.rms_norm_eps, device)?,
                q: load_linear(w, &q, d, q_out, b, device)?,
                k: load_linear(w, &k, d, kv_out, b, device)?,
                v: load_linear(w, &v, d, kv_out, b, device)?,
                o: load_linear(w, &o, q_out, d, false, device)?,
                post_norm: load_rms(w, &post_norm, d, spec.rms_norm_eps, device)?,
                gate: load_linear(w, &gate, d, f, false, device)?,
                up: load_linear(w, &up, d, f, false, device)?,
                down: load_linear(w, &down, f, d, false, device)?,
            });
        }
        let embed = Embedding {
            weight: Param::from_tensor(w.tensor::<2>("model.embed_tokens.weight", [spec.vocab_size, d], device)?),
        };
        // Some tied checkpoints still carry lm_head.weight (a copy); reading the embedding is the same.
        let lm_head = if spec.tie_word_embeddings {
            None
        } else {
            Some(load_linear(w, "lm_head", d, spec.vocab_size, false, device)?)
        };
        Ok(Self {
            embed,
            layers,
            norm: load_rms(w, "model.norm.weight", d, spec.rms_norm_eps, device)?,
            lm_head,
            spec: spec.clone(),
            max_len: spec.max_positions,
        })
    }

    pub fn family(&self) -> DecoderFamily {
        self.spec.family
    }

    /// The output projection. `hidden`: `[B, T, D]`. Returns `[B, T, V]`.
    pub fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        match &self.lm_head {
            Some(head) => head.forward(hidden),
            None => {
                let [b, t, d] = hidden.dims();
                let w = self.embed.weight.val(); // [V, D]
                let v = w.dims()[0];
                hidden.reshape([b * t, d]).matmul(w.transpose()).reshape([b, t, v])
            }
        }
    }
}

/// The padding, positions and cache handling are `CausalLm`'s, shared with the tiny generator; this is the
/// layer stack. The cache keeps keys and values with `Hkv` heads, before the grouped repeat.
impl CausalLm for HfDecoder {
    fn run_layers(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        bias: Tensor<4>,
        mut cache: Option<&mut KvCache>,
    ) -> Tensor<3> {
        let (cos, sin) = rope::cos_sin(positions, self.spec.head_dim, self.spec.rope_theta); // [B, 1, T, Dh]
        let mut x = self.embed.forward(ids); // [B, T, D]
        for (i, layer) in self.layers.iter().enumerate() {
            let slot = cache.as_deref_mut().map(|c| &mut c.layers[i]);
            let attn = layer.attention(layer.input_norm.forward(x.clone()), &cos, &sin, bias.clone(), slot, &self.spec);
            x = x + attn;
            let h = layer.post_norm.forward(x.clone());
            x = x + layer.down.forward(silu(layer.gate.forward(h.clone())) * layer.up.forward(h));
        }
        self.norm.forward(x)
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        HfDecoder::logits(self, hidden)
    }
    fn n_layers(&self) -> usize {
        self.layers.len()
    }
    fn max_len(&self) -> usize {
        self.max_len
    }
    fn d_model(&self) -> usize {
        self.spec.hidden_size
    }
}

impl DecoderLayer {
    /// Grouped-query attention. `x`: `[B, T, D]`; `cos`, `sin`: `[B, 1, T, Dh]`; `bias`: `[B, 1, T, S]`.
    /// Returns `[B, T, D]`.
    fn attention(
        &self,
        x: Tensor<3>,
        cos: &Tensor<4>,
        sin: &Tensor<4>,
        bias: Tensor<4>,
        cache: Option<&mut Option<LayerKv>>,
        spec: &DecoderSpec,
    ) -> Tensor<3> {
        let [b, t, _] = x.dims();
        let (h, hkv, dh) = (spec.n_heads, spec.n_kv_heads, spec.head_dim);
        let heads = |y: Tensor<3>, n: usize| y.reshape([b, t, n, dh]).swap_dims(1, 2); // [B, n, T, Dh]
        let q = rope::apply(heads(self.q.forward(x.clone()), h), cos.clone(), sin.clone());
        let mut k = rope::apply(heads(self.k.forward(x.clone()), hkv), cos.clone(), sin.clone());
        let mut v = heads(self.v.forward(x), hkv);
        if let Some(slot) = cache {
            if let Some(past) = slot.take() {
                k = Tensor::cat(vec![past.k, k], 2); // [B, Hkv, S, Dh]
                v = Tensor::cat(vec![past.v, v], 2);
            }
            *slot = Some(LayerKv { k: k.clone(), v: v.clone() });
        }
        let (k, v) = (repeat_kv(k, h / hkv), repeat_kv(v, h / hkv)); // [B, H, S, Dh]
        let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt()) + bias; // [B, H, T, S]
        let context = softmax(scores, 3).matmul(v); // [B, H, T, Dh]
        self.o.forward(context.swap_dims(1, 2).reshape([b, t, h * dh]))
    }
}

/// Attaches LoRA adapters (burn's `Module::apply_lora`: `W + (α/r)·A·B`, B = 0 at first, so the model is
/// unchanged) to every attention and MLP projection, and freezes everything else: embedding, norms,
/// output head. The critic, a copy of the policy, gets its own adapters' copy. `Param::val` is the merged
/// weight, so the exporter writes dense weights that transformers reads without PEFT.
pub fn with_lora(model: HfDecoder, rank: usize, alpha: f64) -> crate::Result<HfDecoder> {
    if rank == 0 {
        return Err(crate::GapoError::Config { field: "lora.rank".into(), message: "must be at least 1".into() });
    }
    let projections = burn::module::ParamGroup::from_regex(r"^layers\.\d+\.(q|k|v|o|gate|up|down)\.weight$")
        .map_err(|e| crate::GapoError::Config { field: "lora".into(), message: format!("{e:?}") })?;
    Ok(model.apply_lora(burn::module::Lora::new(rank, alpha).set_param_group(projections)))
}

/// Each key/value head serves `n_rep` query heads in a row (head `i` of q reads kv head `i / n_rep`).
/// `x`: `[B, Hkv, S, Dh]`. Returns `[B, Hkv·n_rep, S, Dh]`.
fn repeat_kv(x: Tensor<4>, n_rep: usize) -> Tensor<4> {
    if n_rep == 1 {
        return x;
    }
    let [b, hkv, s, dh] = x.dims();
    x.reshape([b, hkv, 1, s, dh]).expand([b, hkv, n_rep, s, dh]).reshape([b, hkv * n_rep, s, dh])
}
