//! A training run as a sequence of small steps, driven the same way by the CLI (a loop with progress bars)
//! and the browser (an async task that yields between steps): `Session::new(config, device)`, then
//! `step().await` until the report says `done`. A step is one optimizer update, one rollout with its PPO
//! update, or one evaluation, so a Stop button never waits long.
//!
//! Phases: SFT on the reference responses → evaluation of the SFT start → (GAPO / PPO with a fixed D)
//! discriminator warm-up → stages of {generator phase, discriminator phase} with D probed before and
//! after each → final evaluation on held-out prompts.

use crate::algo::decoder_rm::RewardModelTrainer;
use crate::algo::discriminator::{DiscEval, DiscTrainer, Labelled};
use crate::algo::gapo::{ProbeSet, discriminator_rows, generator_iteration, preference_rows, probe};
use crate::algo::ppo_trainer::PpoLearner;
use crate::algo::preference::{pair_of, preference_step};
use crate::algo::sft::{ReferenceBatch, sft_loss};
use crate::error::{GapoError, Result};
use crate::generation::complete;
use crate::hf::HfDecoder;
use crate::model::CausalLm;
use crate::model::encoder::discriminator_from_generator;
use crate::model::sampling::SamplingConfig;
use crate::players::ScoredDecoder;
use crate::players::{DiscriminatorModel, HfDiscriminator, LanguageModel};
use crate::readback::scalar;
use crate::rng::SplitMix64;
use crate::rollout_stats::{checker_pass, pearson, rollouts_by_kind};
pub use crate::run_config::{Algo, EvalConfig, LrSchedule, RUN_PRESETS, RunConfig, SftConfig};
use crate::task::preferential::reject_prompt;
use crate::task::{EvalReport, Example, TaskConfig, TaskData, evaluate};
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When D is probed within a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbePoint {
    StageStart,
    AfterGenerator,
    AfterDiscriminator,
}

/// Where the step machine stands. Serialisable: a snapshot stores it (see `snapshot.rs`). `DiscTrain` trains
/// on `Session::disc_rows`, kept outside the state because `step` copies the state before each step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum State {
    Sft { step: usize },
    SftEval,
    SftContinued { step: usize },
    Pref { step: usize },
    RmWarmup { epoch: usize, cursor: usize, order: Vec<usize> },
    Warmup { epoch: usize, cursor: usize, order: Vec<usize> },
    Probe { stage: usize, point: ProbePoint },
    Generator { stage: usize, iteration: usize },
    DiscSample { stage: usize },
    DiscTrain { stage: usize, epoch: usize, cursor: usize, order: Vec<usize> },
    FinalEval,
    Done,
}

impl State {
    /// The phase name a step in this state reports.
    fn phase(&self) -> &'static str {
        match self {
            Self::Sft { .. } | Self::SftContinued { .. } => "sft",
            Self::SftEval => "eval_sft",
            Self::Pref { .. } => "preference",
            Self::RmWarmup { .. } | Self::Warmup { .. } => "warmup",
            Self::Probe { .. } => "probe",
            Self::Generator { .. } => "generator",
            Self::DiscSample { .. } | Self::DiscTrain { .. } => "discriminator",
            Self::FinalEval => "eval",
            Self::Done => "done",
        }
    }
}

/// What one step did. Metric names follow TRL (DESIGN §6).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: usize,
    pub phase: String,
    pub stage: Option<usize>,
    pub probe: Option<ProbePoint>,
    pub metrics: BTreeMap<String, f64>,
    pub eval: Option<EvalReport>,
    pub done: bool,
}

