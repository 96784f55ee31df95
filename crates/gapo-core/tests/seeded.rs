//! Same seed, same device, same samples. burn's CPU backend keeps one random generator per process, so
//! this test lives alone in its own test binary: tests in one binary run on parallel threads and would
//! draw from the same generator in between.

mod common;

use burn::tensor::{Device, Int, Tensor};
use gapo_core::data::batch::{HostBatch, PadSide};
use gapo_core::model::GeneratorConfig;
use gapo_core::model::sampling::{SamplingConfig, generate};

fn read_int<const D: usize>(t: Tensor<D, Int>) -> Vec<i64> {
    t.into_data().convert::<i64>().try_into_vec::<i64>().unwrap()
}

#[test]
fn the_same_seed_gives_the_same_weights_and_samples() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let run = |seed: u64| {
        let device = Device::flex();
        device.seed(seed);
        let model = GeneratorConfig::new(50)
            .with_d_model(16)
            .with_n_layers(1)
            .with_n_heads(2)
            .with_max_seq_len(20)
            .init(&device);
        let batch = HostBatch::pad(&[vec![1, 2, 3], vec![4, 5]], 0, PadSide::Left).unwrap();
        let (ids, mask) = batch.to_device(&device);
        let cfg = SamplingConfig::new().with_temperature(1.5);
        read_int(generate(&model, ids, mask, 12, &cfg, 999, 0).unwrap().tokens)
    };
    let a = run(3);
    assert_eq!(a, run(3), "same seed");
    assert_ne!(a, run(4), "another seed gives other samples");
}

/// The tests in this file compare runs drawn from the one CPU device's random stream; side by side they
/// would draw from each other's streams.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn writing_checkpoints_does_not_change_a_run() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    // burn initialises a parameter on first access from the device's random stream at that moment; a
    // snapshot during SFT used to be D's first access, so a run with checkpoints differed from one without.
    use futures_lite::future::block_on;
    use gapo_core::session::{Algo, Inputs, Session};
    let config = common::tiny_run(Algo::Gapo);
    let run_with = |snapshot_every: usize| {
        let mut s = Session::new(config.clone(), Inputs::default(), Device::flex()).unwrap();
        let mut metrics = Vec::new();
        loop {
            let r = block_on(s.step()).unwrap();
            metrics.push(r.metrics.clone());
            if r.done {
                return metrics;
            }
            if snapshot_every > 0 && s.steps_done() % snapshot_every == 0 {
                s.snapshot().unwrap();
            }
        }
    };
    assert_eq!(run_with(0), run_with(1));
}

#[test]
fn the_warmup_learning_rate_is_its_own_field() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    // Unset, the warm-up trains D at `disc.lr`; set, at its own rate (0: D stays as initialised), and the
    // discriminator phases keep `disc.lr`.
    use futures_lite::future::block_on;
    use gapo_core::session::{Algo, Inputs, Session};
    // D's loss at each step of `phase`, with the warm-up at `warmup_lr` and the discriminator phases at `lr`.
    let losses = |phase: &str, warmup_lr: Option<f64>, lr: f64| -> Vec<f64> {
        let mut config = common::tiny_run(Algo::Gapo);
        config.disc.warmup_lr = warmup_lr;
        config.disc.lr = lr;
        let mut s = Session::new(config, Inputs::default(), Device::flex()).unwrap();
        let mut losses = Vec::new();
        loop {
            let r = block_on(s.step()).unwrap();
            if let (true, Some(&loss)) = (r.phase == phase, r.metrics.get("disc/loss")) {
                losses.push(loss);
            }
            if r.done {
                return losses;
            }
        }
    };
    let lr = common::tiny_run(Algo::Gapo).disc.lr;
    let warmup_losses = |warmup_lr: Option<f64>| losses("warmup", warmup_lr, lr);
    let unset = warmup_losses(None);
    assert!(unset.len() > 1, "the tiny run has a warm-up of several steps");
    assert_eq!(unset, warmup_losses(Some(lr)), "unset is disc.lr");
    // The first batch is scored before any update, so it agrees; after it, a frozen D scores the batches
    // differently from one that learns.
    let frozen = warmup_losses(Some(0.0));
    assert_eq!(unset[0], frozen[0]);
    assert!(unset[1..].iter().zip(&frozen[1..]).all(|(a, b)| a != b), "{unset:?} vs {frozen:?}");
    // The discriminator phases keep `disc.lr`: after a frozen warm-up, D learns in them at `lr`, and
    // otherwise at `2·lr` (had they taken the warm-up's rate, both would stay frozen and agree).
    let (at_lr, at_twice) = (losses("discriminator", Some(0.0), lr), losses("discriminator", Some(0.0), 2.0 * lr));
    assert!(at_lr.len() > 1 && at_lr[0] == at_twice[0], "{at_lr:?} vs {at_twice:?}");
    assert!(at_lr[1..].iter().zip(&at_twice[1..]).any(|(a, b)| a != b), "{at_lr:?} vs {at_twice:?}");
}
