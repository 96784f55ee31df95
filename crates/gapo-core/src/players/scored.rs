//! A generator backbone with a scalar head: the critic (a value per token) and the decoder reward model
//! (one score per sequence, at its last real token). Both are separate copies of the backbone, as in
//! OpenRLHF, so training them never moves the policy.

use super::LanguageModel;
use crate::model::CausalLm;
use crate::model::GeneratorConfig;
use crate::model::heads::{ScalarHead, ScalarHeadConfig, last_token};
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};

#[derive(Module, Debug)]
pub struct ScoredDecoder {
    pub backbone: LanguageModel,
    pub head: ScalarHead,
}

impl ScoredDecoder {
    /// A fresh head on a copy of `backbone` (e.g. the SFT generator).
    pub fn from_backbone(backbone: impl Into<LanguageModel>, device: &Device) -> Self {
        let backbone = backbone.into();
        let d = backbone.d_model();
        Self { backbone, head: ScalarHeadConfig::new(d).init(device) }
    }

    pub fn new(config: &GeneratorConfig, device: &Device) -> Self {
        Self::from_backbone(config.init(device), device)
    }

    /// One value per position. `ids`, `mask`: `[B, T]`. Returns `[B, T]`.
    pub fn values(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
        self.head.per_token(self.backbone.hidden(ids, mask))
    }

    /// One score per row, read at its last real token. Returns `[B]`.
    pub fn score(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<1> {
        let hidden = self.backbone.hidden(ids, mask.clone());
        self.head.pooled(last_token(hidden, mask))
    }
}
