//! GAPO through gapo-core's public API, in the order of the paper's Algorithm 1: build the task, make a
//! `Session` (tokenizer, generator, discriminator), then step it — SFT, D's warm-up on preferential prompts,
//! stages of {PPO against D; D retrained on real pairs and fresh samples} — and read the evaluations.
//!     cargo run --release -p gapo-core --example train_gapo [-- KEY=VALUE …]
//! The run is the `quick` preset cut to a minute on a CPU; any config key can be set on the command line
//! (`gapo.stages=4`, `seed=7`).

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::session::{Algo, Inputs, RunConfig, Session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = RunConfig::named("quick")?.with_overrides(&[
        "task.n_train=400".into(),
        "task.n_eval=40".into(),
        "task.n_eval_in=40".into(),
        "sft.steps=150".into(),
        "gapo.stages=2".into(),
        "gapo.rollouts_per_stage=3".into(),
        "disc.warmup_epochs=1".into(),
    ])?;
    config = config.with_overrides(&std::env::args().skip(1).collect::<Vec<_>>())?;
    config.algo = Algo::Gapo;
    config.validate()?;

    // The task (training items with their preferential prompts, held-out prompts), the tokenizer trained on
    // it, and freshly initialised models, all from `config.seed`.
    let mut session = Session::new(config, Inputs::default(), Device::flex())?;
    println!("{} training items, {} planned steps", session.task.train.len(), session.planned_steps());

    // One `step` is one update (or one probe, or one evaluation); its report names the phase and stage.
    // At each probe D scores held-out references (real), fresh samples (fake) and held-out preferential
    // pairs; a generator step reports D's score of its rollouts and the checker's pass rate of them.
    while !session.is_done() {
        let r = block_on(session.step())?;
        let m = |key: &str| r.metrics.get(key).copied().unwrap_or(f64::NAN);
        if let (Some(probe), Some(stage)) = (r.probe, r.stage) {
            println!(
                "stage {stage} {probe:?}: D real {:.3} fake {:.3}, held-out pair accuracy {:.3}",
                m("disc/real_score"),
                m("disc/fake_score"),
                m("disc/accuracy")
            );
        } else if r.phase == "generator" {
            println!(
                "  PPO step {:>4}: D's score {:.3}, checker pass {:.3}",
                r.step,
                m("objective/scores"),
                m("rollout/checker_pass")
            );
        }
    }

    // The exact checkers' verdicts on the held-out prompts, before (the SFT start) and after GAPO.
    let (start, end) = (session.sft_eval.as_ref(), session.final_eval.as_ref());
    let (start, end) = (start.ok_or("no SFT evaluation")?, end.ok_or("no final evaluation")?);
    println!("held-out prompt-level strict: SFT start {:.3} -> GAPO {:.3}", start.prompt_strict, end.prompt_strict);
    println!(
        "instruction-level strict:     SFT start {:.3} -> GAPO {:.3}",
        start.instruction_strict, end.instruction_strict
    );
    Ok(())
}
