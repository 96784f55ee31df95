//! What one step of each phase does. Each function takes one step and fills the step's report; the session
//! (`session.rs`) counts the steps and moves from phase to phase.

use super::trainer::missing;
use super::{Phase, Reward, Session, StepReport, Trainer};
use crate::algo::decoder_rm::scores;
use crate::algo::discriminator::Labelled;
use crate::algo::gapo::{ProbeSet, discriminator_rows, generator_iteration, probe};
use crate::algo::preference::{pair_of, preference_step};
use crate::algo::sft::{ReferenceBatch, sft_loss};
use crate::error::{GapoError, Result};
use crate::model::CausalLm;
use crate::readback::scalar;
use crate::rollout_stats::{checker_pass, pearson, rollouts_by_kind};
use crate::task::{EvalReport, Example};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};
use std::collections::BTreeMap;

impl Session {
    /// Takes one step of `phase`; true when it was the phase's last.
    pub(super) async fn run_phase_step(&mut self, phase: &Phase, report: &mut StepReport) -> Result<bool> {
        let c = &self.config;
        let (disc_batch, train_rows) = (c.disc.batch, self.task.train.len());
        Ok(match *phase {
            Phase::Sft { steps } => {
                let loss = self.sft_step(self.config.sft.lr_at(self.at.step)).await?;
                report.metrics.insert("loss/sft".into(), loss);
                self.count(steps)
            }
            Phase::EvalSft => {
                self.sft_eval = Some(self.eval_step(report).await?);
                true
            }
            Phase::SftContinued { steps } => {
                // At the last rate of the SFT schedule, as if SFT had simply gone on.
                let loss = self.sft_step(c.sft.lr_at(c.sft.steps.saturating_sub(1))).await?;
                report.metrics.insert("loss/sft".into(), loss);
                self.count(steps)
            }
            Phase::Preference { steps } => {
                report.metrics = self.preference_update().await?;
                self.count(steps)
            }
            Phase::RewardModelWarmup { epochs } => {
                self.reward_model_batch(report).await?;
                self.count_batch(disc_batch, train_rows, epochs)
            }
            Phase::DiscWarmup { epochs } => {
                let lr = c.disc.warmup_lr.unwrap_or(c.disc.lr);
                self.disc_batch(lr, true, report).await?;
                self.count_batch(disc_batch, self.pref_rows.len(), epochs)
            }
            Phase::Probe { .. } => {
                self.probe_step(report).await?;
                true
            }
            Phase::Generator { rollouts, .. } => {
                report.metrics = self.generator_step().await?;
                self.count(rollouts)
            }
            Phase::DiscSample { .. } => {
                self.disc_sample(report).await?;
                true
            }
            Phase::DiscTrain { epochs, .. } => {
                self.disc_batch(c.disc.lr, false, report).await?;
                self.count_batch(disc_batch, self.disc_rows.len(), epochs)
            }
            Phase::FinalEval => {
                self.final_eval = Some(self.eval_step(report).await?);
                true
            }
        })
    }

    /// Evaluates the current generator into `report` and returns the evaluation.
    async fn eval_step(&self, report: &mut StepReport) -> Result<EvalReport> {
        let (r, _) = self.evaluate().await?;
        insert_eval(&mut report.metrics, &r);
        report.eval = Some(r.clone());
        Ok(r)
    }

