//! Multi-head self-attention with an optional key/value cache for decoding.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Tensor;
use burn::tensor::activation::softmax;
use burn::tensor::module::linear;

#[derive(Config, Debug)]
pub struct SelfAttentionConfig {
    pub d_model: usize,
    pub n_heads: usize,
}

/// Fused q/k/v projection, scaled dot-product attention, output projection.
#[derive(Module, Debug)]
pub struct SelfAttention {
    /// `[d, 3d]`: columns `0..d` are q, `d..2d` k, `2d..3d` v.
    pub qkv: Linear,
    /// `[d, d]`.
    pub out: Linear,
    pub n_heads: usize,
}

/// Cached keys and values of one layer: each `[B, H, S_past, Dh]`.
#[derive(Clone, Debug)]
pub struct LayerKv {
    pub k: Tensor<4>,
    pub v: Tensor<4>,
}

/// The cache of every layer, plus how many positions it holds.
#[derive(Clone, Debug, Default)]
pub struct KvCache {
    pub layers: Vec<Option<LayerKv>>,
    pub len: usize,
}

impl KvCache {
    pub fn new(n_layers: usize) -> Self {
        Self { layers: vec![None; n_layers], len: 0 }
    }
}

impl SelfAttentionConfig {
    pub fn init(&self, device: &burn::tensor::Device) -> SelfAttention {
        assert!(
            self.d_model % self.n_heads == 0,
            "d_model {} is not a multiple of n_heads {} (validated by the model configs)",
            self.d_model,
            self.n_heads
        );
        SelfAttention {
            qkv: LinearConfig::new(self.d_model, 3 * self.d_model).with_initializer(super::init_weights()).init(device),
            out: LinearConfig::new(self.d_model, self.d_model).with_initializer(super::init_weights()).init(device),
            n_heads: self.n_heads,
        }
    }
}

impl SelfAttention {
    /// `x`: `[B, T, D]`; `bias`: additive, broadcastable to `[B, H, T, S]` where `S = past + T`;
    /// `cache`: this layer's past keys/values, extended in place with the new ones.
    /// Returns `[B, T, D]`.
    pub fn forward(&self, x: Tensor<3>, bias: Tensor<4>, cache: Option<&mut Option<LayerKv>>) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let h = self.n_heads;
        let dh = d / h;
        // q, k and v each from their columns of the fused weight. Cutting the product `[B, T, 3D]` instead
        // would cost its backward, for each of the three cuts, a zero-filled `[B, T, 3D]` gradient and a sum
        // of the three; cutting the weight costs that on `[D, 3D]` only.
        let weight = self.qkv.weight.val(); // [D, 3D]
        let qkv_bias = self.qkv.bias.as_ref().map(|b| b.val()); // [3D]
        let project = |i: usize| {
            let w = weight.clone().narrow(1, i * d, d); // [D, D]
            let b_i = qkv_bias.clone().map(|b_all| b_all.narrow(0, i * d, d)); // [D]
            linear(x.clone(), w, b_i) // [B, T, D]
        };
        let heads = |y: Tensor<3>| y.reshape([b, t, h, dh]).swap_dims(1, 2); // [B, H, T, Dh]
        // q scaled by 1/√Dh before the product rather than the [B, H, T, S] scores after it: S/Dh times
        // fewer elements to scale, forward and backward. Scaled while still [B, T, D] and contiguous, where
        // the scaling is one pass in place; after the head split it would be a strided copy.
        let q = heads(project(0).div_scalar((dh as f64).sqrt())); // [B, H, T, Dh]
        let (mut k, mut v) = (heads(project(1)), heads(project(2)));
        if let Some(slot) = cache {
            if let Some(past) = slot.take() {
                k = Tensor::cat(vec![past.k, k], 2); // [B, H, S, Dh]
                v = Tensor::cat(vec![past.v, v], 2);
            }
            *slot = Some(LayerKv { k: k.clone(), v: v.clone() });
        }
        let scores = q.matmul(k.swap_dims(2, 3)) + bias; // [B, H, T, S]
        let weights = softmax(scores, 3);
        let context = weights.matmul(v); // [B, H, T, Dh]
        let context = context.swap_dims(1, 2).reshape([b, t, d]); // [B, T, D]
        self.out.forward(context)
    }
}
