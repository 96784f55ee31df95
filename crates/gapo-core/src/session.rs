//! A training run as a sequence of small steps, driven the same way by the CLI (a loop with progress bars)
//! and the browser (an async task that yields between steps): `Session::new(config, Inputs::default(),
//! device)`, then `step().await` until the report says `done`. A step is one optimizer update, one rollout
//! with its PPO update, or one evaluation, so a Stop button never waits long.
//!
//! The run follows its method's schedule (`schedule.rs`; GAPO's is Algorithm 1 in `algo/gapo.rs`): a list
//! of phases, each a number of steps. `Position` says where in it the session stands; `phases.rs` holds
//! what one step of each phase does; `trainer.rs` what the method trains.

mod disc_view;
mod phases;
mod trainer;

use crate::algo::discriminator::{DiscEval, DiscTrainer, Labelled};
use crate::algo::gapo::preference_rows;
pub use crate::algo::phase::{Phase, ProbePoint};
use crate::algo::ppo_trainer::PpoLearner;
use crate::error::{GapoError, Result};
use crate::generation::complete;
use crate::hf::HfDecoder;
use crate::hooks::Hooks;
use crate::model::sampling::SamplingConfig;
use crate::players::{DiscriminatorModel, HfDiscriminator, LanguageModel};
use crate::rng::SplitMix64;
pub use crate::run_config::{Algo, EvalConfig, LrSchedule, RUN_PRESETS, RunConfig, SftConfig};
use crate::schedule::{schedule, steps_of};
use crate::task::preferential::reject_prompt;
use crate::task::{EvalReport, TaskConfig, TaskData, evaluate};
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::tensor::Device;
pub use disc_view::{DiscView, ScoredResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub(crate) use trainer::{Reward, Trainer, fresh_sft_optim};

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

/// Where the session stands in its schedule: the phase's index, the steps taken in it (for the phases
/// counted in epochs: the rows of the current epoch gone through), the epoch and that epoch's row order.
/// Serialisable: a snapshot stores it (see `snapshot.rs`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Position {
    pub phase: usize,
    pub step: usize,
    pub epoch: usize,
    pub order: Vec<usize>,
}

/// What a session starts from besides its config. The default: the task `config.task` generates, the
/// preset's models and the built-in pieces of GAPO.
#[derive(Default)]
pub struct Inputs {
    /// A data file's task (`TaskData::from_rows`) instead of the generated one.
    pub task: Option<TaskData>,
    /// Hugging Face models instead of the preset's.
    pub models: Option<ImportedModels>,
    /// The classroom's exercise solutions in place of built-in pieces (`crate::hooks`).
    pub hooks: Hooks,
}

/// How a snapshot becomes a session again ([`Session::restore`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restore {
    /// The same run, going on: weights, optimizer states, place in the schedule and random streams. The
    /// same as never stopping (same seed, same device).
    Resume,
    /// As `Resume` with fresh optimizer states: for the browser, where burn 0.22's optimizer-record loader
    /// reaches for the default device (WebGPU, which must be initialised asynchronously first) and panics.
    ModelsOnly,
    /// Another method from the SFT model of a snapshot taken when SFT had finished (before its
    /// evaluation): the overrides may change `algo` and `pref.pairs`. Every method compared from one such
    /// snapshot starts from the very same SFT weights.
    Branch,
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

pub struct Session {
    pub config: RunConfig,
    pub tokenizer: GapoTokenizer,
    pub task: TaskData,
    pub(crate) device: Device,
    pub(crate) train_device: Device,
    pub(crate) trainer: Trainer,
    pub(crate) hooks: Hooks,
    /// The method's phases in order (`schedule.rs`), and where the session stands in them.
    pub(crate) schedule: Vec<Phase>,
    pub(crate) at: Position,
    /// D's warm-up rows: the preferential pairs of every training item.
    pub(crate) pref_rows: Vec<Labelled>,
    /// The current discriminator phase's rows: positives, rejected pairs and fresh fakes.
    pub(crate) disc_rows: Vec<Labelled>,
    /// Preferential-prompt pairs built on the held-out prompts: D's accuracy on unseen combinations.
    pub(crate) heldout_pairs: Vec<Labelled>,
    /// D's evaluation on `heldout_pairs` and on the same pairs with every response blanked, kept until D's
    /// next update (the probes before and after a generator phase see the same D, so it is computed once).
    pub(crate) pairs_eval: Option<(DiscEval, DiscEval)>,
    pub(crate) rng: SplitMix64,
    pub(crate) steps: usize,
    pub sft_eval: Option<EvalReport>,
    pub final_eval: Option<EvalReport>,
    /// The models came from Hugging Face folders (`Inputs::models`), not from the preset.
    pub imported: bool,
    /// The task came from a data file (`Inputs::task`), not from `config.task`.
    pub task_from_data: bool,
}

