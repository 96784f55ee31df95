//! A scalar head on top of any backbone's hidden states: the critic's value head (one value per token) and
//! the reward head (one score per sequence, read at a pooled position).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

#[derive(Config, Debug)]
pub struct ScalarHeadConfig {
    pub d_model: usize,
}

#[derive(Module, Debug)]
pub struct ScalarHead {
    /// `[D, 1]` with bias.
    pub linear: Linear,
}

impl ScalarHeadConfig {
    pub fn init(&self, device: &Device) -> ScalarHead {
        ScalarHead { linear: LinearConfig::new(self.d_model, 1).with_initializer(super::init_weights()).init(device) }
    }
}

impl ScalarHead {
    /// One scalar per position. `hidden`: `[B, T, D]`. Returns `[B, T]`.
    pub fn per_token(&self, hidden: Tensor<3>) -> Tensor<2> {
        let [b, t, _] = hidden.dims();
        self.linear.forward(hidden).reshape([b, t])
    }

    /// One scalar per sequence from pooled features. `pooled`: `[B, D]`. Returns `[B]`.
    pub fn pooled(&self, pooled: Tensor<2>) -> Tensor<1> {
        let [b, _] = pooled.dims();
        self.linear.forward(pooled).reshape([b])
    }
}

/// Hidden state at the last real token of each row (right padding or none). `hidden`: `[B, T, D]`,
/// `mask`: `[B, T]`. Returns `[B, D]`.
pub fn last_token(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [b, t, d] = hidden.dims();
    // Index of the last 1 in each row: argmax of mask * (1..=T) (works for left padding too).
    let steps = Tensor::<1, burn::tensor::Int>::arange(1..t as i64 + 1, &mask.device()).float().reshape([1, t]);
    let last = (mask * steps).argmax(1); // [B, 1]
    let index = last.reshape([b, 1, 1]).expand([b, 1, d]);
    hidden.gather(1, index).reshape([b, d])
}

/// Mean of the hidden states over real tokens. Returns `[B, D]`.
pub fn mean_pool(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [b, t, d] = hidden.dims();
    let m = mask.reshape([b, t, 1]);
    let summed = (hidden * m.clone()).sum_dim(1).reshape([b, d]); // [B, D]
    let count = m.sum_dim(1).reshape([b, 1]).clamp_min(1.0);
    summed / count
}
