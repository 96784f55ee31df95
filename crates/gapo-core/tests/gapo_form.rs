//! GAPO where the discriminator can learn its job: the `form` run preset (four form constraint kinds, up
//! to 3 per prompt, answered rejected prompts). README, "What we found", says why the full task's tiny
//! discriminator cannot, and what this preset changes.
//! The preset's three-seed runs (the held-out gain, the adversarial dynamics) are `tests/gapo_three_seeds.rs`.

use burn::module::Module;
use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::algo::discriminator::{DiscConfig, DiscTrainer, RewardTransform, reward};
use gapo_core::algo::gapo::{GapoConfig, discriminator_rows, generator_iteration, preference_rows};
use gapo_core::algo::ppo_trainer::{PpoConfig, PpoLearner};
use gapo_core::config::ModelPreset;
use gapo_core::data::export::Pairs;
use gapo_core::rng::SplitMix64;
use gapo_core::session::RunConfig;
use gapo_core::task::TaskData;
use gapo_core::tokenizer::GapoTokenizer;

/// The tests in this file draw their models from the one CPU device's random stream; side by side they
/// would draw from each other's streams, and a test's models would depend on the other tests' timing.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// 64 training items of the form task, a tokenizer trained on them, and an untrained tiny generator in a
/// PPO learner that samples 8 new tokens.
fn small_form_setup() -> (TaskData, GapoTokenizer, PpoLearner, Device) {
    let config = RunConfig::named("form").unwrap();
    let task = TaskData::build(&gapo_core::task::TaskConfig { n_train: 64, n_eval: 4, ..config.task.clone() }).unwrap();
    let corpus: Vec<&str> =
        task.train.iter().flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str()]).collect();
    let tokenizer = GapoTokenizer::train(&corpus, 512).unwrap();
    let device = Device::flex();
    device.seed(3);
    let train_device = device.clone().autodiff();
    let generator = ModelPreset::named("tiny").unwrap().generator_config(tokenizer.vocab_size()).init(&train_device);
    let ppo = PpoConfig { max_new_tokens: 8, rollout_batch: 8, samples_per_prompt: 1, ..PpoConfig::default() };
    let learner = PpoLearner::new(ppo, generator, &train_device);
    (task, tokenizer, learner, device)
}

#[test]
fn a_discriminator_phase_has_as_many_negatives_as_positives() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (task, tokenizer, learner, device) = small_form_setup();
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

/// `gapo.response_pair_share`: that share of the items gives D its preferential response (P_acc, R_rej, 0)
/// as the negative instead of its rejected prompt (P_rej, R, 0); the same items in the warm-up and in every
/// discriminator phase, and a phase stays balanced.
#[test]
fn a_share_of_the_items_gives_d_their_preferential_response_as_the_negative() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (task, tokenizer, learner, device) = small_form_setup();
    let by_response = |rows: &[(String, String, f32)]| -> Vec<usize> {
        (0..task.train.len())
            .filter(|&i| {
                let t = &task.train[i];
                rows.iter().any(|r| r.2 == 0.0 && r.0 == t.example.prompt && r.1 == t.rejected_response.response)
            })
            .collect()
    };
    let by_prompt = |rows: &[(String, String, f32)]| -> usize {
        let t = &task.train;
        t.iter()
            .filter(|t| rows.iter().any(|r| r.2 == 0.0 && r.0 == t.rejected_prompt.prompt && r.1 == t.example.response))
            .count()
    };
    for share in [0.0, 0.5, 1.0] {
        let gapo = GapoConfig { response_pair_share: share, fake_share: 0.0, ..GapoConfig::default() };
        let warmup = preference_rows(&task.train, Pairs::Prompt, &gapo);
        let picked = by_response(&warmup);
        let n = task.train.len();
        assert_eq!(picked.len() + by_prompt(&warmup), n, "share {share}: one negative an item");
        let want = (share * n as f64).round() as usize;
        assert!(picked.len().abs_diff(want) <= n / 5, "share {share}: {} of {n} items", picked.len());
        // Without fakes a discriminator phase holds every item's pair rows: the same items, balanced.
        let phase = block_on(discriminator_rows(
            &gapo,
            Pairs::Prompt,
            &learner,
            &tokenizer,
            &task.train,
            &mut SplitMix64::new(2),
            &device,
        ))
        .unwrap();
        assert_eq!(by_response(&phase), picked, "share {share}");
        let positives = phase.iter().filter(|r| r.2 == 1.0).count();
        assert_eq!(positives * 2, phase.len(), "share {share}");
    }
}

/// `gapo.reward_contrast = w`: the generator's reward is D(P_acc, R̂) − w·D(P_rej, R̂), D's two scores of
/// the same sampled response, under the item's prompt and under its rejected prompt.
#[test]
fn the_contrast_reward_is_d_under_the_prompt_less_d_under_the_rejected_prompt() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (task, tokenizer, mut learner, device) = small_form_setup();
    let disc_config = ModelPreset::named("tiny").unwrap().discriminator_config(tokenizer.vocab_size());
    let mut disc = DiscTrainer::new(DiscConfig::default(), disc_config.init(&device.clone().autodiff()));
    // A few BCE updates on the pairs, so that D's two scores differ.
    let rows = preference_rows(
        &task.train,
        Pairs::Prompt,
        &GapoConfig { answer_rejected_prompts: true, ..GapoConfig::default() },
    );
    for batch in rows.chunks(16).take(12) {
        let batch: Vec<_> = batch.iter().collect();
        block_on(disc.train_batch(&tokenizer, &batch, &device)).unwrap();
    }
    let items = &task.train[..8];
    let prompts: Vec<String> = items.iter().map(|t| t.example.prompt.clone()).collect();
    let rejected: Vec<String> = items.iter().map(|t| t.rejected_prompt.prompt.clone()).collect();
    let transform = RewardTransform::Logit;
    let score = |prompts: &[String], responses: &[String]| -> Vec<f32> {
        let s = reward(&disc.disc.valid(), &tokenizer, prompts, responses, transform, &device).unwrap();
        s.into_data().try_to_vec::<f32>().unwrap()
    };
    for w in [0.0, 1.0, 0.5] {
        let gapo = GapoConfig { reward_contrast: w, reward_transform: transform, ..GapoConfig::default() };
        let mut rng = SplitMix64::new(5);
        let (exp, _) = block_on(generator_iteration(
            &mut learner,
            &disc,
            &gapo,
            &tokenizer,
            &prompts,
            &rejected,
            &mut rng,
            &device,
        ))
        .unwrap();
        let (accepted, under_rejected) = (score(&prompts, &exp.responses), score(&rejected, &exp.responses));
        for i in 0..prompts.len() {
            let want = accepted[i] - w as f32 * under_rejected[i];
            assert!((exp.scores[i] - want).abs() < 1e-5, "w {w}, row {i}: reward {} != {want}", exp.scores[i]);
        }
        // The two scores differ by more than the tolerance above, so the test tells w = 0 from w = 1.
        assert!(
            accepted.iter().zip(&under_rejected).any(|(a, r)| (a - r).abs() > 2e-4),
            "w {w}: {accepted:?} {under_rejected:?}"
        );
    }
}
