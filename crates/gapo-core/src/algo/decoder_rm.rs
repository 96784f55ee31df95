//! The decoder reward model baseline (OpenRLHF `train_rm`): the generator's backbone with a scalar head,
//! read at the last token of `[BOS] prompt [SEP] response [EOS]`, trained by the Bradley–Terry loss
//! (`reward.rs`) on pairs. On preferential prompts the pair is (P_acc, R) ≻ (P_rej, R).

use super::grad_clip::clip_global_norm;
use super::reward::bradley_terry_loss;
use crate::data::batch::example_batch;
use crate::error::{GapoError, Result};
use crate::model::CausalLm;
use crate::players::ScoredDecoder;
use crate::readback::{floats, scalar};
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

/// Scores `(prompt, response)` rows: `[B]`.
pub fn scores(
    rm: &ScoredDecoder,
    tokenizer: &GapoTokenizer,
    rows: &[(&str, &str)],
    device: &Device,
) -> Result<Tensor<1>> {
    let max_len = rm.backbone.max_len();
    let (batch, _) = example_batch(tokenizer, rows, max_len)?;
    let (ids, mask) = batch.to_device(device);
    Ok(rm.score(ids, mask))
}

pub struct RewardModelTrainer {
    pub rm: ScoredDecoder,
    pub(crate) optim: ModuleOptimizer,
    pub lr: f64,
    pub max_grad_norm: f64,
}

impl RewardModelTrainer {
    pub fn new(rm: ScoredDecoder, lr: f64, max_grad_norm: f64) -> Self {
        crate::model::init::materialize(&rm);
        Self { rm, optim: AdamConfig::new().with_epsilon(1e-8).init(), lr, max_grad_norm }
    }

    /// One Bradley–Terry update on `(chosen prompt, chosen response, rejected prompt, rejected response)`
    /// pairs. Returns (loss, share of pairs ranked right).
    pub async fn train_batch(
        &mut self,
        tokenizer: &GapoTokenizer,
        pairs: &[(&str, &str, &str, &str)],
        device: &Device,
    ) -> Result<(f64, f64)> {
        let mut rows: Vec<(&str, &str)> = pairs.iter().map(|q| (q.0, q.1)).collect();
        rows.extend(pairs.iter().map(|q| (q.2, q.3)));
        let s = scores(&self.rm, tokenizer, &rows, device)?;
        let b = pairs.len();
        let (chosen, rejected) = (s.clone().narrow(0, 0, b), s.narrow(0, b, b));
        let margins = floats((chosen.clone() - rejected.clone()).detach()).await?;
        let loss = bradley_terry_loss(chosen, rejected);
        let value = scalar(loss.clone().detach()).await?;
        if !value.is_finite() {
            return Err(GapoError::Diverged(format!("rm/loss is {value}: the update was skipped")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.rm);
        let (grads, _) = clip_global_norm(&self.rm, grads, self.max_grad_norm);
        self.rm = self.optim.step(self.lr, self.rm.clone(), grads);
        Ok((value, margins.iter().filter(|m| **m > 0.0).count() as f64 / b.max(1) as f64))
    }

    pub fn frozen(&self) -> ScoredDecoder {
        self.rm.valid()
    }
}
