//! GAPO (arXiv 2503.20194, Algorithm 1), with the authors' defects fixed (reference §8, §14):
//!
//! ```text
//! warm-up:  train D by BCE on preferential prompts {(P_acc, R, 1), (P_rej, R, 0)}
//! for stage s = 1..S:
//!     generator phase:     R̂ ~ π_θ(·|P_acc); reward = D(P_acc, R̂) at the last token, minus β·KL per
//!                          token; `rollouts_per_stage` PPO iterations (ppo_trainer.rs)
//!     discriminator phase: fresh samples R̂ of the current π_θ, labelled 0 ("fakes"), replace a share
//!                          `fake_share` of the negatives; D is retrained by BCE on
//!                          {(P_acc, R, 1)} ∪ {(P_rej, R, 0)} ∪ {(P, R̂, 0)}
//! ```
//!
//! Two variants of ours, both off by default (README, "What we found"): `reward_contrast` subtracts D's
//! score of the same sample under the item's rejected prompt from the reward, and `response_pair_share`
//! gives D near misses (preferential responses) as negatives beside the rejected prompts (the `form` run
//! preset turns it on: with it GAPO beats its SFT start there).
//!
//! Unlike the released code, fakes really enter D's training set (theirs added none at ratio 0.5), D reads
//! text with its own tokenizer (theirs received the generator's token ids), and the critic is a copy of
//! the generator (theirs defaulted to the encoder). Every open choice is a field of [`GapoConfig`].
//!
//! Per stage we measure D's mean score σ(D) of the reference responses ("real") and of fresh generator
//! samples ("fake") on probe prompts (held-out ones by default, `probe_on`), at three points: before the generator phase, after it, and
//! after the discriminator phase. The adversarial signature: fake scores rise in the generator phase and
//! fall in the discriminator phase.
//!
//! [`schedule`] writes the loop above as the list of phases a session steps through; this file also holds
//! the pieces of one stage. The session runs them one small step at a time (warm-up batch, probe, rollout,
//! discriminator batch), so a shell can stop between any two.

use super::discriminator::{DiscConfig, DiscEval, DiscTrainer, Labelled, RewardTransform, evaluate, reward};
use super::phase::{Phase, ProbePoint};
use super::ppo_trainer::{Experience, PpoLearner};
use crate::data::export::Pairs;
use crate::error::Result;
use crate::generation::complete;
use crate::model::sampling::SamplingConfig;
use crate::rng::SplitMix64;
use crate::task::preferential::answer_rejected_prompt;
use crate::task::{Example, TrainItem};
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GapoConfig {
    /// Adversarial stages S (the paper's figure runs ≥ 12; the code leaves it undefined).
    pub stages: usize,
    /// PPO iterations (rollouts) per generator phase.
    pub rollouts_per_stage: usize,
    /// Share of D's negatives that are fresh generator samples in each discriminator phase (the rest are
    /// rejected prompts). The released code's 0.5 "ratio" added none; here the share is exact.
    pub fake_share: f64,
    /// Also sample fakes for rejected prompts, as the released code does (it samples both).
    pub fakes_for_rejected_prompts: bool,
    /// D's logit (the code) or σ(logit) (the paper) as the PPO score.
    pub reward_transform: RewardTransform,
    /// Prompts used to probe D's real/fake scores each stage.
    pub probe_prompts: usize,
    /// Where the probe prompts come from: `held_out` (the evaluation prompts: how D generalises) or
    /// `train` (the training prompts D and the generator play on: the adversarial game itself).
    pub probe_on: ProbeSet,
    /// Training items whose pairs D sees in each discriminator phase (positives; as many negatives).
    pub disc_items_per_stage: usize,
    /// With preferential prompts, also give D each rejected prompt with a response written for it,
    /// (P_rej, R′, 1), and that response under the accepted prompt, (P_acc, R′, 0) when R′ fails it
    /// (`task::preferential::answer_rejected_prompt`). Without them D can learn the pairs from the prompts
    /// alone (README, "What we found").
    pub answer_rejected_prompts: bool,
    /// Weight w of the rejected-prompt contrast in the generator's reward: `r = D(P_acc, R̂) − w·D(P_rej, R̂)`,
    /// where P_rej is the training item's rejected prompt (one constraint changed or added, built from the
    /// item's reference, never from R̂). 0 is the paper's reward. Why (README, "What we found"): a D retrained
    /// with every sample labelled 0 also scores what tells samples from references apart, whatever the
    /// prompt; that part is the same under both prompts of the pair and cancels in the difference, while
    /// the match of R̂ with the changed constraint does not.
    pub reward_contrast: f64,
    /// With preferential prompts, the share of training items whose negative for D is their preferential
    /// *response* (P_acc, R_rej, 0) — the reference changed to fail one constraint, often by a little: one
    /// word lower-cased, one end mark — instead of their rejected prompt (P_rej, R, 0). Which items is fixed
    /// by each item's prompt, so the warm-up and every discriminator phase agree. 0 (the default) is
    /// preferential prompts only. Why (README, "What we found"): a checker fails a response for one wrong
    /// letter, and D, shown only whole-response differences, scores such near misses almost like hits.
    pub response_pair_share: f64,
}

