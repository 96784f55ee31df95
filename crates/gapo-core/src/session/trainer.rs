//! What a session trains, held by type. Every method starts as [`Trainer::Supervised`] (SFT); after the
//! SFT model's evaluation it becomes the method's own trainer: continued SFT stays supervised, the
//! preference methods hold the policy and the frozen SFT model, the PPO methods a PPO learner and the
//! reward it is trained against.

use crate::algo::decoder_rm::RewardModelTrainer;
use crate::algo::discriminator::DiscTrainer;
use crate::algo::ppo_trainer::PpoLearner;
use crate::error::{GapoError, Result};
use crate::hooks::Hooks;
use crate::model::encoder::discriminator_from_generator;
use crate::players::{DiscriminatorModel, LanguageModel, ScoredDecoder};
use crate::run_config::{Algo, RunConfig};
use burn::module::Module;
use burn::optim::{AdamWConfig, ModuleOptimizer};
use burn::tensor::Device;

pub(crate) enum Trainer {
    /// SFT (and continued SFT). `disc` is the discriminator GAPO and PPO with a fixed D go on to train:
    /// made with the generator at the start, so its first weights do not depend on how long SFT runs.
    Supervised { generator: LanguageModel, optim: ModuleOptimizer, disc: Option<DiscTrainer> },
    /// DPO, IPO, KTO, SimPO, ORPO: the policy, its optimizer and the frozen SFT model as reference.
    Preference { policy: LanguageModel, reference: LanguageModel, optim: ModuleOptimizer },
    /// PPO and GAPO: the actor-critic learner and what scores its rollouts.
    Ppo { learner: PpoLearner, reward: Reward },
}

/// What scores the PPO methods' rollouts.
pub(crate) enum Reward {
    /// The exact checker (`ppo-oracle`, the ceiling).
    Checker,
    /// A decoder reward model trained by Bradley–Terry on the pairs (`ppo-decoder-rm`).
    DecoderRm(RewardModelTrainer),
    /// The encoder discriminator (GAPO retrains it each stage; `ppo` keeps it fixed after its warm-up).
    Discriminator(DiscTrainer),
}

/// Every optimizer here uses PyTorch's ε = 1e-8 (TRL, OpenRLHF); burn's default of 1e-5 damps the updates
/// of parameters whose gradients are small, which a tiny model has many of.
pub(crate) fn fresh_sft_optim() -> ModuleOptimizer {
    AdamWConfig::new().with_epsilon(1e-8).with_weight_decay(0.0).init()
}

pub(crate) fn missing(what: &str, phase: &str) -> GapoError {
    GapoError::Config {
        field: "algo".into(),
        message: format!("the {phase} phase needs {what}, which the run's method does not train"),
    }
}

impl Trainer {
    /// The current generator (the SFT model until the method's own phases start), without autodiff.
    pub(crate) fn generator(&self) -> LanguageModel {
        match self {
            Self::Supervised { generator, .. } => generator.valid(),
            Self::Preference { policy, .. } => policy.valid(),
            Self::Ppo { learner, .. } => learner.policy.valid(),
        }
    }

    /// The discriminator, for the methods that train one.
    pub(crate) fn discriminator(&self) -> Option<&DiscTrainer> {
        match self {
            Self::Supervised { disc, .. } => disc.as_ref(),
            Self::Ppo { reward: Reward::Discriminator(d), .. } => Some(d),
            _ => None,
        }
    }

    /// The generator being trained and the discriminator: GAPO's two players.
    pub(crate) fn players(&self, phase: &str) -> Result<(&PpoLearner, &DiscTrainer)> {
        match self {
            Self::Ppo { learner, reward: Reward::Discriminator(d) } => Ok((learner, d)),
            _ => Err(missing("a PPO learner and a discriminator", phase)),
        }
    }

    pub(crate) fn discriminator_mut(&mut self, phase: &str) -> Result<&mut DiscTrainer> {
        match self {
            Self::Supervised { disc: Some(d), .. } | Self::Ppo { reward: Reward::Discriminator(d), .. } => Ok(d),
            _ => Err(missing("a discriminator", phase)),
        }
    }

    pub(crate) fn reward_model_mut(&mut self, phase: &str) -> Result<&mut RewardModelTrainer> {
        match self {
            Self::Ppo { reward: Reward::DecoderRm(rm), .. } => Ok(rm),
            _ => Err(missing("a decoder reward model", phase)),
        }
    }

    /// Becomes the method's own trainer, built from the SFT model once SFT and its evaluation are done.
    pub(crate) fn start_method(&mut self, config: &RunConfig, hooks: Hooks, train_device: &Device) -> Result<()> {
        let Self::Supervised { generator, disc, .. } = self else {
            return Ok(());
        };
        let algo = config.algo;
        if algo == Algo::SftContinued || algo == Algo::Sft {
            return Ok(());
        }
        // Module clones share their tensors: the supervised trainer this replaces is dropped just after.
        let generator = generator.clone();
        if algo.preference().is_some() {
            let reference = generator.valid();
            *self = Self::Preference { policy: generator, reference, optim: fresh_sft_optim() };
            return Ok(());
        }
        let learner = PpoLearner::new(config.ppo.clone(), generator, train_device);
        let reward = match (algo, disc.take()) {
            (Algo::PpoOracle, _) => Reward::Checker,
            (Algo::PpoDecoderRm, _) => {
                let rm = ScoredDecoder::from_backbone(learner.policy.clone(), train_device);
                Reward::DecoderRm(RewardModelTrainer::new(rm, config.disc.lr, config.disc.max_grad_norm))
            }
            (_, Some(mut d)) => {
                if config.disc.init_from_generator {
                    d.disc = match (&d.disc, &learner.policy) {
                        (DiscriminatorModel::Tiny(fresh), LanguageModel::Tiny(generator)) => {
                            discriminator_from_generator(fresh.clone(), generator)?.into()
                        }
                        _ => return Err(imported_init_from_generator()),
                    };
                }
                Reward::Discriminator(d)
            }
            (_, None) => return Err(missing("a discriminator", "warm-up")),
        };
        *self = Self::Ppo { learner: learner.with_hooks(hooks), reward };
        Ok(())
    }
}

pub(crate) fn imported_init_from_generator() -> GapoError {
    GapoError::Config {
        field: "disc.init_from_generator".into(),
        message: "needs the built-in generator and discriminator, not imported models".into(),
    }
}
