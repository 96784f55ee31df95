//! The SFT loop the CLI runs: (prompt, response) pairs in, a trained generator out, one line of metrics
//! per step. The loss itself lives in gapo-core (`algo::sft`).

use anyhow::Result;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use gapo_core::algo::sft::sft_loss;
use gapo_core::data::batch::{HostBatch, PadSide, int_table};
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
    let special = tokenizer.special();
    let encoded: Vec<(Vec<u32>, Vec<u32>)> = pairs
        .iter()
        .map(|(p, r)| {
            tokenizer.generator_example(p, r).map(|(mut ids, mut mask)| {
                // Keep the end of an over-long prompt: the response is what is learned.
                if ids.len() > generator.max_seq_len {
                    let cut = ids.len() - generator.max_seq_len;
                    ids.drain(..cut);
                    mask.drain(..cut);
                }
                (ids, mask)
            })
        })
        .collect::<gapo_core::Result<_>>()?;
    let mut optim = AdamWConfig::new().with_weight_decay(0.0).init();
    let mut rng = SplitMix64::new(settings.seed ^ 0x5EED);
    for step in 0..settings.steps {
        let picks: Vec<&(Vec<u32>, Vec<u32>)> = (0..settings.batch).map(|_| rng.pick(&encoded)).collect();
        let rows: Vec<Vec<u32>> = picks.iter().map(|(ids, _)| ids.clone()).collect();
        let masks: Vec<Vec<u32>> = picks.iter().map(|(_, m)| m.clone()).collect();
        let batch = HostBatch::pad(&rows, special.pad, PadSide::Right)?;
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