/// The prompts D's probes sample on (`GapoConfig::probe_on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeSet {
    HeldOut,
    Train,
}

impl Default for GapoConfig {
    fn default() -> Self {
        Self {
            stages: 3,
            rollouts_per_stage: 8,
            fake_share: 0.5,
            fakes_for_rejected_prompts: false,
            reward_transform: RewardTransform::Logit,
            probe_prompts: 96,
            probe_on: ProbeSet::HeldOut,
            // 512 positives and 512 negatives (half fresh fakes) a stage: with 3 epochs at lr 1e-3 that is
            // ~100 D updates. The first defaults (256 items, 1 epoch at 3e-4: 16 updates) left D unable to
            // tell fakes from references at all (README, "What we found").
            disc_items_per_stage: 512,
            answer_rejected_prompts: false,
            reward_contrast: 0.0,
            response_pair_share: 0.0,
        }
    }
}

impl GapoConfig {
    /// Refuses shares outside [0, 1] and a weight that is not a finite number, naming the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, value: f64, want: &str| crate::error::GapoError::Config {
            field: format!("gapo.{field}"),
            message: format!("is {value}; it must be {want}"),
        };
        for (field, share) in [("fake_share", self.fake_share), ("response_pair_share", self.response_pair_share)] {
            if !(0.0..=1.0).contains(&share) {
                return Err(bad(field, share, "a share in [0, 1]"));
            }
        }
        if !self.reward_contrast.is_finite() {
            return Err(bad("reward_contrast", self.reward_contrast, "a finite number"));
        }
        Ok(())
    }
}

/// Algorithm 1 after SFT, as the phases a session steps through: D's warm-up on the preferential pairs,
/// then `stages` × {probe, generator phase, probe, discriminator phase, probe}. D is probed (never trained)
/// at the start of each stage, after the generator phase and after its own phase, to show the game.
/// With `retrain_d` false it is PPO against the warmed-up D: the same stages without the discriminator phase.
pub fn schedule(gapo: &GapoConfig, disc: &DiscConfig, retrain_d: bool) -> Vec<Phase> {
    let mut phases = vec![Phase::DiscWarmup { epochs: disc.warmup_epochs }];
    for stage in 0..gapo.stages {
        phases.push(Phase::Probe { stage, point: ProbePoint::StageStart });
        phases.push(Phase::Generator { stage, rollouts: gapo.rollouts_per_stage });
        phases.push(Phase::Probe { stage, point: ProbePoint::AfterGenerator });
        if retrain_d {
            phases.push(Phase::DiscSample { stage });
            phases.push(Phase::DiscTrain { stage, epochs: disc.epochs_per_stage });
            phases.push(Phase::Probe { stage, point: ProbePoint::AfterDiscriminator });
        }
    }
    phases
}

