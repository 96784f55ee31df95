//! One optimizer step of an offline preference method (DPO, IPO, KTO, SimPO, ORPO) on a batch of pairs.
//! The losses are in their own files; this builds the batch and the log-probs they compare.
//!
//! Pairs come from the built-in task in one of two shapes (`Pairs`): preferential prompts
//! (P_acc, R) ≻ (P_rej, R) — the same response under two prompts — or preferential responses
//! (P, R) ≻ (P, R′).

use super::dpo::{DpoLoss, dpo_loss};
use super::kto::{KtoWeights, kto_loss};
use super::logprob::sequence_logps;
use super::orpo::orpo_loss;
use super::simpo::simpo_loss;
use crate::data::batch::{PadSide, example_batch, int_table};
use crate::data::export::Pairs;
use crate::error::{GapoError, Result};
use crate::model::CausalLm;
use crate::players::LanguageModel;
use crate::readback::{floats, scalar};
use crate::task::TrainItem;
use crate::tokenizer::GapoTokenizer;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrefMethod {
    Dpo,
    Ipo,
    Kto,
    Simpo,
    Orpo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrefConfig {
    /// The pairs every pair-trained part learns from: `prompt` (preferential prompts, the default) or
    /// `response` (preferential responses) — the offline methods, GAPO's and PPO's discriminator, the
    /// decoder reward model.
    pub pairs: Pairs,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    /// DPO / IPO / KTO temperature.
    pub beta: f64,
    /// SimPO's β and margin γ (the SimPO paper's ranges: β ≈ 2, γ ≈ 0.5–1.5).
    pub simpo_beta: f64,
    pub simpo_gamma: f64,
    /// ORPO's weight λ on the odds-ratio term.
    pub orpo_lambda: f64,
}

impl Default for PrefConfig {
    fn default() -> Self {
        Self {
            pairs: Pairs::Prompt,
            steps: 200,
            batch: 16,
            lr: 1e-4,
            beta: 0.1,
            simpo_beta: 2.0,
            simpo_gamma: 0.5,
            orpo_lambda: 0.1,
        }
    }
}

/// (chosen prompt, chosen response, rejected prompt, rejected response) of an item.
pub fn pair_of(item: &TrainItem, pairs: Pairs) -> (&str, &str, &str, &str) {
    let ex = &item.example;
    match pairs {
        Pairs::Prompt => (&ex.prompt, &ex.response, &item.rejected_prompt.prompt, &ex.response),
        Pairs::Response => (&ex.prompt, &ex.response, &ex.prompt, &item.rejected_response.response),
    }
}

/// Uploads `(prompt, response)` rows as generator sequences with response masks.
fn upload(
    tokenizer: &GapoTokenizer,
    rows: &[(&str, &str)],
    max_len: usize,
    device: &Device,
) -> Result<(Tensor<2, burn::tensor::Int>, Tensor<2>, Tensor<2>)> {
    let (batch, masks) = example_batch(tokenizer, rows, max_len)?;
    let (ids, mask) = batch.to_device(device);
    let target = int_table(&masks, 0, PadSide::Right, device)?.float();
    Ok((ids, mask, target))
}

/// One update of `policy` (autodiff) by `method` on `items`; `reference` is the frozen SFT model.
#[allow(clippy::too_many_arguments)]
pub async fn preference_step(
    method: PrefMethod,
    config: &PrefConfig,
    policy: LanguageModel,
    reference: &LanguageModel,
    optim: &mut ModuleOptimizer,
    tokenizer: &GapoTokenizer,
    items: &[&TrainItem],
    train_device: &Device,
) -> Result<(LanguageModel, BTreeMap<String, f64>)> {
    let b = items.len();
    let quads: Vec<_> = items.iter().map(|t| pair_of(t, config.pairs)).collect();
    // Rows 0..b chosen, b..2b rejected; for KTO, 2b..3b mismatched (prompt i, chosen response of i+1).
    let mut rows: Vec<(&str, &str)> = quads.iter().map(|q| (q.0, q.1)).collect();
    rows.extend(quads.iter().map(|q| (q.2, q.3)));
    if method == PrefMethod::Kto {
        rows.extend((0..b).map(|i| (quads[i].0, quads[(i + 1) % b].1)));
    }
    let max_len = policy.max_len();
    let (ids, mask, target) = upload(tokenizer, &rows, max_len, train_device)?;
    let (sum, count) = sequence_logps(&policy, ids.clone(), mask.clone(), target.clone());
    let mean = sum.clone() / count.clone();
    let needs_ref = matches!(method, PrefMethod::Dpo | PrefMethod::Ipo | PrefMethod::Kto);
    let (ref_sum, ref_mean) = if needs_ref {
        let (s, c) = sequence_logps(reference, ids.clone().inner(), mask.clone().inner(), target.clone().inner());
        (s.clone().detach(), (s / c).detach())
    } else {
        (sum.clone().detach(), mean.clone().detach())
    };
    let part = |t: &Tensor<1>, k: usize| t.clone().narrow(0, k * b, b);
    let mut m = BTreeMap::new();
    let loss = match method {
        PrefMethod::Dpo | PrefMethod::Ipo => {
            let (kind, pol, rf) = if method == PrefMethod::Dpo {
                (DpoLoss::Sigmoid, &sum, &ref_sum)
            } else {
                (DpoLoss::Ipo, &mean, &ref_mean)
            };
            let out = dpo_loss(kind, config.beta, part(pol, 0), part(pol, 1), part(rf, 0), part(rf, 1));
            let (c, r) = (floats(out.rewards_chosen).await?, floats(out.rewards_rejected).await?);
            let n = c.len() as f64;
            m.insert("rewards/chosen".into(), c.iter().map(|&x| x as f64).sum::<f64>() / n);
            m.insert("rewards/rejected".into(), r.iter().map(|&x| x as f64).sum::<f64>() / n);
            m.insert("rewards/margins".into(), c.iter().zip(&r).map(|(a, b)| (a - b) as f64).sum::<f64>() / n);
            m.insert("rewards/accuracies".into(), c.iter().zip(&r).filter(|(a, b)| a > b).count() as f64 / n);
            out.loss
        }
        PrefMethod::Kto => {
            let logratio = sum.clone() - ref_sum.clone();
            let desirable = Tensor::<1>::from_data(
                TensorData::new((0..2 * b).map(|i| f32::from(i < b)).collect::<Vec<_>>(), [2 * b]),
                train_device,
            );
            let (loss, z0) = kto_loss(
                KtoWeights { beta: config.beta, ..KtoWeights::default() },
                logratio.clone().narrow(0, 0, 2 * b),
                desirable,
                part(&logratio, 2),
            );
            m.insert("kl".into(), scalar(z0).await?);
            loss
        }
        PrefMethod::Simpo => simpo_loss(config.simpo_beta, config.simpo_gamma, part(&mean, 0), part(&mean, 1)),
        PrefMethod::Orpo => {
            let nll = (part(&sum, 0) / part(&count, 0)).mean().neg();
            let (loss, log_odds) = orpo_loss(config.orpo_lambda, part(&mean, 0), part(&mean, 1), nll);
            m.insert("log_odds_ratio".into(), scalar(log_odds).await?);
            loss
        }
    };
    m.insert("logps/chosen".into(), scalar(part(&sum, 0).mean().detach()).await?);
    m.insert("logps/rejected".into(), scalar(part(&sum, 1).mean().detach()).await?);
    let value = scalar(loss.clone().detach()).await?;
    if !value.is_finite() {
        return Err(GapoError::Diverged(format!("loss/{method:?} is {value}: the update was skipped")));
    }
    m.insert("loss".into(), value);
    let grads = GradientsParams::from_grads(loss.backward(), &policy);
    Ok((optim.step(config.lr, policy, grads), m))
}