    /// One SFT update on a batch of reference responses drawn with replacement.
    async fn sft_step(&mut self, lr: f64) -> Result<f64> {
        let batch_size = self.config.sft.batch;
        let picks: Vec<usize> = (0..batch_size).map(|_| self.rng.below(self.task.train.len())).collect();
        let Trainer::Supervised { generator, optim, .. } = &mut self.trainer else {
            return Err(missing("the supervised trainer", "SFT"));
        };
        let rows: Vec<(&str, &str)> = picks
            .iter()
            .map(|&i| (self.task.train[i].example.prompt.as_str(), self.task.train[i].example.response.as_str()))
            .collect();
        let batch = ReferenceBatch::new(&self.tokenizer, &rows, generator.max_len(), &self.train_device)?;
        let loss = sft_loss(generator, batch.ids, batch.mask, batch.loss_mask);
        let value = scalar(loss.clone().detach()).await?;
        if !value.is_finite() {
            return Err(GapoError::Diverged(format!("loss/sft is {value}: the update was skipped")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &*generator);
        *generator = optim.step(lr, generator.clone(), grads);
        Ok(value)
    }

    /// One offline preference update (DPO, IPO, KTO, SimPO, ORPO) on a batch of pairs.
    async fn preference_update(&mut self) -> Result<BTreeMap<String, f64>> {
        let method = self.config.algo.preference().ok_or_else(|| missing("a preference method", "preference"))?;
        let n = self.config.pref.batch.min(self.task.train.len());
        let picks: Vec<usize> = (0..n).map(|_| self.rng.below(self.task.train.len())).collect();
        let items: Vec<&crate::task::TrainItem> = picks.iter().map(|&i| &self.task.train[i]).collect();
        let Trainer::Preference { policy, reference, optim } = &mut self.trainer else {
            return Err(missing("the preference trainer", "preference"));
        };
        let c = &self.config.pref;
        let (updated, metrics) =
            preference_step(method, c, policy.clone(), reference, optim, &self.tokenizer, &items, &self.train_device)
                .await?;
        *policy = updated;
        Ok(metrics)
    }

    /// One Bradley–Terry batch of the decoder reward model's warm-up.
    async fn reward_model_batch(&mut self, report: &mut StepReport) -> Result<()> {
        let batch = self.batch(self.config.disc.batch);
        let pairs: Vec<(&str, &str, &str, &str)> =
            batch.iter().map(|&i| pair_of(&self.task.train[i], self.config.pref.pairs)).collect();
        let rm = self.trainer.reward_model_mut("warm-up")?;
        let (loss, acc) = rm.train_batch(&self.tokenizer, &pairs, &self.device).await?;
        report.metrics.insert("rm/loss".into(), loss);
        report.metrics.insert("rm/accuracy".into(), acc);
        Ok(())
    }

    /// One BCE batch of D: of the warm-up's preferential pairs, or of the discriminator phase's rows.
    async fn disc_batch(&mut self, lr: f64, warmup: bool, report: &mut StepReport) -> Result<()> {
        let rows = if warmup { &self.pref_rows } else { &self.disc_rows };
        let batch: Vec<&Labelled> = self.batch(self.config.disc.batch).iter().map(|&i| &rows[i]).collect();
        let disc = self.trainer.discriminator_mut(if warmup { "warm-up" } else { "discriminator" })?;
        let loss = disc.train_batch_at(lr, &self.tokenizer, &batch, &self.device).await?;
        self.pairs_eval = None;
        report.metrics.insert("disc/loss".into(), loss);
        Ok(())
    }

    /// D's real/fake scores on the probe prompts and its accuracy on the held-out preferential pairs.
    async fn probe_step(&mut self, report: &mut StepReport) -> Result<()> {
        let n = self.config.gapo.probe_prompts;
        let probe_set: Vec<Example> = match self.config.gapo.probe_on {
            ProbeSet::HeldOut => self.task.eval.iter().take(n).cloned().collect(),
            ProbeSet::Train => self.task.train.iter().take(n).map(|t| t.example.clone()).collect(),
        };
        let (learner, disc) = self.trainer.players("probe")?;
        // Every probe samples with the same random stream (common random numbers): the change of the fake
        // score between two probes is the change of the models, not sampling noise.
        self.device.seed(self.config.seed ^ 0x9B0BE);
        let e = probe(learner, disc, &self.tokenizer, &probe_set, &self.device).await?;
        let (pairs, blank) = match self.pairs_eval.take() {
            Some(cached) => cached,
            None => {
                let blanked: Vec<Labelled> =
                    self.heldout_pairs.iter().map(|(p, _, y)| (p.clone(), String::new(), *y)).collect();
                (
                    disc.evaluate(&self.tokenizer, &self.heldout_pairs, &self.device).await?,
                    disc.evaluate(&self.tokenizer, &blanked, &self.device).await?,
                )
            }
        };
        let m = &mut report.metrics;
        // Real vs fresh fakes on the probe prompts.
        m.insert("disc/real_score".into(), e.real_score);
        m.insert("disc/fake_score".into(), e.fake_score);
        m.insert("disc/fake_accuracy".into(), e.metrics.accuracy);
        // Accepted vs rejected prompts on held-out combinations.
        m.insert("disc/accuracy".into(), pairs.metrics.accuracy);
        m.insert("disc/precision".into(), pairs.metrics.precision);
        m.insert("disc/recall".into(), pairs.metrics.recall);
        m.insert("disc/f1".into(), pairs.metrics.f1);
        m.insert("disc/pairs_loss".into(), pairs.loss);
        // The same pairs with every response blanked: what D reads from the prompts alone. A D that checks
        // the response against the prompt falls to chance here (0.5).
        m.insert("disc/blank_response_accuracy".into(), blank.metrics.accuracy);
        // How often D scores the response higher under its accepted prompt than under the rejected one.
        m.insert("disc/pairwise_accuracy".into(), pairs.pairwise_accuracy());
        m.insert("disc/blank_response_pairwise_accuracy".into(), blank.pairwise_accuracy());
        self.pairs_eval = Some((pairs, blank));
        Ok(())
    }

    /// The discriminator phase's rows: positives, pair negatives and fresh samples of the generator.
    async fn disc_sample(&mut self, report: &mut StepReport) -> Result<()> {
        let n = self.config.gapo.disc_items_per_stage.min(self.task.train.len());
        let picks = self.shuffled(self.task.train.len());
        let items: Vec<_> = picks.into_iter().take(n).map(|i| self.task.train[i].clone()).collect();
        let (learner, _) = self.trainer.players("discriminator")?;
        let (c, pairs) = (&self.config.gapo, self.config.pref.pairs);
        let rows = discriminator_rows(c, pairs, learner, &self.tokenizer, &items, &mut self.rng, &self.device).await?;
        report.metrics.insert("disc/rows".into(), rows.len() as f64);
        self.disc_rows = rows;
        Ok(())
    }

    /// One PPO iteration: a rollout on training prompts scored by the method's reward, then the updates.
    async fn generator_step(&mut self) -> Result<BTreeMap<String, f64>> {
        let k = self.config.ppo.samples_per_prompt.max(1);
        let n = (self.config.ppo.rollout_batch / k).max(1).min(self.task.train.len());
        // Each prompt k times in a row: the groups the leave-one-out baseline averages over.
        let picks: Vec<usize> =
            (0..n).map(|_| self.rng.below(self.task.train.len())).flat_map(|i| std::iter::repeat_n(i, k)).collect();
        let prompts: Vec<String> = picks.iter().map(|&i| self.task.train[i].example.prompt.clone()).collect();
        let examples: Vec<Example> = picks.iter().map(|&i| self.task.train[i].example.clone()).collect();
        let Trainer::Ppo { learner, reward } = &mut self.trainer else {
            return Err(missing("a PPO learner", "generator"));
        };
        if self.config.ppo.ptx_coef > 0.0 {
            // PPO-ptx: the rollout prompts' reference responses, for the SFT term of this step's updates.
            let rows: Vec<(&str, &str)> = examples.iter().map(|e| (e.prompt.as_str(), e.response.as_str())).collect();
            learner.references =
                Some(ReferenceBatch::new(&self.tokenizer, &rows, learner.policy.max_len(), &self.train_device)?);
        }
        let (tokenizer, device) = (&self.tokenizer, self.device.clone());
        let (exp, mut metrics) = match reward {
            Reward::Checker => {
                let mut score = |responses: &[String]| -> Result<Tensor<1>> {
                    let s: Vec<f32> = examples.iter().zip(responses).map(|(e, r)| checker_pass(e, r)).collect();
                    Ok(Tensor::from_data(TensorData::new(s, [examples.len()]), &device))
                };
                let (exp, mut metrics) = learner.make_experience(tokenizer, &prompts, &mut score, &device).await?;
                learner.learn(&exp, &mut self.rng, &mut metrics).await?;
                (exp, metrics)
            }
            Reward::DecoderRm(rm) => {
                let rm = rm.frozen();
                let mut score = |responses: &[String]| -> Result<Tensor<1>> {
                    let rows: Vec<(&str, &str)> =
                        prompts.iter().zip(responses).map(|(p, r)| (p.as_str(), r.as_str())).collect();
                    scores(&rm, tokenizer, &rows, &device)
                };
                let (exp, mut metrics) = learner.make_experience(tokenizer, &prompts, &mut score, &device).await?;
                learner.learn(&exp, &mut self.rng, &mut metrics).await?;
                (exp, metrics)
            }
            Reward::Discriminator(disc) => {
                let rejected: Vec<String> =
                    picks.iter().map(|&i| self.task.train[i].rejected_prompt.prompt.clone()).collect();
                let c = &self.config.gapo;
                generator_iteration(learner, disc, c, tokenizer, &prompts, &rejected, &mut self.rng, &device).await?
            }
        };
        // How good the reward was: the checker's verdict on the same rollouts (training prompts), and how
        // well the reward model's scores follow it. With the oracle the correlation is 1 by construction.
        let passes: Vec<f32> = examples.iter().zip(&exp.responses).map(|(e, r)| checker_pass(e, r)).collect();
        let mean_pass = passes.iter().map(|&p| p as f64).sum::<f64>() / passes.len() as f64;
        metrics.insert("rollout/checker_pass".into(), mean_pass);
        metrics.insert("rollout/score_checker_corr".into(), pearson(&exp.scores, &passes));
        for k in rollouts_by_kind(&examples, &exp.responses, &exp.scores) {
            metrics.insert(format!("rollout/{}/checker_pass", k.kind), k.pass);
            if let Some(gap) = k.score_gap {
                metrics.insert(format!("rollout/{}/score_gap", k.kind), gap);
            }
        }
        Ok(metrics)
    }
}

/// `eval/…` on the held-out prompts (out of distribution), `eval_in/…` on the in-distribution ones.
fn insert_eval(m: &mut BTreeMap<String, f64>, r: &EvalReport) {
    insert_eval_as(m, "eval", r);
    if let Some(r) = &r.in_distribution {
        insert_eval_as(m, "eval_in", r);
    }
}

fn insert_eval_as(m: &mut BTreeMap<String, f64>, prefix: &str, r: &EvalReport) {
    m.insert(format!("{prefix}/prompt_strict"), r.prompt_strict);
    m.insert(format!("{prefix}/instruction_strict"), r.instruction_strict);
    for (kind, s) in &r.per_kind {
        m.insert(format!("{prefix}/{kind}/instruction_strict"), s.instruction_strict());
        m.insert(format!("{prefix}/{kind}/prompt_strict"), s.prompt_strict());
    }
}