/// D's training rows from the pairs: (P_acc, R, 1) and, with preferential prompts, (P_rej, R, 0) (or, for
/// a `response_pair_share` of the items, (P_acc, R_rej, 0)), with preferential responses (P, R_rej, 0), for
/// every item; with `answer_rejected_prompts` and preferential prompts also each item's [`answered_rows`].
pub fn preference_rows(items: &[TrainItem], pairs: Pairs, config: &GapoConfig) -> Vec<Labelled> {
    items
        .iter()
        .flat_map(|t| {
            let mut rows = vec![
                (t.example.prompt.clone(), t.example.response.clone(), 1.0),
                negative(t, pairs, config.response_pair_share),
            ];
            if config.answer_rejected_prompts && pairs == Pairs::Prompt {
                rows.extend(answered_rows(t));
            }
            rows
        })
        .collect()
}

/// (P_rej, R′, 1) and, when R′ fails P_acc, (P_acc, R′, 0), for a response R′ written for the item's
/// rejected prompt; none when its constraints cannot be met together. R′ depends on the item alone (its
/// random stream is seeded by the prompt's hash), so the warm-up and every discriminator phase agree.
pub fn answered_rows(t: &TrainItem) -> Vec<Labelled> {
    let mut rng = SplitMix64::new(crate::model::init::fnv1a(&t.rejected_prompt.prompt));
    let Some((r, fails_accepted)) = answer_rejected_prompt(&t.example, &t.rejected_prompt, &mut rng) else {
        return Vec::new();
    };
    let mut rows = vec![(t.rejected_prompt.prompt.clone(), r.clone(), 1.0)];
    if fails_accepted {
        rows.push((t.example.prompt.clone(), r, 0.0));
    }
    rows
}

/// An item's negative row for D: its rejected prompt with the response, or its prompt with the rejected
/// response (preferential responses; or preferential prompts and the item among the `response_share`
/// picked by its prompt's hash).
fn negative(t: &TrainItem, pairs: Pairs, response_share: f64) -> Labelled {
    let by_response = pairs == Pairs::Response
        || (crate::model::init::fnv1a(&t.example.prompt) % 1000) < (response_share * 1000.0).round() as u64;
    if by_response {
        (t.example.prompt.clone(), t.rejected_response.response.clone(), 0.0)
    } else {
        (t.rejected_prompt.prompt.clone(), t.example.response.clone(), 0.0)
    }
}

/// Samples one response per prompt from the current generator (temperature 1, as rollouts).
pub async fn sample_fakes(
    learner: &PpoLearner,
    tokenizer: &GapoTokenizer,
    prompts: &[String],
    device: &Device,
) -> Result<Vec<Labelled>> {
    let sampling = SamplingConfig::new().with_temperature(learner.config.temperature);
    let responses =
        complete(&learner.policy.valid(), tokenizer, prompts, learner.config.max_new_tokens, &sampling, 64, device)
            .await?;
    Ok(prompts.iter().zip(responses).map(|(p, r)| (p.clone(), r, 0.0)).collect())
}

/// D's real and fake scores on the probe prompts: references vs fresh samples.
pub async fn probe(
    learner: &PpoLearner,
    disc: &DiscTrainer,
    tokenizer: &GapoTokenizer,
    probe: &[Example],
    device: &Device,
) -> Result<DiscEval> {
    let prompts: Vec<String> = probe.iter().map(|e| e.prompt.clone()).collect();
    let mut rows: Vec<Labelled> = probe.iter().map(|e| (e.prompt.clone(), e.response.clone(), 1.0)).collect();
    rows.extend(sample_fakes(learner, tokenizer, &prompts, device).await?);
    evaluate(&disc.disc.valid(), tokenizer, &rows, device).await
}

