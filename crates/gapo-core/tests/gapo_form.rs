//! GAPO where the discriminator can learn its job: the `form` run preset (four form constraint kinds, up
//! to 3 per prompt, answered rejected prompts). README, "What we found", says why the full task's tiny
//! discriminator cannot, and what this preset changes.

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::algo::gapo::{GapoConfig, discriminator_rows};
use gapo_core::algo::ppo_trainer::{PpoConfig, PpoLearner};
use gapo_core::config::ModelPreset;
use gapo_core::data::export::Pairs;
use gapo_core::rng::SplitMix64;
use gapo_core::session::{ProbePoint, RunConfig, Session, StepReport};
use gapo_core::task::TaskData;
use gapo_core::tokenizer::GapoTokenizer;

#[test]
fn a_discriminator_phase_has_as_many_negatives_as_positives() {
    let config = RunConfig::named("form").unwrap();
    let task = TaskData::build(&gapo_core::task::TaskConfig { n_train: 64, n_eval: 4, ..config.task.clone() }).unwrap();
    let corpus: Vec<&str> =
        task.train.iter().flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str()]).collect();
    let tokenizer = GapoTokenizer::train(&corpus, 512).unwrap();
    let device = Device::flex();
    device.seed(3);
    let train_device = device.clone().autodiff();
    let generator = ModelPreset::named("tiny").unwrap().generator_config(tokenizer.vocab_size()).init(&train_device);
    let ppo = PpoConfig { max_new_tokens: 8, ..PpoConfig::default() };
    let learner = PpoLearner::new(ppo, generator, &train_device);
    let references: Vec<&str> = task.train.iter().map(|t| t.example.response.as_str()).collect();
    for answered in [false, true] {
        let gapo = GapoConfig { answer_rejected_prompts: answered, fake_share: 0.5, ..GapoConfig::default() };
        let rows = block_on(discriminator_rows(
            &gapo,
            Pairs::Prompt,
            &learner,
            &tokenizer,
            &task.train,
            &mut SplitMix64::new(9),
            &device,
        ))
        .unwrap();
        let positives = rows.iter().filter(|r| r.2 == 1.0).count();
        let negatives = rows.len() - positives;
        assert_eq!(positives, negatives, "answered {answered}: {positives} positives, {negatives} negatives");
        // The answered positives (P_rej, R′, 1) are there only when asked for.
        let rejected_prompts =
            rows.iter().filter(|r| r.2 == 1.0 && task.train.iter().any(|t| t.rejected_prompt.prompt == r.0));
        assert_eq!(rejected_prompts.count() > 40, answered, "answered {answered}");
        // Half of the negatives are fresh samples: responses that are no item's reference and no R′.
        let fakes = rows.iter().filter(|r| r.2 == 0.0 && !references.contains(&r.1.as_str()));
        let fakes = fakes.filter(|r| !rows.iter().any(|p| p.2 == 1.0 && p.1 == r.1)).count();
        let want = (negatives as f64 * 0.5).round() as usize;
        assert!(fakes.abs_diff(want) <= 2, "answered {answered}: {fakes} fakes among {negatives} negatives");
    }
}

/// D's mean score of fresh samples on the probe prompts, at each probe of each stage.
fn fake_scores(reports: &[StepReport]) -> Vec<(usize, ProbePoint, f64)> {
    reports.iter().filter_map(|r| Some((r.stage?, r.probe?, *r.metrics.get("disc/fake_score")?))).collect()
}

fn eval(reports: &[StepReport], phase: &str) -> (f64, f64) {
    let r = reports.iter().find(|r| r.phase == phase).unwrap_or_else(|| panic!("no {phase} step"));
    (r.metrics["eval/prompt_strict"], r.metrics["eval/instruction_strict"])
}

/// The adversarial dynamics on three seeds, not one chosen seed: D's score of the generator's samples (on
/// training prompts, common random numbers) rises in each generator phase and falls in each discriminator
/// phase. The `form` preset made lighter (1,000 items, 4 warm-up epochs, 3 stages; about 2 minutes a seed
/// in a release build, 2.5 in a debug one); `.ci/run` runs it with `-- --ignored`.
///
/// What it does not assert, because it does not hold (README, "What we found"): that the held-out pass
/// rate ends above the SFT start. It prints both, per seed.
#[test]
#[ignore = "minutes: .ci/run runs it with -- --ignored"]
fn gapo_shows_the_adversarial_dynamics_on_three_seeds() {
    let mut failures = Vec::new();
    for seed in [42, 43, 44] {
        let mut config = RunConfig { seed, ..RunConfig::named("form").unwrap() };
        config.task.n_train = 1000;
        config.disc.warmup_epochs = 4;
        config.gapo.stages = 3;
        let mut session = Session::new(config, Device::flex()).unwrap();
        let mut reports: Vec<StepReport> = Vec::new();
        while reports.last().is_none_or(|r| !r.done) {
            reports.push(block_on(session.step()).unwrap());
        }
        let scores = fake_scores(&reports);
        let at = |stage: usize, point: ProbePoint| {
            scores.iter().find(|s| s.0 == stage && s.1 == point).map(|s| s.2).expect("a probe at every point")
        };
        for stage in 0..3 {
            let (start, after_g, after_d) = (
                at(stage, ProbePoint::StageStart),
                at(stage, ProbePoint::AfterGenerator),
                at(stage, ProbePoint::AfterDiscriminator),
            );
            println!(
                "seed {seed} stage {stage}: D's score of samples {start:.3} → G → {after_g:.3} → D → {after_d:.3}"
            );
            if after_g <= start {
                failures.push(format!(
                    "seed {seed} stage {stage}: the generator phase did not raise it ({start:.3} → {after_g:.3})"
                ));
            }
            if after_d >= after_g {
                failures.push(format!(
                    "seed {seed} stage {stage}: the discriminator phase did not lower it ({after_g:.3} → {after_d:.3})"
                ));
            }
        }
        let (sft, gapo) = (eval(&reports, "eval_sft"), eval(&reports, "eval"));
        println!(
            "seed {seed}: held-out prompt / instruction strict {:.3} / {:.3} (SFT) → {:.3} / {:.3} (GAPO)",
            sft.0, sft.1, gapo.0, gapo.1
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
