//! PPO raises the reward on a problem whose optimum is known: the reward is the share of response
//! tokens equal to one target token, so the optimum (every token the target) scores 1.

use burn::tensor::{Device, Tensor, TensorData};
use futures_lite::future::block_on;
use gapo_core::algo::kl_control::KlController;
use gapo_core::algo::ppo_trainer::{AdvantageEstimator, PpoConfig, PpoLearner};
use gapo_core::model::GeneratorConfig;
use gapo_core::rng::SplitMix64;
use gapo_core::tokenizer::GapoTokenizer;

/// The tests in this file seed the one CPU device's random stream; run side by side they would draw from
/// each other's streams.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A tokenizer trained on short item descriptions and a one-layer generator config for it (d 16, two
/// heads, 24 positions): the small problem of the update tests below.
fn small_problem() -> (GapoTokenizer, GeneratorConfig) {
    let corpus: Vec<String> = (0..100).map(|i| format!("item {i} is red or blue, size {}", i % 5)).collect();
    let tokenizer = GapoTokenizer::train(&corpus, 280).unwrap();
    let cfg = GeneratorConfig::new(tokenizer.vocab_size())
        .with_d_model(16)
        .with_n_layers(1)
        .with_n_heads(2)
        .with_max_seq_len(24);
    (tokenizer, cfg)
}

/// Each response's length in characters over 20: a score that differs between responses.
fn length_scores(responses: &[String], device: &Device) -> gapo_core::Result<Tensor<1>> {
    let s: Vec<f32> = responses.iter().map(|r| r.len() as f32 / 20.0).collect();
    Ok(Tensor::<1>::from_data(TensorData::new(s, [responses.len()]), device))
}

#[test]
fn ppo_climbs_towards_a_known_optimum() {
    climbs_towards_a_known_optimum(AdvantageEstimator::Gae, 1);
}

#[test]
fn rloo_and_group_norm_climb_towards_a_known_optimum_without_a_critic() {
    climbs_towards_a_known_optimum(AdvantageEstimator::Rloo, 4);
    climbs_towards_a_known_optimum(AdvantageEstimator::GroupNorm, 4);
}

fn climbs_towards_a_known_optimum(advantage: AdvantageEstimator, samples_per_prompt: usize) {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let corpus: Vec<String> = (0..200).map(|i| format!("item {i} is red and blue and green, size {}", i % 7)).collect();
    let tokenizer = GapoTokenizer::train(&corpus, 300).unwrap();
    let device = Device::flex();
    device.seed(5);
    let train_device = device.clone().autodiff();
    let cfg = GeneratorConfig::new(tokenizer.vocab_size())
        .with_d_model(32)
        .with_n_layers(1)
        .with_n_heads(2)
        .with_max_seq_len(24);
    let config = PpoConfig {
        rollout_batch: 32,
        max_new_tokens: 6,
        epochs: 2,
        minibatch: 16,
        actor_lr: 3e-3,
        critic_lr: 3e-3,
        kl: KlController::Fixed { beta: 0.0 },
        advantage,
        samples_per_prompt,
        ..PpoConfig::default()
    };
    config.validate().unwrap();
    let mut learner = PpoLearner::new(config, cfg.init(&train_device), &train_device);
    let target = tokenizer.encode(" red").unwrap()[0];
    // Each prompt `samples_per_prompt` times in a row: the groups the baselines centre on.
    let prompts: Vec<String> = (0..32).map(|i| format!("item {}", i / samples_per_prompt)).collect();
    // Reward: the share of the response's tokens that are the target token (re-encoded from the text).
    let mut score = |responses: &[String]| {
        let s: Vec<f32> = responses
            .iter()
            .map(|r| {
                let ids = tokenizer.encode(r).unwrap_or_default();
                ids.iter().filter(|&&t| t == target).count() as f32 / 6.0
            })
            .collect();
        Ok(Tensor::<1>::from_data(TensorData::new(s, [responses.len()]), &device))
    };
    let mut rng = SplitMix64::new(1);
    let mut curve = Vec::new();
    for _ in 0..40 {
        let (exp, mut metrics) = block_on(learner.make_experience(&tokenizer, &prompts, &mut score, &device)).unwrap();
        curve.push(metrics["objective/scores"]);
        block_on(learner.learn(&exp, &mut rng, &mut metrics)).unwrap();
        for key in ["loss/policy_avg", "policy/approxkl_avg", "policy/clipfrac_avg", "val/ratio"] {
            assert!(metrics[key].is_finite(), "{key} = {}", metrics[key]);
        }
        // Only GAE trains a critic.
        assert_eq!(metrics.contains_key("loss/value_avg"), advantage.uses_critic(), "{advantage:?}");
    }
    let start: f64 = curve[..5].iter().sum::<f64>() / 5.0;
    let end: f64 = curve[curve.len() - 5..].iter().sum::<f64>() / 5.0;
    assert!(end > start + 0.3 && end > 0.4, "{advantage:?}: reward went from {start:.3} to {end:.3}: {curve:?}");
}

