//! Each method's schedule: the phases of its run in order, written once. The session steps through this
//! list and `Session::planned_steps` counts it. Every method starts with SFT and its evaluation (the start
//! each one is measured from) and ends with an evaluation on the held-out prompts; GAPO's own phases are
//! written in `algo/gapo.rs`, beside its pieces.

use crate::algo::gapo;
use crate::algo::phase::Phase;
use crate::run_config::{Algo, RunConfig};

pub fn schedule(c: &RunConfig) -> Vec<Phase> {
    let mut phases = vec![Phase::Sft { steps: c.sft.steps }, Phase::EvalSft];
    let generator_stages =
        || (0..c.gapo.stages).map(|stage| Phase::Generator { stage, rollouts: c.gapo.rollouts_per_stage });
    match c.algo {
        // SFT alone: its evaluation is the run's result.
        Algo::Sft => return phases,
        // As many SFT updates as the PPO methods make generator updates.
        Algo::SftContinued => phases.push(Phase::SftContinued { steps: c.generator_updates() }),
        Algo::Dpo | Algo::Ipo | Algo::Kto | Algo::Simpo | Algo::Orpo => {
            phases.push(Phase::Preference { steps: c.pref.steps })
        }
        Algo::Gapo => phases.extend(gapo::schedule(&c.gapo, &c.disc, true)),
        Algo::Ppo => phases.extend(gapo::schedule(&c.gapo, &c.disc, false)),
        // The exact checker needs no training: PPO stages alone.
        Algo::PpoOracle => phases.extend(generator_stages()),
        Algo::PpoDecoderRm => {
            phases.push(Phase::RewardModelWarmup { epochs: c.disc.warmup_epochs });
            phases.extend(generator_stages());
        }
    }
    phases.push(Phase::FinalEval);
    phases
}

/// How many steps `phase` takes: `rows` is the number of training rows an epoch of it goes through
/// (batches of `batch`), for the phases counted in epochs.
pub fn steps_of(phase: &Phase, rows: usize, batch: usize) -> usize {
    let epochs = |n: usize| n.max(1) * rows.div_ceil(batch.max(1)).max(1);
    match *phase {
        Phase::Sft { steps } | Phase::SftContinued { steps } | Phase::Preference { steps } => steps.max(1),
        Phase::Generator { rollouts, .. } => rollouts.max(1),
        Phase::RewardModelWarmup { epochs: n }
        | Phase::DiscWarmup { epochs: n }
        | Phase::DiscTrain { epochs: n, .. } => epochs(n),
        Phase::EvalSft | Phase::Probe { .. } | Phase::DiscSample { .. } | Phase::FinalEval => 1,
    }
}