impl Session {
    /// Builds the task (or takes the given one), trains the tokenizer (or takes the imported one) and
    /// initialises the models on `device` (plain; training uses its autodiff twin). Checks the config first.
    pub fn new(config: RunConfig, inputs: Inputs, device: Device) -> Result<Self> {
        config.validate()?;
        let Inputs { task, models, hooks } = inputs;
        let needs_disc = matches!(config.algo, Algo::Gapo | Algo::Ppo);
        if let Some(m) = &models {
            if needs_disc && m.discriminator.is_none() {
                return Err(GapoError::Config {
                    field: "algo".into(),
                    message: format!(
                        "{:?} trains against a discriminator: give one (--discriminator DIR)",
                        config.algo
                    ),
                });
            }
            if config.disc.init_from_generator {
                return Err(trainer::imported_init_from_generator());
            }
        }
        if task.as_ref().is_some_and(|t| t.text_only) && config.algo != Algo::Sft {
            return Err(GapoError::Config {
                field: "algo".into(),
                message: format!(
                    "{:?} needs prompts the checkers read (and their rejections); a text-only data file trains sft only",
                    config.algo
                ),
            });
        }
        let task_from_data = task.is_some();
        let task = match task {
            Some(task) => task,
            None => TaskData::build_with(&TaskConfig { seed: config.seed, ..config.task.clone() }, &hooks)?,
        };
        let preset = config.model_preset()?;
        device.seed(config.seed);
        let corpus: Vec<&str> = task
            .train
            .iter()
            .flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str(), t.rejected_prompt.prompt.as_str()])
            .collect();
        let train_device = device.clone().autodiff();
        let imported = models.is_some();
        let (tokenizer, generator, disc) = match models {
            None => {
                let tokenizer = GapoTokenizer::train(&corpus, preset.tokenizer.vocab_size)?;
                let generator =
                    LanguageModel::from(preset.generator_config(tokenizer.vocab_size()).init(&train_device));
                let disc = needs_disc.then(|| {
                    DiscriminatorModel::from(preset.discriminator_config(tokenizer.vocab_size()).init(&train_device))
                });
                (tokenizer, generator, disc)
            }
            Some(m) => {
                let mut generator = m.generator.fork(&train_device).train();
                if let Some((rank, alpha)) = m.lora {
                    generator = crate::hf::decoder::with_lora(generator, rank, alpha)?;
                }
                let disc = m.discriminator.filter(|_| needs_disc).map(|d| d.fork(&train_device).train().into());
                (m.tokenizer, LanguageModel::Hf(generator), disc)
            }
        };
        let disc = disc.map(|d| DiscTrainer::new(config.disc.clone(), d).with_hooks(hooks));
        let pref_rows = preference_rows(&task.train, config.pref.pairs, &config.gapo);
        let mut pair_rng = SplitMix64::new(config.seed ^ 0x9A125);
        let mut heldout_pairs = Vec::new();
        for e in &task.eval {
            let kinds = &config.task.kinds;
            if let Some(r) = reject_prompt(e, config.task.modify_share, kinds, &hooks, &mut pair_rng) {
                heldout_pairs.push((e.prompt.clone(), e.response.clone(), 1.0));
                heldout_pairs.push((r.prompt, e.response.clone(), 0.0));
            }
        }
        Ok(Self {
            trainer: Trainer::Supervised { generator, optim: fresh_sft_optim(), disc },
            hooks,
            schedule: schedule(&config),
            rng: SplitMix64::new(config.seed ^ 0xA11CE),
            at: Position::default(),
            config,
            tokenizer,
            task,
            device,
            train_device,
            pref_rows,
            disc_rows: Vec::new(),
            heldout_pairs,
            pairs_eval: None,
            steps: 0,
            sft_eval: None,
            final_eval: None,
            imported,
            task_from_data,
        })
    }

    /// The session with `disc` as its discriminator (an encoder of another shape, a pretrained one), for
    /// GAPO and PPO with a fixed D before their first step.
    pub fn with_discriminator(mut self, model: impl Into<DiscriminatorModel>) -> Result<Self> {
        let fresh = self.steps == 0 && matches!(self.trainer, Trainer::Supervised { disc: Some(_), .. });
        if !fresh {
            return Err(GapoError::Config {
                field: "algo".into(),
                message: "only a GAPO or PPO session that has not stepped yet takes another discriminator".into(),
            });
        }
        if let Trainer::Supervised { disc, .. } = &mut self.trainer {
            *disc = Some(DiscTrainer::new(self.config.disc.clone(), model).with_hooks(self.hooks));
        }
        Ok(self)
    }

    /// The current policy (the SFT model until the method's own phases start), without autodiff.
    pub fn generator(&self) -> LanguageModel {
        self.trainer.generator()
    }

    /// The discriminator, for GAPO and PPO with a fixed D.
    pub fn discriminator(&self) -> Option<&DiscTrainer> {
        self.trainer.discriminator()
    }

    /// The PPO learner (policy, reference, critic), once a PPO method's own phases have started.
    pub fn ppo_learner(&self) -> Option<&PpoLearner> {
        match &self.trainer {
            Trainer::Ppo { learner, .. } => Some(learner),
            _ => None,
        }
    }

    /// The method's phases in order.
    pub fn schedule(&self) -> &[Phase] {
        &self.schedule
    }

    /// The phase the next step belongs to, or `None` when the run is done.
    pub fn current_phase(&self) -> Option<&Phase> {
        self.schedule.get(self.at.phase)
    }

    /// How many steps each phase of the schedule takes (for progress bars and the page's diagram). A
    /// discriminator phase's rows are known once its fakes are sampled; until then they are counted as
    /// one positive and one negative per item.
    pub fn phase_steps(&self) -> Vec<usize> {
        let c = &self.config;
        let disc_rows = 2 * c.gapo.disc_items_per_stage.min(self.task.train.len());
        self.schedule
            .iter()
            .map(|phase| {
                let (rows, batch) = match phase {
                    Phase::RewardModelWarmup { .. } => (self.task.train.len(), c.disc.batch),
                    Phase::DiscWarmup { .. } => (self.pref_rows.len(), c.disc.batch),
                    Phase::DiscTrain { .. } => (disc_rows, c.disc.batch),
                    _ => (0, 1),
                };
                steps_of(phase, rows, batch)
            })
            .collect()
    }

    /// How many steps the whole run takes, from its config (for progress bars).
    pub fn planned_steps(&self) -> usize {
        self.phase_steps().iter().sum()
    }

    /// Where the session stands: the index of the current phase in [`Session::schedule`] (its length when
    /// the run is done) and the steps taken in that phase.
    pub fn position(&self) -> (usize, usize) {
        let batch = self.config.disc.batch.max(1);
        let steps = match self.current_phase() {
            Some(Phase::RewardModelWarmup { .. } | Phase::DiscWarmup { .. } | Phase::DiscTrain { .. }) => {
                self.at.epoch * self.at.order.len().div_ceil(batch) + self.at.step / batch
            }
            _ => self.at.step,
        };
        (self.at.phase, steps)
    }

    /// Steps taken so far (the index of the next step).
    pub fn steps_done(&self) -> usize {
        self.steps
    }

    pub fn is_done(&self) -> bool {
        self.at.phase >= self.schedule.len()
    }

    /// Whether the session has finished SFT and not yet evaluated it: the point a branch starts from
    /// (`Restore::Branch`).
    pub fn at_sft_end(&self) -> bool {
        self.current_phase() == Some(&Phase::EvalSft)
    }

    /// Greedy completions of the held-out prompts, scored by the checkers; the in-distribution prompts' report
    /// rides along in `in_distribution`. Returns the held-out responses.
    pub async fn evaluate(&self) -> Result<(EvalReport, Vec<String>)> {
        let generator = self.generator();
        let greedy = SamplingConfig::new().with_greedy(true);
        let e = &self.config.eval;
        let answer = |examples: &[crate::task::Example]| {
            let prompts: Vec<String> = examples.iter().map(|e| e.prompt.clone()).collect();
            let generator = &generator;
            let greedy = &greedy;
            async move {
                complete(generator, &self.tokenizer, &prompts, e.max_new_tokens, greedy, e.batch, &self.device).await
            }
        };
        let responses = answer(&self.task.eval).await?;
        let mut report = evaluate(&self.task.eval, &responses);
        if !self.task.eval_in.is_empty() {
            let answers = answer(&self.task.eval_in).await?;
            report.in_distribution = Some(Box::new(evaluate(&self.task.eval_in, &answers)));
        }
        Ok((report, responses))
    }

    /// Runs one step. An error (a NaN loss, a policy ratio far outside its clip range, bad input) leaves
    /// the session's place and random stream as they were before the step and names the step and phase.
    pub async fn step(&mut self) -> Result<StepReport> {
        // The backend's RNG (sampling) restarts from (seed, step) at every step, so a session restored
        // from a snapshot continues exactly as one that never stopped.
        self.device.seed(self.config.seed ^ (self.steps as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let before = (self.at.clone(), self.rng.clone());
        let result = self.step_inner().await;
        result.map_err(|e| {
            (self.at, self.rng) = before;
            let phase = self.current_phase().map_or("done", Phase::name);
            GapoError::Step { step: self.steps, phase: phase.into(), cause: Box::new(e) }
        })
    }

    async fn step_inner(&mut self) -> Result<StepReport> {
        let Some(phase) = self.current_phase().cloned() else {
            return Ok(StepReport { step: self.steps, phase: "done".into(), done: true, ..Default::default() });
        };
        let mut report = StepReport {
            step: self.steps,
            phase: phase.name().into(),
            stage: phase.stage(),
            probe: match phase {
                Phase::Probe { point, .. } => Some(point),
                _ => None,
            },
            ..Default::default()
        };
        let finished = self.run_phase_step(&phase, &mut report).await?;
        if finished {
            if phase == Phase::EvalSft {
                self.trainer.start_method(&self.config, self.hooks, &self.train_device)?;
            }
            self.enter(self.at.phase + 1);
        }
        report.done = self.is_done();
        self.steps += 1;
        Ok(report)
    }

    /// Moves to phase `index`, drawing the first epoch's row order of a phase counted in epochs.
    fn enter(&mut self, index: usize) {
        let rows = match self.schedule.get(index) {
            Some(Phase::RewardModelWarmup { .. }) => self.task.train.len(),
            Some(Phase::DiscWarmup { .. }) => self.pref_rows.len(),
            Some(Phase::DiscTrain { .. }) => self.disc_rows.len(),
            _ => 0,
        };
        let order = if rows > 0 { self.shuffled(rows) } else { Vec::new() };
        self.at = Position { phase: index, step: 0, epoch: 0, order };
    }

    /// Counts a step of a phase of `steps` steps; true when it was the last.
    fn count(&mut self, steps: usize) -> bool {
        self.at.step += 1;
        self.at.step >= steps
    }

    /// The indices of the current batch of a phase counted in epochs.
    fn batch(&self, batch: usize) -> Vec<usize> {
        let start = self.at.step.min(self.at.order.len());
        self.at.order[start..(start + batch.max(1)).min(self.at.order.len())].to_vec()
    }

    /// Counts a batch of `batch` rows of a phase of `epochs` epochs over `rows` rows, drawing the next
    /// epoch's order when one ends; true after the last batch of the last epoch.
    fn count_batch(&mut self, batch: usize, rows: usize, epochs: usize) -> bool {
        self.at.step += batch.max(1);
        if self.at.step < self.at.order.len() {
            false
        } else if self.at.epoch + 1 < epochs {
            self.at.order = self.shuffled(rows);
            (self.at.step, self.at.epoch) = (0, self.at.epoch + 1);
            false
        } else {
            true
        }
    }

    fn shuffled(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.rng.shuffle(&mut v);
        v
    }
}
