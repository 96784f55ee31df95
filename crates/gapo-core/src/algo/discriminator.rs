//! Training and querying the encoder discriminator D(prompt, response) → logit with pointwise BCE
//! (`reward.rs`). D reads text: prompt and response are (re-)tokenised with D's own tokenizer into
//! `[CLS] prompt [SEP] response [SEP]`, so D never consumes another model's token ids.

use super::grad_clip::clip_global_norm;
use super::reward::{Classification, bce_loss, classification};
use crate::data::batch::{HostBatch, PadSide, int_table};
use crate::error::{GapoError, Result};
use crate::hooks::{BceLoss, Hooks};
use crate::players::DiscriminatorModel;
use crate::readback::{floats, scalar};
use crate::rng::SplitMix64;
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// One pointwise example: (prompt, response, label 1.0 real / 0.0 rejected or generated).
pub type Labelled = (String, String, f32);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscConfig {
    pub lr: f64,
    pub batch: usize,
    /// Epochs over the preferential-prompt pairs before the first stage.
    pub warmup_epochs: usize,
    /// Learning rate of those warm-up epochs only; unset: `lr`. Added to try a shorter warm-up (it is half
    /// of a `form` run); 8 epochs at 2e-3 did not give the D that 16 at 1e-3 do (README, "What we found").
    pub warmup_lr: Option<f64>,
    /// Epochs over the mixed set in each discriminator phase.
    pub epochs_per_stage: usize,
    pub max_grad_norm: f64,
    /// Start D from the SFT generator's embeddings, blocks and final norm (same width and depth) instead
    /// of from scratch (`model::encoder::discriminator_from_generator`).
    pub init_from_generator: bool,
    /// D's pooling (`first`, `last` or `mean`) instead of the model preset's; unset keeps the preset's.
    pub pooling: Option<crate::config::PoolingSpec>,
}

impl Default for DiscConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            batch: 32,
            warmup_epochs: 2,
            warmup_lr: None,
            epochs_per_stage: 3,
            max_grad_norm: 1.0,
            init_from_generator: false,
            pooling: None,
        }
    }
}

/// Uploads rows as D's input: ids, segments and mask `[B, T]`.
fn encode(tokenizer: &GapoTokenizer, rows: &[&Labelled], max_len: usize) -> Result<(HostBatch, Vec<Vec<u32>>)> {
    let pairs = rows.iter().map(|(p, r, _)| tokenizer.encode_pair(p, r, max_len)).collect::<Result<Vec<_>>>()?;
    let ids: Vec<Vec<u32>> = pairs.iter().map(|e| e.ids.clone()).collect();
    let segs: Vec<Vec<u32>> = pairs.into_iter().map(|e| e.segments).collect();
    Ok((HostBatch::pad(&ids, tokenizer.special().pad, PadSide::Right)?, segs))
}

/// D's logits `[B]` for (prompt, response) rows, on `device`. `tokenizer` is the session's; an imported
/// discriminator reads the text with its own instead.
pub fn logits(
    disc: &DiscriminatorModel,
    tokenizer: &GapoTokenizer,
    rows: &[&Labelled],
    device: &Device,
) -> Result<Tensor<1>> {
    let tokenizer = disc.tokenizer().unwrap_or(tokenizer);
    let (batch, segs) = encode(tokenizer, rows, disc.max_len())?;
    let (ids, mask) = batch.to_device(device);
    let segments = int_table(&segs, 0, PadSide::Right, device)?;
    Ok(disc.forward(ids, segments, mask))
}

pub struct DiscTrainer {
    pub config: DiscConfig,
    pub disc: DiscriminatorModel,
    pub(crate) optim: ModuleOptimizer,
    /// The BCE loss it trains with: the built-in one, or an exercise solution.
    pub(crate) loss: BceLoss,
}

/// What D thinks of a labelled set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscEval {
    pub loss: f64,
    pub metrics: Classification,
    /// Mean σ(D) over label-1 rows and over label-0 rows.
    pub real_score: f64,
    pub fake_score: f64,
    /// D's logit of each row, in the order given.
    #[serde(skip)]
    pub logits: Vec<f32>,
}

impl DiscEval {
    /// For rows given as (positive, negative) pairs in a row: the share of pairs whose positive D scores
    /// higher (a tie counts half, so a D that ignores what differs scores 0.5). Unlike the accuracy it needs
    /// no threshold.
    pub fn pairwise_accuracy(&self) -> f64 {
        let pairs = self.logits.len() / 2;
        let right: f64 = (0..pairs)
            .map(|i| match self.logits[2 * i].partial_cmp(&self.logits[2 * i + 1]) {
                Some(std::cmp::Ordering::Greater) => 1.0,
                Some(std::cmp::Ordering::Equal) => 0.5,
                _ => 0.0,
            })
            .sum();
        if pairs == 0 { 0.0 } else { right / pairs as f64 }
    }
}

