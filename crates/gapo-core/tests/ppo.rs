//! PPO raises the reward on a problem whose optimum is known: the reward is the share of response
//! tokens equal to one target token, so the optimum (every token the target) scores 1.

use burn::tensor::{Device, Tensor, TensorData};
use futures_lite::future::block_on;
use gapo_core::algo::kl_control::KlController;
use gapo_core::algo::ppo_trainer::{PpoConfig, PpoLearner};
use gapo_core::model::GeneratorConfig;
use gapo_core::rng::SplitMix64;
use gapo_core::tokenizer::GapoTokenizer;

#[test]
fn ppo_climbs_towards_a_known_optimum() {
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
        ..PpoConfig::default()
    };
    let mut learner = PpoLearner::new(config, cfg.init(&train_device), &train_device);
    let target = tokenizer.encode(" red").unwrap()[0];
    let prompts: Vec<String> = (0..32).map(|i| format!("item {i}")).collect();
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
        for key in ["loss/policy_avg", "loss/value_avg", "policy/approxkl_avg", "policy/clipfrac_avg", "val/ratio"] {
            assert!(metrics[key].is_finite(), "{key} = {}", metrics[key]);
        }
    }
    let start: f64 = curve[..5].iter().sum::<f64>() / 5.0;
    let end: f64 = curve[curve.len() - 5..].iter().sum::<f64>() / 5.0;
    assert!(end > start + 0.3 && end > 0.4, "reward went from {start:.3} to {end:.3}: {curve:?}");
}
