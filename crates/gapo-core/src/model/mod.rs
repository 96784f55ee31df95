//! The two models of GAPO and what they share.
//!
//! - [`generator::Generator`]: decoder-only, pre-LN, causal, learned positions, tied embeddings, KV cache.
//! - [`encoder::Discriminator`]: encoder-only over `[CLS] prompt [SEP] response [SEP]` with segment
//!   embeddings and a scalar head; pooling first | last | mean.
//! - [`heads::ScalarHead`]: the value head (critic) and reward head, on either backbone.
//! - [`sampling`]: temperature, top-k, top-p and greedy, all on the device.

pub mod attention;
pub mod block;
pub mod encoder;
pub mod generator;
pub mod heads;
pub mod init;
pub mod lm;
pub mod mask;
pub mod sampling;

pub use attention::{KvCache, LayerKv};
pub use encoder::{Discriminator, DiscriminatorConfig, Pooling};
pub use generator::{Generator, GeneratorConfig};
pub use heads::{ScalarHead, ScalarHeadConfig};
pub use lm::CausalLm;

/// GPT-2's initialisation: every weight from N(0, 0.02) (biases too; LayerNorm keeps 1/0). With tied
/// embeddings, burn's default N(0, 1) embedding would start the logits far too large.
pub fn init_weights() -> burn::nn::Initializer {
    burn::nn::Initializer::Normal { mean: 0.0, std: 0.02 }
}