pub struct Session {
    pub config: RunConfig,
    pub tokenizer: GapoTokenizer,
    pub task: TaskData,
    pub(crate) device: Device,
    pub(crate) train_device: Device,
    pub(crate) sft_generator: Option<LanguageModel>,
    pub(crate) sft_optim: ModuleOptimizer,
    /// The frozen SFT model, for the preference methods that need a reference.
    pub(crate) pref_reference: Option<LanguageModel>,
    pub learner: Option<PpoLearner>,
    pub disc: Option<DiscTrainer>,
    pub reward_model: Option<RewardModelTrainer>,
    pub(crate) pref_rows: Vec<Labelled>,
    /// The current discriminator phase's rows: positives, rejected pairs and fresh fakes.
    pub(crate) disc_rows: Vec<Labelled>,
    /// Preferential-prompt pairs built on the held-out prompts: D's accuracy on unseen combinations.
    pub(crate) heldout_pairs: Vec<Labelled>,
    /// D's evaluation on `heldout_pairs` and on the same pairs with every response blanked, kept until D's
    /// next update (the probes before and after a generator phase see the same D, so it is computed once).
    pub(crate) pairs_eval: Option<(DiscEval, DiscEval)>,
    pub(crate) rng: SplitMix64,
    pub(crate) state: State,
    pub(crate) steps: usize,
    pub sft_eval: Option<EvalReport>,
    pub final_eval: Option<EvalReport>,
    /// The models came from Hugging Face folders (`Session::with_imported`), not from the preset.
    pub imported: bool,
    /// The task came from a data file (`Session::on_task`), not from `config.task`.
    pub task_from_data: bool,
}

/// Hugging Face models for a session: the generator with its tokenizer, and the discriminator (an encoder
/// with a fresh head and its own tokenizer) for the methods that train one.
pub struct ImportedModels {
    pub generator: HfDecoder,
    pub tokenizer: GapoTokenizer,
    pub discriminator: Option<HfDiscriminator>,
    /// Train LoRA adapters (rank, alpha) on the generator's projections instead of all its weights.
    pub lora: Option<(usize, f64)>,
}

impl Session {
    /// Builds the task, trains the tokenizer and initialises the models on `device` (plain; training uses
    /// its autodiff twin).
    pub fn new(config: RunConfig, device: Device) -> Result<Self> {
        config.validate()?;
        let task = TaskData::build(&TaskConfig { seed: config.seed, ..config.task.clone() })?;
        let mut s = Self::on_task(config, device, task)?;
        s.task_from_data = false;
        Ok(s)
    }

