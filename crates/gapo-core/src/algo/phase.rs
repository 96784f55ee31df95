//! The phases a run steps through. A method's schedule is the list of its phases in order
//! (`crate::schedule`; GAPO's is written in `gapo.rs`); the session runs each phase's steps one at a time,
//! and the progress bars count the same list.

use serde::{Deserialize, Serialize};

/// When D is probed within a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbePoint {
    StageStart,
    AfterGenerator,
    AfterDiscriminator,
}

/// One phase of a run and how long it lasts. `stage` counts from 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Supervised fine-tuning on the reference responses: one optimizer update a step.
    Sft { steps: usize },
    /// Greedy evaluation of the SFT model on the held-out prompts: the start every method is measured from.
    EvalSft,
    /// More SFT updates at the schedule's last rate (the control for "more training").
    SftContinued { steps: usize },
    /// Offline preference updates (DPO, IPO, KTO, SimPO, ORPO) against the frozen SFT model.
    Preference { steps: usize },
    /// The decoder reward model's Bradley–Terry epochs on the task's pairs.
    RewardModelWarmup { epochs: usize },
    /// D's BCE epochs on the preferential pairs, before any stage.
    DiscWarmup { epochs: usize },
    /// D's real/fake scores and its held-out pair accuracy, measured without training anything.
    Probe { stage: usize, point: ProbePoint },
    /// PPO iterations: a rollout scored by the reward, then the clipped updates.
    Generator { stage: usize, rollouts: usize },
    /// Fresh generator samples ("fakes") join D's training rows.
    DiscSample { stage: usize },
    /// D's BCE epochs on those rows.
    DiscTrain { stage: usize, epochs: usize },
    /// Greedy evaluation of the final generator on the held-out prompts.
    FinalEval,
}

impl Phase {
    /// The name a step of this phase reports (and metrics.jsonl's `phase`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sft { .. } | Self::SftContinued { .. } => "sft",
            Self::EvalSft => "eval_sft",
            Self::Preference { .. } => "preference",
            Self::RewardModelWarmup { .. } | Self::DiscWarmup { .. } => "warmup",
            Self::Probe { .. } => "probe",
            Self::Generator { .. } => "generator",
            Self::DiscSample { .. } | Self::DiscTrain { .. } => "discriminator",
            Self::FinalEval => "eval",
        }
    }

    /// The adversarial stage this phase belongs to, if any.
    pub fn stage(&self) -> Option<usize> {
        match self {
            Self::Probe { stage, .. }
            | Self::Generator { stage, .. }
            | Self::DiscSample { stage }
            | Self::DiscTrain { stage, .. } => Some(*stage),
            _ => None,
        }
    }
}
