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
use gapo_core::session::RunConfig;
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