/// One generator-phase iteration: a rollout on `prompts` scored by D (less `reward_contrast` times D's
/// score of the same response under `rejected_prompts`, one per prompt), then the PPO update. Returns the
/// rollout (its responses and the rewards) and the step's metrics.
#[allow(clippy::too_many_arguments)]
pub async fn generator_iteration(
    learner: &mut PpoLearner,
    disc: &DiscTrainer,
    config: &GapoConfig,
    tokenizer: &GapoTokenizer,
    prompts: &[String],
    rejected_prompts: &[String],
    rng: &mut SplitMix64,
    device: &Device,
) -> Result<(Experience, BTreeMap<String, f64>)> {
    let d = disc.disc.valid();
    let (transform, w) = (config.reward_transform, config.reward_contrast);
    let mut score = |responses: &[String]| -> Result<burn::tensor::Tensor<1>> {
        // [B]
        let accepted = reward(&d, tokenizer, prompts, responses, transform, device)?;
        if w == 0.0 {
            return Ok(accepted);
        }
        let rejected = reward(&d, tokenizer, rejected_prompts, responses, transform, device)?;
        Ok(accepted - rejected * w)
    };
    let (exp, mut metrics) = learner.make_experience(tokenizer, prompts, &mut score, device).await?;
    learner.learn(&exp, rng, &mut metrics).await?;
    Ok((exp, metrics))
}

/// The discriminator phase's training set: every positive, and as many negatives, `fake_share` of them
/// fresh samples of the current generator and the rest the pairs' negatives (rejected prompts or responses).
/// With answered rejected prompts the positives also hold each (P_rej, R′, 1) and the pairs' negatives each
/// (P_acc, R′, 0), and the count of negatives follows: an unbalanced set would push every score up (the
/// first version kept the negatives at one per item and D's scores of references and fakes alike rose in
/// its phases).
pub async fn discriminator_rows(
    config: &GapoConfig,
    pairs: Pairs,
    learner: &PpoLearner,
    tokenizer: &GapoTokenizer,
    items: &[TrainItem],
    rng: &mut SplitMix64,
    device: &Device,
) -> Result<Vec<Labelled>> {
    let answered = config.answer_rejected_prompts && pairs == Pairs::Prompt;
    let mut positives: Vec<Labelled> =
        items.iter().map(|t| (t.example.prompt.clone(), t.example.response.clone(), 1.0)).collect();
    // Each item's pair negatives, by item.
    let mut pair_negatives: Vec<Vec<Labelled>> =
        items.iter().map(|t| vec![negative(t, pairs, config.response_pair_share)]).collect();
    if answered {
        for (t, negatives) in items.iter().zip(pair_negatives.iter_mut()) {
            for row in answered_rows(t) {
                if row.2 == 1.0 { positives.push(row) } else { negatives.push(row) }
            }
        }
    }
    let n_neg = positives.len();
    let n_fake = ((n_neg as f64) * config.fake_share).round() as usize;
    let mut picks: Vec<usize> = (0..items.len()).collect();
    rng.shuffle(&mut picks);
    // Fakes answer the first picked items' prompts (round again when there are more fakes than items).
    let fake_items: Vec<usize> = picks.iter().cycle().take(n_fake.min(n_neg)).copied().collect();
    let mut fake_prompts: Vec<String> = fake_items.iter().map(|&i| items[i].example.prompt.clone()).collect();
    if config.fakes_for_rejected_prompts {
        // Half of the fakes answer rejected prompts instead.
        for (j, &i) in fake_items.iter().enumerate() {
            if j % 2 == 1 {
                fake_prompts[j] = items[i].rejected_prompt.prompt.clone();
            }
        }
    }
    let mut rows = positives;
    rows.extend(sample_fakes(learner, tokenizer, &fake_prompts, device).await?);
    // The pairs' negatives: first those of the items no fake answers, then the others.
    let skip = n_fake.min(items.len());
    let order = picks.iter().skip(skip).chain(picks.iter().take(skip));
    rows.extend(order.flat_map(|&i| pair_negatives[i].clone()).take(n_neg.saturating_sub(n_fake)));
    Ok(rows)
}