impl DiscTrainer {
    /// `disc` on an autodiff device. Plain Adam, no weight decay, as the authors' CLSTrainer.
    pub fn new(config: DiscConfig, disc: impl Into<DiscriminatorModel>) -> Self {
        let disc = disc.into();
        crate::model::init::materialize(&disc);
        Self { optim: AdamConfig::new().with_epsilon(1e-8).init(), config, disc, loss: bce_loss }
    }

    /// Trains with the exercise solution's BCE loss when `hooks` has one.
    pub fn with_hooks(mut self, hooks: Hooks) -> Self {
        self.loss = hooks.bce_loss.unwrap_or(bce_loss);
        self
    }

    /// One BCE update on `batch`; returns its loss.
    pub async fn train_batch(
        &mut self,
        tokenizer: &GapoTokenizer,
        batch: &[&Labelled],
        device: &Device,
    ) -> Result<f64> {
        self.train_batch_at(self.config.lr, tokenizer, batch, device).await
    }

    /// `train_batch` at learning rate `lr` (the warm-up's `warmup_lr`).
    pub async fn train_batch_at(
        &mut self,
        lr: f64,
        tokenizer: &GapoTokenizer,
        batch: &[&Labelled],
        device: &Device,
    ) -> Result<f64> {
        let labels: Vec<f32> = batch.iter().map(|r| r.2).collect();
        let labels = Tensor::<1>::from_data(TensorData::new(labels, [batch.len()]), device);
        let loss = (self.loss)(logits(&self.disc, tokenizer, batch, device)?, labels);
        let value = scalar(loss.clone().detach()).await?;
        if !value.is_finite() {
            return Err(GapoError::Diverged(format!("disc/loss is {value}: the update was skipped")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.disc);
        let (grads, _) = clip_global_norm(&self.disc, grads, self.config.max_grad_norm);
        self.disc = self.optim.step(lr, self.disc.clone(), grads);
        Ok(value)
    }

    /// One epoch of BCE over `rows` in shuffled batches; returns the mean loss.
    pub async fn epoch(
        &mut self,
        tokenizer: &GapoTokenizer,
        rows: &[Labelled],
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Result<f64> {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        rng.shuffle(&mut order);
        let (mut total, mut count) = (0.0, 0);
        for chunk in order.chunks(self.config.batch.max(1)) {
            let batch: Vec<&Labelled> = chunk.iter().map(|&i| &rows[i]).collect();
            total += self.train_batch(tokenizer, &batch, device).await?;
            count += 1;
        }
        Ok(if count == 0 { 0.0 } else { total / count as f64 })
    }

    /// Loss, classification metrics and mean scores on `rows` (no update).
    pub async fn evaluate(&self, tokenizer: &GapoTokenizer, rows: &[Labelled], device: &Device) -> Result<DiscEval> {
        evaluate(&self.disc.valid(), tokenizer, rows, device).await
    }
}

/// As [`DiscTrainer::evaluate`], for any discriminator (evaluated in batches of 64).
pub async fn evaluate(
    disc: &DiscriminatorModel,
    tokenizer: &GapoTokenizer,
    rows: &[Labelled],
    device: &Device,
) -> Result<DiscEval> {
    let mut all_logits = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(64) {
        let refs: Vec<&Labelled> = chunk.iter().collect();
        all_logits.extend(floats(logits(disc, tokenizer, &refs, device)?).await?);
    }
    let labels: Vec<f32> = rows.iter().map(|r| r.2).collect();
    let n = rows.len().max(1) as f64;
    let loss: f64 = all_logits
        .iter()
        .zip(&labels)
        .map(|(&s, &y)| {
            let s = s as f64;
            s.max(0.0) - s * y as f64 + (-s.abs()).exp().ln_1p()
        })
        .sum::<f64>()
        / n;
    let mean_sigmoid = |want: f32| {
        let v: Vec<f64> =
            all_logits.iter().zip(&labels).filter(|(_, y)| **y == want).map(|(s, _)| probability(*s)).collect();
        if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
    };
    Ok(DiscEval {
        loss,
        metrics: classification(&all_logits, &labels),
        real_score: mean_sigmoid(1.0),
        fake_score: mean_sigmoid(0.0),
        logits: all_logits,
    })
}

/// D's reward for generated responses: the logit (the authors' code) or σ(logit) (the paper's notation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewardTransform {
    Logit,
    Sigmoid,
}

pub fn reward(
    disc: &DiscriminatorModel,
    tokenizer: &GapoTokenizer,
    prompts: &[String],
    responses: &[String],
    transform: RewardTransform,
    device: &Device,
) -> Result<Tensor<1>> {
    let rows: Vec<Labelled> = prompts.iter().zip(responses).map(|(p, r)| (p.clone(), r.clone(), 0.0)).collect();
    let refs: Vec<&Labelled> = rows.iter().collect();
    let s = logits(disc, tokenizer, &refs, device)?;
    Ok(match transform {
        RewardTransform::Logit => s,
        RewardTransform::Sigmoid => sigmoid(s),
    })
}

/// σ(D): a discriminator logit as the probability that the response is a real one for its prompt.
pub fn probability(logit: f32) -> f64 {
    1.0 / (1.0 + (-(logit as f64)).exp())
}
