//! One transformer block: attention and a GELU MLP of width 4·d, each with a residual connection.
//! Pre-LN (`x + f(LN(x))`, GPT-2) by default; post-LN (`LN(x + f(x))`, BERT) when `norm_first` is false.

use super::attention::{LayerKv, SelfAttention, SelfAttentionConfig};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::gelu;
use burn::tensor::{Device, Tensor};

#[derive(Config, Debug)]
pub struct BlockConfig {
    pub d_model: usize,
    pub n_heads: usize,
    #[config(default = true)]
    pub norm_first: bool,
    #[config(default = 1e-5)]
    pub layer_norm_eps: f64,
}

/// GELU MLP: `[.., D] -> [.., 4D] -> [.., D]`.
#[derive(Module, Debug)]
pub struct Mlp {
    pub fc: Linear,
    pub proj: Linear,
}

impl Mlp {
    /// `x`: `[B, T, D]` -> `[B, T, D]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.proj.forward(gelu(self.fc.forward(x)))
    }
}

#[derive(Module, Debug)]
pub struct Block {
    pub ln1: LayerNorm,
    pub attn: SelfAttention,
    pub ln2: LayerNorm,
    pub mlp: Mlp,
    pub norm_first: bool,
}

impl BlockConfig {
    pub fn init(&self, device: &Device) -> Block {
        let ln = || LayerNormConfig::new(self.d_model).with_epsilon(self.layer_norm_eps).init(device);
        Block {
            ln1: ln(),
            attn: SelfAttentionConfig::new(self.d_model, self.n_heads).init(device),
            ln2: ln(),
            mlp: Mlp {
                fc: LinearConfig::new(self.d_model, 4 * self.d_model)
                    .with_initializer(super::init_weights())
                    .init(device),
                proj: LinearConfig::new(4 * self.d_model, self.d_model)
                    .with_initializer(super::init_weights())
                    .init(device),
            },
            norm_first: self.norm_first,
        }
    }
}

impl Block {
    /// `x`: `[B, T, D]`; `bias`: broadcastable to `[B, H, T, S]`. Returns `[B, T, D]`.
    pub fn forward(&self, x: Tensor<3>, bias: Tensor<4>, cache: Option<&mut Option<LayerKv>>) -> Tensor<3> {
        if self.norm_first {
            let x = x.clone() + self.attn.forward(self.ln1.forward(x), bias, cache);
            x.clone() + self.mlp.forward(self.ln2.forward(x))
        } else {
            let x = self.ln1.forward(x.clone() + self.attn.forward(x, bias, cache));
            self.ln2.forward(x.clone() + self.mlp.forward(x))
        }
    }
}