    /// As [`Session::new`], on a given task (a data file's, `TaskData::from_rows`) instead of the one
    /// `config.task` generates.
    pub fn on_task(config: RunConfig, device: Device, task: TaskData) -> Result<Self> {
        config.validate()?;
        let preset = config.model_preset()?;
        device.seed(config.seed);
        let corpus: Vec<&str> = task
            .train
            .iter()
            .flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str(), t.rejected_prompt.prompt.as_str()])
            .collect();
        let tokenizer = GapoTokenizer::train(&corpus, preset.tokenizer.vocab_size)?;
        let train_device = device.clone().autodiff();
        let generator = preset.generator_config(tokenizer.vocab_size()).init(&train_device);
        let disc = match config.algo {
            Algo::Gapo | Algo::Ppo => Some(DiscTrainer::new(
                config.disc.clone(),
                preset.discriminator_config(tokenizer.vocab_size()).init(&train_device),
            )),
            _ => None,
        };
        let pref_rows = preference_rows(&task.train, config.pref.pairs, &config.gapo);
        let mut pair_rng = SplitMix64::new(config.seed ^ 0x9A125);
        let mut heldout_pairs = Vec::new();
        for e in &task.eval {
            if let Some(r) = reject_prompt(e, config.task.modify_share, &config.task.kinds, &mut pair_rng) {
                heldout_pairs.push((e.prompt.clone(), e.response.clone(), 1.0));
                heldout_pairs.push((r.prompt, e.response.clone(), 0.0));
            }
        }
        let rng = SplitMix64::new(config.seed ^ 0xA11CE);
        Ok(Self {
            sft_optim: Self::fresh_sft_optim(),
            pref_reference: None,
            config,
            tokenizer,
            task,
            device,
            train_device,
            sft_generator: Some(generator.into()),
            learner: None,
            disc,
            reward_model: None,
            pref_rows,
            disc_rows: Vec::new(),
            heldout_pairs,
            pairs_eval: None,
            rng,
            state: State::Sft { step: 0 },
            steps: 0,
            sft_eval: None,
            final_eval: None,
            imported: false,
            task_from_data: true,
        })
    }

    /// A session on the configured task with imported models in place of the preset's. The task, its
    /// held-out prompts and the step machine are the same as [`Session::new`]'s; the generator's tokenizer
    /// is the imported one, and D reads text with its own.
    /// `task`: a data file's task, else the one `config.task` generates.
    pub fn with_imported(
        config: RunConfig,
        device: Device,
        models: ImportedModels,
        task: Option<TaskData>,
    ) -> Result<Self> {
        let needs_disc = matches!(config.algo, Algo::Gapo | Algo::Ppo);
        if needs_disc && models.discriminator.is_none() {
            return Err(GapoError::Config {
                field: "algo".into(),
                message: format!("{:?} trains against a discriminator: give one (--discriminator DIR)", config.algo),
            });
        }
        if config.disc.init_from_generator {
            return Err(GapoError::Config {
                field: "disc.init_from_generator".into(),
                message: "needs the built-in generator and discriminator, not imported models".into(),
            });
        }
        let mut s = match task {
            Some(task) => Self::on_task(config, device, task)?,
            None => Self::new(config, device)?,
        };
        let train_device = s.train_device.clone();
        s.tokenizer = models.tokenizer;
        let mut generator = models.generator.fork(&train_device).train();
        if let Some((rank, alpha)) = models.lora {
            generator = crate::hf::decoder::with_lora(generator, rank, alpha)?;
        }
        s.sft_generator = Some(LanguageModel::Hf(generator));
        s.disc = match (needs_disc, models.discriminator) {
            (true, Some(d)) => Some(DiscTrainer::new(s.config.disc.clone(), d.fork(&train_device).train())),
            _ => None,
        };
        s.imported = true;
        Ok(s)
    }

    /// Every optimizer here uses PyTorch's ε = 1e-8 (TRL, OpenRLHF); burn's default of 1e-5 damps the
    /// updates of parameters whose gradients are small, which a tiny model has many of.
    pub(crate) fn fresh_sft_optim() -> ModuleOptimizer {
        AdamWConfig::new().with_epsilon(1e-8).with_weight_decay(0.0).init()
    }

    /// The current policy (SFT model until PPO starts), without autodiff.
    pub fn generator(&self) -> LanguageModel {
        match (&self.learner, &self.sft_generator) {
            (Some(l), _) => l.policy.valid(),
            (None, Some(g)) => g.valid(),
            (None, None) => unreachable!("a session always holds a generator"),
        }
    }

    /// How many steps the whole run takes, from its config (for progress bars).
    pub fn planned_steps(&self) -> usize {
        let c = &self.config;
        let batches = |rows: usize, bs: usize| rows.div_ceil(bs.max(1));
        let sft = c.sft.steps + 1;
        let rollouts = c.gapo.stages * c.gapo.rollouts_per_stage;
        let warmup = c.disc.warmup_epochs * batches(self.pref_rows.len(), c.disc.batch);
        let disc_rows = 2 * c.gapo.disc_items_per_stage.min(self.task.train.len());
        let rest = match c.algo {
            Algo::Sft => 0,
            Algo::SftContinued => c.generator_updates() + 1,
            Algo::Dpo | Algo::Ipo | Algo::Kto | Algo::Simpo | Algo::Orpo => c.pref.steps + 1,
            Algo::PpoOracle => rollouts + 1,
            Algo::PpoDecoderRm => c.disc.warmup_epochs * batches(self.task.train.len(), c.disc.batch) + rollouts + 1,
            Algo::Ppo => warmup + rollouts + 2 * c.gapo.stages + 1,
            Algo::Gapo => {
                warmup
                    + rollouts
                    + c.gapo.stages * (3 + 1 + c.disc.epochs_per_stage * batches(disc_rows, c.disc.batch))
                    + 1
            }
        };
        sft + rest
    }

    /// Steps taken so far (the index of the next step).
    pub fn steps_done(&self) -> usize {
        self.steps
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Greedy completions of the held-out prompts, scored by the checkers; the in-distribution prompts' report
    /// rides along in `in_distribution`. Returns the held-out responses.
    pub async fn evaluate(&self) -> Result<(EvalReport, Vec<String>)> {
        let prompts: Vec<String> = self.task.eval.iter().map(|e| e.prompt.clone()).collect();
        let greedy = SamplingConfig::new().with_greedy(true);
        let e = &self.config.eval;
        let responses =
            complete(&self.generator(), &self.tokenizer, &prompts, e.max_new_tokens, &greedy, e.batch, &self.device)
                .await?;
        let mut report = evaluate(&self.task.eval, &responses);
        if !self.task.eval_in.is_empty() {
            let prompts: Vec<String> = self.task.eval_in.iter().map(|e| e.prompt.clone()).collect();
            let answers = complete(
                &self.generator(),
                &self.tokenizer,
                &prompts,
                e.max_new_tokens,
                &greedy,
                e.batch,
                &self.device,
            )
            .await?;
            report.in_distribution = Some(Box::new(evaluate(&self.task.eval_in, &answers)));
        }
        Ok((report, responses))
    }

    fn probe_examples(&self) -> Vec<Example> {
        let n = self.config.gapo.probe_prompts;
        match self.config.gapo.probe_on {
            ProbeSet::HeldOut => self.task.eval.iter().take(n).cloned().collect(),
            ProbeSet::Train => self.task.train.iter().take(n).map(|t| t.example.clone()).collect(),
        }
    }

    fn stages_after_warmup(&self) -> State {
        match self.config.algo {
            Algo::PpoOracle => State::Generator { stage: 0, iteration: 0 },
            _ => State::Probe { stage: 0, point: ProbePoint::StageStart },
        }
    }

    /// Runs one step. An error (a NaN loss, a policy ratio far outside its clip range, bad input) leaves
    /// the session as it was before the step and names the step and phase.
    pub async fn step(&mut self) -> Result<StepReport> {
        // The backend's RNG (sampling) restarts from (seed, step) at every step, so a session restored
        // from a snapshot continues exactly as one that never stopped.
        self.device.seed(self.config.seed ^ (self.steps as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let before = (self.state.clone(), self.rng.clone());
        let result = self.step_inner().await;
        result.map_err(|e| {
            (self.state, self.rng) = before;
            GapoError::Step { step: self.steps, phase: self.state.phase().into(), cause: Box::new(e) }
        })
    }

    async fn step_inner(&mut self) -> Result<StepReport> {
        let mut report = StepReport { step: self.steps, ..Default::default() };
        let state = std::mem::replace(&mut self.state, State::Done);
        self.state = match state {
            State::Sft { step } => {
                report.phase = "sft".into();
                let loss = self.sft_step(self.config.sft.lr_at(step)).await?;
                report.metrics.insert("loss/sft".into(), loss);
                if step + 1 >= self.config.sft.steps { State::SftEval } else { State::Sft { step: step + 1 } }
            }
            State::SftEval => {
                report.phase = "eval_sft".into();
                self.sft_eval = Some(self.eval_step(&mut report).await?);
                if self.config.algo == Algo::Sft {
                    State::Done
                } else if self.config.algo == Algo::SftContinued {
                    State::SftContinued { step: 0 }
                } else if self.config.algo.preference().is_some() {
                    self.pref_reference = self.sft_generator.as_ref().map(|g| g.valid());
                    self.sft_optim = Self::fresh_sft_optim();
                    State::Pref { step: 0 }
                } else {
                    let policy = self.sft_generator.take().expect("SFT generator");
                    self.learner = Some(PpoLearner::new(self.config.ppo.clone(), policy, &self.train_device));
                    match self.config.algo {
                        Algo::PpoOracle => self.stages_after_warmup(),
                        Algo::PpoDecoderRm => {
                            let learner = self.learner.as_ref().expect("learner");
                            let rm = ScoredDecoder::from_backbone(learner.policy.clone(), &self.train_device);
                            self.reward_model =
                                Some(RewardModelTrainer::new(rm, self.config.disc.lr, self.config.disc.max_grad_norm));
                            State::RmWarmup { epoch: 0, cursor: 0, order: self.shuffled(self.task.train.len()) }
                        }
                        _ => {
                            if self.config.disc.init_from_generator {
                                let (learner, disc) = (self.learner.as_ref().expect("learner"), self.disc.as_mut());
                                let d = disc.expect("discriminator");
                                d.disc = match (&d.disc, &learner.policy) {
                                    (DiscriminatorModel::Tiny(fresh), LanguageModel::Tiny(generator)) => {
                                        discriminator_from_generator(fresh.clone(), generator)?.into()
                                    }
                                    _ => {
                                        return Err(GapoError::Config {
                                            field: "disc.init_from_generator".into(),
                                            message:
                                                "needs the built-in generator and discriminator, not imported models"
                                                    .into(),
                                        });
                                    }
                                };
                            }
                            State::Warmup { epoch: 0, cursor: 0, order: self.shuffled(self.pref_rows.len()) }
                        }
                    }
                }
            }
            State::SftContinued { step } => {
                report.phase = "sft".into();
                // At the last rate of the SFT schedule, as if SFT had simply gone on.
                let lr = self.config.sft.lr_at(self.config.sft.steps.saturating_sub(1));
                let loss = self.sft_step(lr).await?;
                report.metrics.insert("loss/sft".into(), loss);
                if step + 1 >= self.config.generator_updates() {
                    State::FinalEval
                } else {
                    State::SftContinued { step: step + 1 }
                }
            }
            State::Pref { step } => {
                report.phase = "preference".into();
                let method = self.config.algo.preference().expect("a preference method");
                let n = self.config.pref.batch.min(self.task.train.len());
                let picks: Vec<usize> = (0..n).map(|_| self.rng.below(self.task.train.len())).collect();
                let items: Vec<&crate::task::TrainItem> = picks.iter().map(|&i| &self.task.train[i]).collect();
                let policy = self.sft_generator.take().expect("policy");
                let reference = self.pref_reference.as_ref().expect("reference");
                let (policy, metrics) = preference_step(
                    method,
                    &self.config.pref,
                    policy,
                    reference,
                    &mut self.sft_optim,
                    &self.tokenizer,
                    &items,
                    &self.train_device,
                )
                .await?;
                self.sft_generator = Some(policy);
                report.metrics = metrics;
                if step + 1 >= self.config.pref.steps { State::FinalEval } else { State::Pref { step: step + 1 } }
            }
            State::RmWarmup { epoch, cursor, order } => {
                report.phase = "warmup".into();
                let bs = self.config.disc.batch.max(1);
                let pairs: Vec<(&str, &str, &str, &str)> = order[cursor..(cursor + bs).min(order.len())]
                    .iter()
                    .map(|&i| pair_of(&self.task.train[i], self.config.pref.pairs))
                    .collect();
                let rm = self.reward_model.as_mut().expect("reward model");
                let (loss, acc) = rm.train_batch(&self.tokenizer, &pairs, &self.device).await?;
                report.metrics.insert("rm/loss".into(), loss);
                report.metrics.insert("rm/accuracy".into(), acc);
                let cursor = cursor + bs;
                if cursor < order.len() {
                    State::RmWarmup { epoch, cursor, order }
                } else if epoch + 1 < self.config.disc.warmup_epochs {
                    State::RmWarmup { epoch: epoch + 1, cursor: 0, order: self.shuffled(self.task.train.len()) }
                } else {
                    State::Generator { stage: 0, iteration: 0 }
                }
            }
            State::Warmup { epoch, cursor, order } => {
                report.phase = "warmup".into();
                let bs = self.config.disc.batch.max(1);
                let batch: Vec<&Labelled> =
                    order[cursor..(cursor + bs).min(order.len())].iter().map(|&i| &self.pref_rows[i]).collect();
                let disc = self.disc.as_mut().expect("discriminator");
                let lr = self.config.disc.warmup_lr.unwrap_or(self.config.disc.lr);
                let loss = disc.train_batch_at(lr, &self.tokenizer, &batch, &self.device).await?;
                self.pairs_eval = None;
                report.metrics.insert("disc/loss".into(), loss);
                let cursor = cursor + bs;
                if cursor < order.len() {
                    State::Warmup { epoch, cursor, order }
                } else if epoch + 1 < self.config.disc.warmup_epochs {
                    State::Warmup { epoch: epoch + 1, cursor: 0, order: self.shuffled(self.pref_rows.len()) }
                } else {
                    self.stages_after_warmup()
                }
            }
            State::Probe { stage, point } => {
                report.phase = "probe".into();
                report.stage = Some(stage);
                report.probe = Some(point);
                let probe_set = self.probe_examples();
                let (learner, disc) =
                    (self.learner.as_ref().expect("learner"), self.disc.as_ref().expect("discriminator"));
                // Every probe samples with the same random stream (common random numbers): the change of
                // the fake score between two probes is the change of the models, not sampling noise.
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
                self.pairs_eval = Some((pairs.clone(), blank.clone()));
                // Real vs fresh fakes on held-out prompts.
                report.metrics.insert("disc/real_score".into(), e.real_score);
                report.metrics.insert("disc/fake_score".into(), e.fake_score);
                report.metrics.insert("disc/fake_accuracy".into(), e.metrics.accuracy);
                // Accepted vs rejected prompts on held-out combinations.
                report.metrics.insert("disc/accuracy".into(), pairs.metrics.accuracy);
                report.metrics.insert("disc/precision".into(), pairs.metrics.precision);
                report.metrics.insert("disc/recall".into(), pairs.metrics.recall);
                report.metrics.insert("disc/f1".into(), pairs.metrics.f1);
                report.metrics.insert("disc/pairs_loss".into(), pairs.loss);
                // The same pairs with every response blanked: what D reads from the prompts alone. A D that
                // checks the response against the prompt falls to chance here (0.5).
                report.metrics.insert("disc/blank_response_accuracy".into(), blank.metrics.accuracy);
                // How often D scores the response higher under its accepted prompt than under the rejected one.
                report.metrics.insert("disc/pairwise_accuracy".into(), pairs.pairwise_accuracy());
                report.metrics.insert("disc/blank_response_pairwise_accuracy".into(), blank.pairwise_accuracy());
                match point {
                    ProbePoint::StageStart => State::Generator { stage, iteration: 0 },
                    ProbePoint::AfterGenerator if self.config.algo == Algo::Gapo => State::DiscSample { stage },
                    _ => self.next_stage(stage),
                }
            }
            State::Generator { stage, iteration } => {
                report.phase = "generator".into();
                report.stage = Some(stage);
                report.metrics = self.generator_step().await?;
                if iteration + 1 < self.config.gapo.rollouts_per_stage {
                    State::Generator { stage, iteration: iteration + 1 }
                } else if matches!(self.config.algo, Algo::PpoOracle | Algo::PpoDecoderRm) {
                    self.next_stage(stage)
                } else {
                    State::Probe { stage, point: ProbePoint::AfterGenerator }
                }
            }
            State::DiscSample { stage } => {
                report.phase = "discriminator".into();
                report.stage = Some(stage);
                let n = self.config.gapo.disc_items_per_stage.min(self.task.train.len());
                let picks = self.shuffled(self.task.train.len());
                let items: Vec<_> = picks.into_iter().take(n).map(|i| self.task.train[i].clone()).collect();
                let learner = self.learner.as_ref().expect("learner");
                let rows = discriminator_rows(
                    &self.config.gapo,
                    self.config.pref.pairs,
                    learner,
                    &self.tokenizer,
                    &items,
                    &mut self.rng,
                    &self.device,
                )
                .await?;
                report.metrics.insert("disc/rows".into(), rows.len() as f64);
                let order = self.shuffled(rows.len());
                self.disc_rows = rows;
                State::DiscTrain { stage, epoch: 0, cursor: 0, order }
            }
            State::DiscTrain { stage, epoch, cursor, order } => {
                report.phase = "discriminator".into();
                report.stage = Some(stage);
                let bs = self.config.disc.batch.max(1);
                let batch: Vec<&Labelled> =
                    order[cursor..(cursor + bs).min(order.len())].iter().map(|&i| &self.disc_rows[i]).collect();
                let disc = self.disc.as_mut().expect("discriminator");
                let loss = disc.train_batch(&self.tokenizer, &batch, &self.device).await?;
                self.pairs_eval = None;
                report.metrics.insert("disc/loss".into(), loss);
                let cursor = cursor + bs;
                if cursor < order.len() {
                    State::DiscTrain { stage, epoch, cursor, order }
                } else if epoch + 1 < self.config.disc.epochs_per_stage {
                    let order = self.shuffled(self.disc_rows.len());
                    State::DiscTrain { stage, epoch: epoch + 1, cursor: 0, order }
                } else {
                    State::Probe { stage, point: ProbePoint::AfterDiscriminator }
                }
            }
            State::FinalEval => {
                report.phase = "eval".into();
                self.final_eval = Some(self.eval_step(&mut report).await?);
                State::Done
            }
            State::Done => State::Done,
        };
        report.done = matches!(self.state, State::Done);
        self.steps += 1;
        Ok(report)
    }

    fn next_stage(&self, stage: usize) -> State {
        if stage + 1 >= self.config.gapo.stages {
            State::FinalEval
        } else if matches!(self.config.algo, Algo::PpoOracle | Algo::PpoDecoderRm) {
            State::Generator { stage: stage + 1, iteration: 0 }
        } else {
            State::Probe { stage: stage + 1, point: ProbePoint::StageStart }
        }
    }

    /// Evaluates the current generator into `report` and returns the evaluation.
    async fn eval_step(&self, report: &mut StepReport) -> Result<EvalReport> {
        let (r, _) = self.evaluate().await?;
        insert_eval(&mut report.metrics, &r);
        report.eval = Some(r.clone());
        Ok(r)
    }

    fn shuffled(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.rng.shuffle(&mut v);
        v
    }

    async fn sft_step(&mut self, lr: f64) -> Result<f64> {
        let c = self.config.sft.clone();
        let generator = self.sft_generator.take().expect("SFT generator");
        let picks: Vec<usize> = (0..c.batch).map(|_| self.rng.below(self.task.train.len())).collect();
        let rows: Vec<(&str, &str)> = picks
            .iter()
            .map(|&i| (self.task.train[i].example.prompt.as_str(), self.task.train[i].example.response.as_str()))
            .collect();
        let batch = ReferenceBatch::new(&self.tokenizer, &rows, generator.max_len(), &self.train_device)?;
        let loss = sft_loss(&generator, batch.ids, batch.mask, batch.loss_mask);
        let value = scalar(loss.clone().detach()).await?;
        if !value.is_finite() {
            self.sft_generator = Some(generator);
            return Err(GapoError::Diverged(format!("loss/sft is {value}: the update was skipped")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        self.sft_generator = Some(self.sft_optim.step(lr, generator, grads));
        Ok(value)
    }

    async fn generator_step(&mut self) -> Result<BTreeMap<String, f64>> {
        let k = self.config.ppo.samples_per_prompt.max(1);
        let n = (self.config.ppo.rollout_batch / k).max(1).min(self.task.train.len());
        // Each prompt k times in a row: the groups the leave-one-out baseline averages over.
        let picks: Vec<usize> =
            (0..n).map(|_| self.rng.below(self.task.train.len())).flat_map(|i| std::iter::repeat_n(i, k)).collect();
        let prompts: Vec<String> = picks.iter().map(|&i| self.task.train[i].example.prompt.clone()).collect();
        let examples: Vec<Example> = picks.iter().map(|&i| self.task.train[i].example.clone()).collect();
        let learner = self.learner.as_mut().expect("learner");
        if self.config.ppo.ptx_coef > 0.0 {
            // PPO-ptx: the rollout prompts' reference responses, for the SFT term of this step's updates.
            let rows: Vec<(&str, &str)> = examples.iter().map(|e| (e.prompt.as_str(), e.response.as_str())).collect();
            learner.references =
                Some(ReferenceBatch::new(&self.tokenizer, &rows, learner.policy.max_len(), &self.train_device)?);
        }
        let (exp, mut metrics) = match self.config.algo {
            Algo::PpoOracle => {
                let device = self.device.clone();
                let mut score = |responses: &[String]| -> Result<Tensor<1>> {
                    let s: Vec<f32> = examples.iter().zip(responses).map(|(e, r)| checker_pass(e, r)).collect();
                    Ok(Tensor::from_data(TensorData::new(s, [examples.len()]), &device))
                };
                let (exp, mut metrics) =
                    learner.make_experience(&self.tokenizer, &prompts, &mut score, &self.device).await?;
                learner.learn(&exp, &mut self.rng, &mut metrics).await?;
                (exp, metrics)
            }
            Algo::PpoDecoderRm => {
                let rm = self.reward_model.as_ref().expect("reward model").frozen();
                let (tokenizer, device) = (&self.tokenizer, self.device.clone());
                let mut score = |responses: &[String]| -> Result<Tensor<1>> {
                    let rows: Vec<(&str, &str)> =
                        prompts.iter().zip(responses).map(|(p, r)| (p.as_str(), r.as_str())).collect();
                    crate::algo::decoder_rm::scores(&rm, tokenizer, &rows, &device)
                };
                let (exp, mut metrics) =
                    learner.make_experience(&self.tokenizer, &prompts, &mut score, &self.device).await?;
                learner.learn(&exp, &mut self.rng, &mut metrics).await?;
                (exp, metrics)
            }
            _ => {
                let disc = self.disc.as_ref().expect("discriminator");
                let rejected: Vec<String> =
                    picks.iter().map(|&i| self.task.train[i].rejected_prompt.prompt.clone()).collect();
                generator_iteration(
                    learner,
                    disc,
                    &self.config.gapo,
                    &self.tokenizer,
                    &prompts,
                    &rejected,
                    &mut self.rng,
                    &self.device,
                )
                .await?
            }
        };
        // How good the reward was: the checker's verdict on the same rollouts (training prompts), and how
        // well the reward model's scores follow it. With the oracle the correlation is 1 by construction.
        let passes: Vec<f32> = examples.iter().zip(&exp.responses).map(|(e, r)| checker_pass(e, r)).collect();
        metrics
            .insert("rollout/checker_pass".into(), passes.iter().map(|&p| p as f64).sum::<f64>() / passes.len() as f64);
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