/// Without a critic every response token's advantage is the whole baseline-centred score (with β = 0 and
/// no whitening): RLOO's `score − mean(other samples)` and GRPO's `(score − mean) / std`, the same on the
/// first token as on the last, where GAE with a fresh critic discounts the first token by λ^(T−1).
#[test]
fn critic_free_advantages_give_every_token_the_centred_score() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (tokenizer, cfg) = small_problem();
    let device = Device::flex();
    device.seed(3);
    let train_device = device.clone().autodiff();
    let prompts: Vec<String> = (0..8).map(|i| format!("item {}", i / 4)).collect();
    for advantage in [AdvantageEstimator::Rloo, AdvantageEstimator::GroupNorm] {
        let config = PpoConfig {
            rollout_batch: 8,
            max_new_tokens: 6,
            kl: KlController::Fixed { beta: 0.0 },
            whiten_advantages: false,
            advantage,
            samples_per_prompt: 4,
            ..PpoConfig::default()
        };
        let learner = PpoLearner::new(config, cfg.init(&train_device), &train_device);
        let mut score = |responses: &[String]| length_scores(responses, &device);
        let (exp, _) = block_on(learner.make_experience(&tokenizer, &prompts, &mut score, &device)).unwrap();
        let s = &exp.scores;
        let want: Vec<f32> = (0..8)
            .map(|i| {
                let group = &s[(i / 4) * 4..(i / 4) * 4 + 4];
                let mean = group.iter().sum::<f32>() / 4.0;
                match advantage {
                    AdvantageEstimator::Rloo => s[i] - (group.iter().sum::<f32>() - s[i]) / 3.0,
                    _ => {
                        let sd = (group.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / 3.0).sqrt();
                        (s[i] - mean) / (sd + 1e-9)
                    }
                }
            })
            .collect();
        let adv = exp.advantages.clone().into_data().try_to_vec::<f32>().unwrap();
        let mask = exp.action_mask.clone().into_data().try_to_vec::<f32>().unwrap();
        assert!(want.iter().any(|w| w.abs() > 0.05), "the scores differ within a group: {s:?}");
        for (i, w) in want.iter().enumerate() {
            for t in 0..6 {
                let (a, m) = (adv[i * 6 + t], mask[i * 6 + t]);
                let expected = w * m;
                assert!((a - expected).abs() < 1e-4, "{advantage:?} row {i} token {t}: {a} vs {expected}");
            }
        }
    }
}

#[test]
fn a_critic_free_estimator_needs_prompt_groups() {
    let config = PpoConfig { advantage: AdvantageEstimator::Rloo, samples_per_prompt: 1, ..PpoConfig::default() };
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("ppo.advantage") && err.contains("samples_per_prompt"), "{err}");
}

/// Gradient accumulation: a minibatch of 16 taken as 4 micro-batches of 4 makes the same update as in one
/// pass (each micro-batch's loss is weighted by its share of the rows).
#[test]
fn micro_batches_accumulate_to_the_same_update() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (tokenizer, cfg) = small_problem();
    let device = Device::flex();
    let train_device = device.clone().autodiff();
    let prompts: Vec<String> = (0..16).map(|i| format!("item {i}")).collect();
    // Varying lengths matter here: the token shares differ between micro-batches.
    let mut score = |responses: &[String]| length_scores(responses, &device);
    let run = |micro_batch: usize, score: &mut dyn FnMut(&[String]) -> gapo_core::Result<Tensor<1>>| {
        device.seed(11);
        let config = PpoConfig {
            rollout_batch: 16,
            max_new_tokens: 8,
            epochs: 1,
            minibatch: 16,
            micro_batch,
            actor_lr: 1e-2,
            critic_lr: 1e-2,
            ..PpoConfig::default()
        };
        let model = cfg.init(&train_device);
        let mut learner = PpoLearner::new(config, model, &train_device);
        let (mut exp, mut metrics) = block_on(learner.make_experience(&tokenizer, &prompts, score, &device)).unwrap();
        // A random model seldom ends early: give the rows different lengths (1..=8 tokens) by hand, so
        // the micro-batches hold different numbers of tokens.
        let cut: Vec<f32> = (0..16).flat_map(|r| (0..8).map(move |t| if t <= r % 8 { 1.0 } else { 0.0 })).collect();
        exp.action_mask = exp.action_mask * Tensor::<2>::from_data(TensorData::new(cut, [16, 8]), &device);
        let lengths: Vec<f32> = exp.action_mask.clone().sum_dim(1).into_data().try_into_vec::<f32>().unwrap();
        block_on(learner.learn(&exp, &mut SplitMix64::new(3), &mut metrics)).unwrap();
        let params = burn::module::Module::valid(&learner.policy);
        let gapo_core::players::LanguageModel::Tiny(g) = params else { unreachable!() };
        (g.tok_emb.weight.val().into_data().try_into_vec::<f32>().unwrap(), metrics["loss/policy_avg"], lengths)
    };
    let (whole, loss_whole, lengths) = run(0, &mut score);
    let (micro, loss_micro, _) = run(4, &mut score);
    assert!(
        lengths.iter().any(|&l| l != lengths[0]),
        "the rollout should have responses of different lengths: {lengths:?}"
    );
    assert!((loss_whole - loss_micro).abs() < 1e-6, "policy loss {loss_whole} vs {loss_micro}");
    let diff = whole.iter().zip(&micro).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(diff < 1e-6, "weights after one update differ by {diff}");
    // The test can fail: the update itself is far larger than the tolerance.
    let (before, _, _) = {
        device.seed(11);
        let g = cfg.init(&train_device);
        (g.tok_emb.weight.val().into_data().try_into_vec::<f32>().unwrap(), 0.0, ())
    };
    let moved = before.iter().zip(&whole).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(moved > 1e-4, "the update moved the weights by only {moved}");
}

