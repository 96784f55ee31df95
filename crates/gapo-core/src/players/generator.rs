//! The generator a session holds: the built-in GPT-2-shaped decoder or an imported Hugging Face one, behind
//! one [`CausalLm`].

use crate::hf::HfDecoder;
use crate::model::{CausalLm, Generator, KvCache};
use burn::module::Module;
use burn::tensor::{Int, Tensor};

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
    fn run_layers(
        &self,
        ids: Tensor<2, Int>,
        positions: Tensor<2, Int>,
        bias: Tensor<4>,
        cache: Option<&mut KvCache>,
    ) -> Tensor<3> {
        match self {
            Self::Tiny(m) => m.run_layers(ids, positions, bias, cache),
            Self::Hf(m) => m.run_layers(ids, positions, bias, cache),
        }
    }
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        match self {
            Self::Tiny(m) => CausalLm::logits(m, hidden),
            Self::Hf(m) => m.logits(hidden),
        }
    }
    fn n_layers(&self) -> usize {
        match self {
            Self::Tiny(m) => m.blocks.len(),
            Self::Hf(m) => m.layers.len(),
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
            Self::Hf(m) => m.d_model(),
        }
    }
}
