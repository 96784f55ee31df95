//! The SFT loop the CLI runs: (prompt, response) pairs in, a trained generator out, one line of metrics
//! per step. The loss itself lives in gapo-core (`algo::sft`).

use anyhow::Result;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use gapo_core::algo::sft::sft_loss;
use gapo_core::data::batch::{PadSide, example_batch, int_table};
use gapo_core::model::Generator;
use gapo_core::rng::SplitMix64;
use gapo_core::tokenizer::GapoTokenizer;

pub struct SftSettings {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
}

/// Trains `generator` (on an autodiff `device`) to write each response after its prompt. Calls `on_step`
/// with (step, loss) after every update. Stops with an error naming the step if the loss is not finite.
pub fn train_sft(
    mut generator: Generator,
    tokenizer: &GapoTokenizer,
    pairs: &[(String, String)],
    settings: &SftSettings,
    device: &Device,
    mut on_step: impl FnMut(usize, f32),
) -> Result<Generator> {
    anyhow::ensure!(!pairs.is_empty(), "no training pairs");
    let mut optim = AdamWConfig::new().with_epsilon(1e-8).with_weight_decay(0.0).init();
    let mut rng = SplitMix64::new(settings.seed ^ 0x5EED);
    for step in 0..settings.steps {
        let rows: Vec<(&str, &str)> = (0..settings.batch)
            .map(|_| {
                let (p, r) = rng.pick(pairs);
                (p.as_str(), r.as_str())
            })
            .collect();
        // Over-long rows keep their end: the response is what is learned.
        let (batch, masks) = example_batch(tokenizer, &rows, generator.max_seq_len)?;
        let (ids, mask) = batch.to_device(device);
        let loss_mask = int_table(&masks, 0, PadSide::Right, device)?.float();
        let loss = sft_loss(&generator, ids, mask, loss_mask);
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        let value = loss.into_scalar::<f32>();
        anyhow::ensure!(value.is_finite(), "loss/sft is {value} at step {step}; the update was not applied");
        generator = optim.step(settings.lr, generator, grads);
        on_step(step, value);
    }
    Ok(generator)
}