/// PPO-ptx: with `ptx_coef > 0` the update also descends the SFT loss of the rollout prompts' reference
/// responses. From the same start and the same rollout, the policy trained with the term gives the
/// references a lower SFT loss than the policy trained without it (and lower than at the start); a
/// reference batch with the wrong number of rows, or none at all, is refused, naming the field.
#[test]
fn the_ptx_term_pulls_the_policy_towards_the_references() {
    use gapo_core::algo::sft::{ReferenceBatch, sft_loss};
    use gapo_core::model::CausalLm;
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (tokenizer, cfg) = small_problem();
    let device = Device::flex();
    device.seed(12);
    let train_device = device.clone().autodiff();
    let prompts: Vec<String> = (0..16).map(|i| format!("item {i}")).collect();
    let rows: Vec<(&str, &str)> = prompts.iter().map(|p| (p.as_str(), " is red or blue")).collect();
    let references = ReferenceBatch::new(&tokenizer, &rows, 24, &train_device).unwrap();
    let ref_loss = |policy: &gapo_core::players::LanguageModel| {
        let r = references.clone();
        sft_loss(policy, r.ids, r.mask, r.loss_mask).into_data().convert::<f32>().try_to_vec::<f32>().unwrap()[0]
    };
    let mut score = |responses: &[String]| length_scores(responses, &device);
    let model = cfg.init(&train_device);
    let config =
        PpoConfig { rollout_batch: 16, max_new_tokens: 8, actor_lr: 1e-2, critic_lr: 1e-2, ..PpoConfig::default() };
    let mut plain = PpoLearner::new(config.clone(), model.clone(), &train_device);
    let mut ptx = PpoLearner::new(PpoConfig { ptx_coef: 1.0, ..config }, model, &train_device);
    let start = ref_loss(&ptx.policy);
    let (exp, metrics) = block_on(plain.make_experience(&tokenizer, &prompts, &mut score, &device)).unwrap();
    for _ in 0..3 {
        block_on(plain.learn(&exp, &mut SplitMix64::new(3), &mut metrics.clone())).unwrap();
        ptx.references = Some(references.clone());
        let mut m = metrics.clone();
        block_on(ptx.learn(&exp, &mut SplitMix64::new(3), &mut m)).unwrap();
        assert!(m["loss/ptx"].is_finite() && m["loss/ptx"] > 0.0, "loss/ptx = {}", m["loss/ptx"]);
        assert!(ptx.references.is_none(), "learn takes the references");
    }
    let (with, without) = (ref_loss(&ptx.policy), ref_loss(&plain.policy));
    assert!(
        with < without && with < start - 0.1,
        "SFT loss of the references: start {start}, PPO {without}, PPO-ptx {with}"
    );
    assert_eq!(ptx.policy.max_len(), 24);

    ptx.references = Some(references.select(Tensor::from_data(TensorData::new(vec![0i64, 1], [2]), &train_device)));
    let err = block_on(ptx.learn(&exp, &mut SplitMix64::new(3), &mut metrics.clone())).unwrap_err().to_string();
    assert!(err.contains("ppo.ptx_coef") && err.contains("16 rows"), "{err}");

    // ptx_coef > 0 and no references at all: refused, not run as plain PPO.
    let err = block_on(ptx.learn(&exp, &mut SplitMix64::new(3), &mut metrics.clone())).unwrap_err().to_string();
    assert!(err.contains("ppo.ptx_coef") && err.contains("no reference responses"), "{err}");
}
